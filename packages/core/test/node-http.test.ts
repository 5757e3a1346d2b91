// nodeHttpFetch (saveTo's transport in Node) over real HTTP on loopback: what it must do as fetch does it, and
// that the retrying fetch uses it only when the client was given no fetch of its own.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { globalAgent, createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { AbortError, ConnectionError, NotFoundError, TimeoutError } from "@importkit/core";
import { createApiClient } from "@importkit/core/internal";
import { fileDownloadTransport, isNodeRuntime, nodeHttpFetch, saveDownload, saveStream } from "@importkit/core/node";
import { onFakeClock } from "../../../test/fake-clock.ts";
import { refusedUrl, startFaultServer, type FaultServer } from "../../../test/fault-server.ts";
import { TEST_TOKEN, testClient, testProvider } from "./test-api.ts";

let server: FaultServer;
let other: FaultServer; // another origin (another port), for cross-origin redirects
const dir = mkdtempSync(join(tmpdir(), "importkit-node-http-"));
beforeAll(async () => {
  [server, other] = await Promise.all([startFaultServer(), startFaultServer()]);
});
afterAll(async () => {
  await Promise.all([server.close(), other.close()]);
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  other.requests.length = 0;
});

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());
const codeOf = (error: unknown) => {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (typeof e.code === "string") return e.code;
  }
  return undefined;
};

