/**
 * The fake clock's own promise (test/fake-clock.ts): time moves only when nothing else can happen. Here, what else
 * can happen is real WebCrypto work off the event loop, the kind SharinPix's JWT signing does before its first request
 * (a leak-scan case flaked on a loaded machine when the clock ran a 100 ms deadline out during the signing).
 */
import { afterEach, expect, it } from "vitest";
import { driveClock, restoreClock, useFakeClock } from "./fake-clock.ts";

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
