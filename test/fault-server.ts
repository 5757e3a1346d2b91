/**
 * A small local HTTP server for tests that Prism cannot serve: faults (resets, stalls, truncation, 429 storms),
 * binary and streamed bodies. Listens on 127.0.0.1 port 0; every request loop a test runs against it is bounded.
 *
 *   const server = await startFaultServer();
 *   server.queue({ status: 503 }, { status: 200, json: { ok: true } });   // one behaviour per request, in order
 *   server.fallback = { status: 200, json: {} };                           // once the queue is empty
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault =
  | {
      status: number;
      headers?: Record<string, string>;
      json?: unknown;
      body?: string | Uint8Array;
      /** Wait before answering, in ms. */
      delayMs?: number;
    }
  | { fault: "reset-before-headers" }
  | { fault: "reset-after-headers"; status?: number; headers?: Record<string, string>; partialBody?: string }
  /** Accept the request and never answer (a timeout). */
  | { fault: "no-headers" }
  /** Send headers and half the body, then stall forever. */
  | { fault: "stall-body"; status?: number; headers?: Record<string, string>; partialBody: string }
  /** Promise a Content-Length, send less, close. */
  | { fault: "truncated-body"; status?: number; headers?: Record<string, string>; partialBody: string; declaredLength: number }
  /** Anything: full control. */
  | { handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void> };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface FaultServer {
  url: string;
  requests: RecordedRequest[];
  queue(...faults: Fault[]): void;
  fallback: Fault;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const pending: Fault[] = [];
  const sockets = new Set<Socket>();
  const state = {
    fallback: { status: 404, json: { error: "no behaviour queued" } } as Fault,
  };
  const requests: RecordedRequest[] = [];

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString("utf8") });
    const fault = pending.shift() ?? state.fallback;
    await play(fault, req, res, body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...faults) => pending.push(...faults),
    get fallback() {
      return state.fallback;
    },
    set fallback(fault: Fault) {
      state.fallback = fault;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function play(fault: Fault, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  if ("handler" in fault) return fault.handler(req, res, body);
  if ("status" in fault && !("fault" in fault)) {
    if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    const payload = fault.json !== undefined ? JSON.stringify(fault.json) : fault.body;
    const headers: Record<string, string> = {
      ...(fault.json !== undefined ? { "content-type": "application/json" } : {}),
      ...fault.headers,
    };
    res.writeHead(fault.status, headers);
    res.end(payload);
    return;
  }
  switch (fault.fault) {
    case "reset-before-headers":
      req.socket.destroy();
      return;
    case "reset-after-headers":
      res.writeHead(fault.status ?? 200, { "content-type": "application/json", ...fault.headers });
      res.flushHeaders();
      if (fault.partialBody) res.write(fault.partialBody);
      setTimeout(() => req.socket.destroy(), 10);
      return;
    case "no-headers":
      return; // never answer; the socket is destroyed when the server closes
    case "stall-body":
      res.writeHead(fault.status ?? 200, { "content-type": "application/json", ...fault.headers });
      res.write(fault.partialBody);
      return;
    case "truncated-body":
      res.writeHead(fault.status ?? 200, {
        "content-type": "application/json",
        "content-length": String(fault.declaredLength),
        ...fault.headers,
      });
      res.write(fault.partialBody);
      setTimeout(() => req.socket.destroy(), 10);
      return;
  }
}
