/**
 * The fake clock's own promise (test/fake-clock.ts): time moves only when nothing else can happen. Here, what else
 * can happen is real WebCrypto work off the event loop, the kind SharinPix's JWT signing does before its first request
 * (a leak-scan case flaked on a loaded machine when the clock ran a 100 ms deadline out during the signing).
 */
import { createServer, get } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { driveClock, onFakeClock, restoreClock, useFakeClock } from "./fake-clock.ts";

afterEach(() => restoreClock());

it("does not run a timer out while WebCrypto work is under way, however long that work takes", async () => {
  useFakeClock();
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("password"), "PBKDF2", false, ["deriveBits"]);
  // Real work off the event loop for many event-loop turns (hundreds of thousands of PBKDF2 rounds).
  const work = crypto.subtle
    .deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(16), iterations: 400_000 }, key, 256)
    .then(() => "the work finished first");
  const deadline = new Promise<string>((resolve) => setTimeout(() => resolve("the deadline ran out first"), 100));
  const first = await driveClock(Promise.race([work, deadline]), () => ({ sent: 0, arrived: 0, other: [] }));
  expect(first).toBe("the work finished first");
});

it("still moves time when nothing is under way", async () => {
  useFakeClock();
  const deadline = new Promise<string>((resolve) => setTimeout(() => resolve("the deadline ran out"), 60_000));
  expect(await driveClock(deadline, () => ({ sent: 0, arrived: 0, other: [] }))).toBe("the deadline ran out");
});

it("onFakeClock does not run a timer out while a node:http request (saveTo's transport) is on its way", async () => {
  // A server that records a request only after many event-loop turns, as a loaded machine delays its arrival.
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let turns = 0;
    const later = () => {
      if (++turns < 200) return void setImmediate(later);
      requests.push(req.url ?? "");
      res.end("ok");
    };
    later();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file`;
    const first = await onFakeClock({ requests }, () =>
      new Promise<string>((resolve) => {
        const timeout = setTimeout(() => resolve("the timeout ran out first"), 100);
        get(url, (res) => {
          res.resume();
          res.on("end", () => {
            clearTimeout(timeout);
            resolve("answered");
          });
        });
      }),
    );
    expect(first).toBe("answered");
    expect(requests).toEqual(["/file"]);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