describe("nodeHttpFetch", () => {
  it("is the saveTo transport in Node", () => {
    expect(isNodeRuntime()).toBe(true);
    expect(fileDownloadTransport()).toBe(nodeHttpFetch);
  });

  it("delivers every byte of a large body, with status and headers", async () => {
    const payload = randomBytes(6 * 1024 * 1024 + 3);
    server.queue({ status: 200, body: payload, headers: { "content-type": "application/zip", "x-request-id": "r-1" } });
    const response = await nodeHttpFetch(`${server.url}/file.zip?page=2`, { headers: { Accept: "application/zip" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("x-request-id")).toBe("r-1");
    expect(sha256(await bytesOf(response))).toBe(sha256(payload));
    expect(server.requests[0]).toMatchObject({ method: "GET", url: "/file.zip?page=2" });
    expect(server.requests[0]!.headers).toMatchObject({ accept: "application/zip", "accept-encoding": "gzip, deflate, br" });
  });

  it("reads ahead at most about a MiB: an unread body stops the server's writes", async () => {
    server.queue({ fault: "large-body", status: 200, bytes: 64 * 1024 * 1024 });
    const response = await nodeHttpFetch(`${server.url}/big`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const taken = server.requests[0]!.bytesSent!;
    // The read-ahead plus what the kernel's socket buffers hold; far from the 64 MiB offered.
    expect(taken).toBeLessThan(16 * 1024 * 1024);
    await response.body!.cancel();
  });

  it.each([
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ] as const)("decodes a %s body as fetch does", async (coding, encode) => {
    const text = "url,name\n".repeat(10_000);
    server.queue({ status: 200, body: encode(Buffer.from(text)), headers: { "content-type": "text/csv", "content-encoding": coding } });
    const response = await nodeHttpFetch(`${server.url}/results.csv`);
    expect(response.headers.get("content-encoding")).toBe(coding);
    expect(await response.text()).toBe(text);
  });

  it("a corrupt gzip body fails the read instead of hanging", async () => {
    server.queue({ status: 200, body: Buffer.from("not gzip at all"), headers: { "content-encoding": "gzip" } });
    const response = await nodeHttpFetch(`${server.url}/bad.gz`);
    expect(codeOf(await response.text().catch((e: unknown) => e))).toBe("Z_DATA_ERROR");
  });

  it("never follows a redirect itself (the pipeline does, by its policy): it answers the 3xx as it came", async () => {
    server.route("/loop", { status: 302, headers: { location: "/elsewhere" } });
    for (const redirect of ["follow", "manual", "error"] as const) {
      const response = await nodeHttpFetch(`${server.url}/loop`, { redirect, headers: { authorization: "Bearer x" } });
      expect([response.status, response.headers.get("location")]).toEqual([302, "/elsewhere"]);
    }
    expect(server.requests.map((r) => r.url)).toEqual(["/loop", "/loop", "/loop"]);
  });

  it("gives no body for HEAD and 204, as fetch does", async () => {
    server.queue({ status: 200, body: "", headers: { "content-length": "1234" } }, { status: 204 });
    expect((await nodeHttpFetch(`${server.url}/file`, { method: "HEAD" })).body).toBeNull();
    expect((await nodeHttpFetch(`${server.url}/nothing`)).body).toBeNull();
  });

  it("keeps Node's error codes: refused, reset before the answer, reset mid-body, a body cut short", async () => {
    expect(codeOf(await nodeHttpFetch(`${await refusedUrl()}/x`).catch((e: unknown) => e))).toBe("ECONNREFUSED");
    server.queue({ fault: "reset-before-headers" });
    expect(codeOf(await nodeHttpFetch(`${server.url}/x`).catch((e: unknown) => e))).toBe("ECONNRESET");
    server.queue({ fault: "reset-after-headers", partialBody: "half" });
    const reset = await nodeHttpFetch(`${server.url}/x`);
    expect(codeOf(await reset.text().catch((e: unknown) => e))).toBe("ECONNRESET");
    server.queue({ fault: "truncated-body", partialBody: "short", declaredLength: 1000 });
    const truncated = await nodeHttpFetch(`${server.url}/x`);
    expect(codeOf(await truncated.text().catch((e: unknown) => e))).toBe("ECONNRESET");
  });

  it("a gzip body reset midway fails the read too", async () => {
    const zipped = gzipSync(randomBytes(256 * 1024));
    server.queue({ fault: "reset-after-headers", headers: { "content-encoding": "gzip" }, partialBody: zipped.subarray(0, 1000).toString("latin1") });
    const response = await nodeHttpFetch(`${server.url}/x`);
    expect(await response.arrayBuffer().catch((e: unknown) => e)).toBeInstanceOf(Error);
  });

  it("aborts before the answer and while the body streams, with the signal's reason", async () => {
    // Aborted once the server has the request (it never answers): the abort always lands while waiting for headers.
    const early = new AbortController();
    server.queue({ handler: () => early.abort(new Error("stop waiting")) });
    await expect(nodeHttpFetch(`${server.url}/x`, { signal: early.signal })).rejects.toThrow("stop waiting");

    server.queue({ fault: "stall-body", partialBody: "part" });
    const late = new AbortController();
    const response = await nodeHttpFetch(`${server.url}/x`, { signal: late.signal });
    const reading = response.text();
    late.abort(new Error("enough"));
    await expect(reading).rejects.toThrow("enough");

    const already = AbortSignal.abort(new Error("before"));
    await expect(nodeHttpFetch(`${server.url}/x`, { signal: already })).rejects.toThrow("before");
  });

  it("refuses what it cannot send: another protocol, a stream body", async () => {
    await expect(nodeHttpFetch("ftp://127.0.0.1/file")).rejects.toThrow(/ftp: URLs are not supported/);
    await expect(nodeHttpFetch(server.url, { method: "POST", body: new ReadableStream(), duplex: "half" } as RequestInit)).rejects.toThrow(TypeError);
  });
});

describe("downloads over nodeHttpFetch, through a client", () => {
  const KEY = "sentinel-key-123";
  const keyed = (transport?: typeof fetch, options: Record<string, unknown> = {}) =>
    testClient(transport ?? fetch, { baseUrl: server.url, ...options }, {
      authorize: (request) => void (request.url += `${request.url.includes("?") ? "&" : "?"}_apikey=${KEY}`),
      secrets: [KEY],
      secretParams: ["_apikey"],
    });

  it("saveTo uses it only when the client has no fetch of its own", async () => {
    let injected = 0;
    const fetchOfTheClient: typeof fetch = (input, init) => {
      injected++;
      return fetch(input, init);
    };
    server.fallback = { status: 200, body: "file" };
    const viaTransport = createApiClient(testProvider(), { baseUrl: server.url });
    await viaTransport.download("getFile", { path: { name: "a" } }).saveTo(join(dir, "a1.bin"));
    expect(injected).toBe(0);
    expect(server.requests[0]!.headers["accept-encoding"]).toBe("gzip, deflate, br"); // node:http asks for these itself
    await keyed(fetchOfTheClient).download("getFile", { path: { name: "a" } }).saveTo(join(dir, "a2.bin"));
    expect(injected).toBe(1);
    server.fallback = { status: 404, json: { error: "no behaviour queued" } };
  });

  it("retries a 503 and a reset, then saves the file", async () => {
    const payload = randomBytes(300_000);
    server.queue({ status: 503, json: { message: "busy" }, headers: { "retry-after-ms": "10" } }, { fault: "reset-before-headers" }, { status: 200, body: payload });
    const saved = await keyed(nodeHttpFetch as typeof fetch, { maxRetries: 3 }).download("getFile", { path: { name: "f" } }).saveTo(join(dir, "retried.bin"));
    expect(saved.bytes).toBe(payload.length);
    expect(sha256(readFileSync(join(dir, "retried.bin")))).toBe(sha256(payload));
    expect(server.requests).toHaveLength(3);
  });

  it("types the failures and keeps the key out of them: idle timeout, reset, abort", async () => {
    server.queue({ fault: "stall-body", partialBody: "PK" });
    // The 100 ms idle timeout on the fake clock (over the counted global fetch): it cannot fire before the headers.
    const stalled = await onFakeClock(server, async () => {
      const onTheClock = keyed(undefined, { maxRetries: 0, timeout: 100 });
      return new Response((await onTheClock.download("getFile", { path: { name: "f" } })).body).text().catch((e: unknown) => e);
    });
    expect(stalled).toBeInstanceOf(TimeoutError);

    // A reset is an event, not a race: a timeout far longer than the loop can stall.
    const client = keyed(nodeHttpFetch as typeof fetch, { maxRetries: 0, timeout: 60_000 });
    server.queue({ fault: "reset-after-headers", partialBody: "PK" });
    const reset = await new Response((await client.download("getFile", { path: { name: "f" } })).body).text().catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(ConnectionError);
    expect((reset as ConnectionError).message).toContain("the connection was reset");

    server.queue({ fault: "stall-body", partialBody: "PK" });
    const controller = new AbortController();
    const patient = keyed(nodeHttpFetch as typeof fetch, { maxRetries: 0, timeout: 5_000 });
    const download = await patient.download("getFile", { path: { name: "f" } }, { signal: controller.signal });
    const reading = new Response(download.body).text().catch((e: unknown) => e);
    controller.abort();
    const aborted = await reading;
    expect(aborted).toBeInstanceOf(AbortError);

    for (const error of [stalled, reset, aborted] as Error[]) {
      expect(`${error.message}\n${error.stack}\n${JSON.stringify(error)}`).not.toContain(KEY);
    }
  });
});

describe("saveStream", () => {
  const chunks = (pieces: Uint8Array[]) =>
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = pieces.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });

  it("writes thousands of tiny chunks in order", async () => {
    const pieces = Array.from({ length: 5_000 }, (_, i) => new TextEncoder().encode(`${i},`));
    const expected = pieces.map((p) => new TextDecoder().decode(p)).join("");
    const saved = await saveStream(chunks(pieces), join(dir, "tiny.csv"));
    expect(readFileSync(join(dir, "tiny.csv"), "utf8")).toBe(expected);
    expect(saved.bytes).toBe(expected.length);
  });

  it("an onProgress that throws fails the save, and leaves no file", async () => {
    const error = await saveStream(chunks([new Uint8Array(10), new Uint8Array(10)]), join(dir, "progress.bin"), {
      onProgress: () => {
        throw new Error("progress bar broke");
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("progress bar broke");
    expect(() => readFileSync(join(dir, "progress.bin"))).toThrow(/ENOENT/);
  });

  it("an aborted save rejects with AbortError and cancels the stream", async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            if (!cancelled) controller.enqueue(new Uint8Array(1024));
            resolve();
          }, 5),
        ),
      cancel: () => void (cancelled = true),
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await saveStream(endless, join(dir, "endless.bin"), { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(cancelled).toBe(true);
    expect(() => readFileSync(join(dir, "endless.bin"))).toThrow(/ENOENT/);
  });
});

describe("nodeHttpFetch over TLS", () => {
  // A self-signed certificate for 127.0.0.1 (test/fixtures/tls/README.md), trusted only where a test says so.
  const tls = (name: string) => readFileSync(new URL(`../../../test/fixtures/tls/loopback.${name}.pem`, import.meta.url));
  let https: HttpsServer;
  let origin: string;
  const seen: Array<{ url: string; authorization: string | undefined }> = [];
  beforeAll(async () => {
    https = createHttpsServer({ key: tls("key"), cert: tls("cert") }, (req, res) => {
      seen.push({ url: req.url ?? "", authorization: req.headers.authorization });
      res.writeHead(200, { "content-type": "text/csv", "content-encoding": "gzip" });
      res.end(gzipSync("id,name\n1,secure\n"));
    });
    await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
    origin = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => https.close(() => resolve())));

  async function trusting<T>(run: () => Promise<T>): Promise<T> {
    const before = globalAgent.options.ca;
    globalAgent.options.ca = tls("cert");
    try {
      return await run();
    } finally {
      globalAgent.options.ca = before;
      globalAgent.destroy();
    }
  }

  it("downloads over https, and a download redirected from http to https (another origin) arrives without the credentials", async () => {
    seen.length = 0;
    const direct = await trusting(async () => (await nodeHttpFetch(`${origin}/results.csv`)).text());
    expect(direct).toBe("id,name\n1,secure\n");
    server.queue({ status: 302, headers: { location: `${origin}/moved.csv` } });
    const moved = await trusting(async () => {
      const download = await testClient(nodeHttpFetch as typeof fetch, { baseUrl: server.url }).download("getFile", { path: { name: "results.csv" } });
      return new Response(download.body).text();
    });
    expect(moved).toBe("id,name\n1,secure\n");
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${TEST_TOKEN}`);
    expect(seen).toEqual([
      { url: "/results.csv", authorization: undefined },
      { url: "/moved.csv", authorization: undefined },
    ]);
  });

  it("refuses a certificate nobody trusts, as fetch does, and the retrying fetch makes it a ConnectionError", async () => {
    const error = await nodeHttpFetch(`${origin}/results.csv`).catch((e: unknown) => e);
    expect(codeOf(error)).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    const viaFetch = await fetch(`${origin}/results.csv`).catch((e: unknown) => e);
    expect(codeOf(viaFetch)).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");

    const failure = await testClient(nodeHttpFetch as typeof fetch, { baseUrl: origin, maxRetries: 0 }).download("getFile", { path: { name: "results.csv" } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
  });
});

describe("saveDownload", () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  /** A body that sends `text`, then fails with `error` (a download cut midway), or ends when `error` is absent. */
  const body = (text: string, error?: Error) => {
    let pulls = 0;
    return new ReadableStream<Uint8Array>({
      // The text is read before the failure (erroring a stream drops what it still holds).
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(bytes(text));
        else if (error) controller.error(error);
        else controller.close();
      },
    });
  };
  const quick = { random: () => 1 }; // jitter at its largest cut: the shortest backoff (375 ms for the first retry)

  it("downloads again from the start after a body that failed midway, and says so", async () => {
    const bodies = [body("id,na", new ConnectionError("GET /f failed while reading the body: the connection was reset.")), body("id,name\n1,a\n")];
    let opened = 0;
    const warnings: string[] = [];
    const progress: number[] = [];
    const saved = await saveDownload(async () => bodies[opened++]!, join(dir, "again.csv"), {
      ...quick,
      logger: { warn: (message) => warnings.push(message) },
      onProgress: (p) => progress.push(p.bytes),
    });
    expect(saved.bytes).toBe(12);
    expect(readFileSync(join(dir, "again.csv"), "utf8")).toBe("id,name\n1,a\n");
    expect(opened).toBe(2);
    expect(progress).toEqual([5, 12]); // from 0 again on the second download
    expect(warnings).toEqual([expect.stringMatching(/connection was reset\. Downloading again from the start in \d+ ms \(retry 1\/2\)\.$/)]);
  });

  it("gives up after maxRetries with the last error and no file; a stall counts like a reset", async () => {
    let opened = 0;
    const stalled = () => body("x", new TimeoutError("GET /f: no data for 100 ms while reading the body.", { timeoutMs: 100 }));
    const error = await saveDownload(async () => (opened++, stalled()), join(dir, "never.csv"), { ...quick, maxRetries: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(opened).toBe(2);
    expect(() => readFileSync(join(dir, "never.csv"))).toThrow(/ENOENT/);
  });

  it("does not retry what open() threw (its fetch retried already), nor an error that is not midway", async () => {
    let opened = 0;
    const notFound = new NotFoundError({ status: 404, message: "no such file" });
    await expect(saveDownload(async () => (opened++, Promise.reject(notFound)), join(dir, "nf.csv"), quick)).rejects.toBe(notFound);
    expect(opened).toBe(1);
    const broken = new Error("disk full");
    await expect(saveDownload(async () => (opened++, body("x", broken)), join(dir, "full.csv"), quick)).rejects.toBe(broken);
    expect(opened).toBe(2);
  });

  it("stops waiting at once when the signal aborts during the backoff", async () => {
    const controller = new AbortController();
    let opened = 0;
    // The clock is fake: "at once" is no time at all. The abort comes when saveDownload announces its backoff.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const started = Date.now();
      const error = await saveDownload(async () => (opened++, body("x", new ConnectionError("reset"))), join(dir, "aborted.csv"), {
        signal: controller.signal,
        maxRetries: 5,
        random: () => 0, // the longest first backoff (500 ms)
        logger: { warn: () => controller.abort() },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(opened).toBe(1);
      expect(Date.now() - started).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
