// certainlyNotActed: the one rule for "the server cannot have acted on this request", shared by the retrying
// fetch (resending work-starting requests) and SharinPix's bulk import (resending an item).
import { describe, expect, it } from "vitest";
import { apiErrorClassFor, ConnectionError, InvalidResponseError, TimeoutError, ValidationError } from "@importkit/core";
import { certainlyNotActed } from "@importkit/core/internal";

const api = (status: number) => new (apiErrorClassFor(status))({ status, message: `answered ${status}` });

describe("certainlyNotActed", () => {
  it("is true only when the request never reached the server, or it answered 429 or 503", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EADDRNOTAVAIL", "ENETUNREACH", "EHOSTUNREACH"]) {
      expect(certainlyNotActed(new ConnectionError("failed", { code })), code).toBe(true);
    }
    expect(certainlyNotActed(api(429))).toBe(true);
    expect(certainlyNotActed(api(503))).toBe(true);
  });

  it("is false wherever the server may have acted or said no", () => {
    const cases = [
      new ConnectionError("reset", { code: "ECONNRESET" }),
      new ConnectionError("no code"),
      new TimeoutError("slow", { timeoutMs: 10 }),
      ...[400, 401, 404, 408, 409, 500, 502, 504].map(api),
      new InvalidResponseError("not JSON"),
      new ValidationError("bad input", "field"),
      new Error("anything else"),
      undefined,
    ];
    for (const error of cases) expect(certainlyNotActed(error), String(error)).toBe(false);
  });
});
