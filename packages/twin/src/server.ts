/**
 * A twin behind a real HTTP server (node:http), for code that cannot take a `fetch` (another process, a CLI, a
 * browser page): `const { url, twin, close } = await startTwin({ provider: "importio", port: 0 })`. Faults are real
 * socket events: a reset destroys the socket, a truncated body closes it after the given bytes, a slow body stalls
 * it on the twin's clock. CORS is open, so a page on another origin can call it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { apiBasePath, createTwin, type Provider, type Twin, type TwinOptions } from "./index.js";
import { engineOf } from "./registry.js";

export interface TwinServerOptions<P extends Provider = Provider> extends Omit<TwinOptions<P>, "baseUrl"> {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
}

export interface TwinServer<P extends Provider = Provider> {
  /** The server's origin, e.g. `http://127.0.0.1:53127`. The twin answers there with or without the API's base path. */
  readonly url: string;
  /** The twin behind the server; its `baseUrl` is `url` plus the API's base path. */
  readonly twin: Twin<P>;
  close(): Promise<void>;
}

// Hop-by-hop headers belong to the connection, not to the request the twin sees.
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"]);

/** Starts a twin on a local port. */
export async function startTwin<P extends Provider>(options: TwinServerOptions<P>): Promise<TwinServer<P>> {
  const { port = 0, host = "127.0.0.1", ...twinOptions } = options;
  let twin: Twin<P> | undefined;
  const inFlight = new Set<AbortController>();

  const server = createServer((req, res) => {
    if (!twin) return void res.writeHead(503).end();
    const abort = new AbortController();
    inFlight.add(abort);
    res.on("close", () => {
      abort.abort(new Error("the client went away"));
      inFlight.delete(abort);
    });
    serve(twin, req, res, abort.signal).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostname = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${hostname}:${address.port}`;
  // Created once the port is known: the twin's own URLs (download links, SharinPix's secret URL) name the server.
  twin = createTwin({ ...(twinOptions as TwinOptions<P>), baseUrl: `${url}${apiBasePath(options.provider)}` });

  let closed = false;
  return {
    url,
    twin,
    async close() {
      if (closed) return;
      closed = true;
      for (const controller of inFlight) controller.abort(new Error("the twin server is closing"));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function serve(twin: Twin, req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
  if (req.method === "OPTIONS") {
    // CORS preflight: any origin, any header, any method (a local test server).
    res.writeHead(204, {
      "access-control-allow-origin": req.headers.origin ?? "*",
      "access-control-allow-headers": req.headers["access-control-request-headers"] ?? "*",
      "access-control-allow-methods": "GET, POST, PUT, DELETE, PATCH, OPTIONS",
      "access-control-max-age": "600",
    });
    return void res.end();
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const engine = engineOf(twin);
  const request = new Request(`${engine.env.origin}${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    ...(body.length && req.method !== "GET" && req.method !== "HEAD" ? { body } : {}),
  });
  const outcome = await engine.dispatch(request);
  if (outcome.kind !== "response") return void req.socket.destroy();

  res.writeHead(outcome.status, {
    ...outcome.headers,
    "access-control-allow-origin": req.headers.origin ?? "*",
    "access-control-expose-headers": "*",
  });
  const { body: bytes, cutAfter, stall } = outcome;
  if (req.method === "HEAD") return void res.end();
  if (cutAfter !== undefined) {
    // The real headers (Content-Length of the whole body), part of the body, then the connection drops.
    return void res.write(bytes.subarray(0, cutAfter), () => req.socket.destroy());
  }
  if (stall) {
    res.write(bytes.subarray(0, stall.afterBytes));
    try {
      await engine.env.clock.sleep(stall.ms, signal);
    } catch {
      return void req.socket.destroy();
    }
    return void res.end(bytes.subarray(stall.afterBytes));
  }
  res.end(bytes);
}
