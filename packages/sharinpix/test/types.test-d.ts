// Type tests: the three kinds of import as one discriminated union, and what the types refuse at compile time.
import { describe, expectTypeOf, it } from "vitest";
import {
  createSharinPixClient,
  ImportFailedError,
  WaitTimeoutError,
  type APIPromise,
  type BulkReport,
  type Import,
  type StartImportParams,
  type WithResponse,
} from "@importkit/sharinpix";

const sharinpix = createSharinPixClient({ secretUrl: "sharinpix://id:secret@api.sharinpix.com/api/v1" });
const album_id = "5005800000HEXCtAAP";

describe("@importkit/sharinpix types", () => {
  it("returns typed imports and reports", () => {
    expectTypeOf(sharinpix.imports.get("id")).resolves.toEqualTypeOf<Import>();
    expectTypeOf(sharinpix.imports.get("id")).toEqualTypeOf<APIPromise<Import>>();
    expectTypeOf(sharinpix.imports.get("id").withResponse()).resolves.toEqualTypeOf<WithResponse<Import>>();
    expectTypeOf(sharinpix.imports.start({ album_id, url: "https://x" })).toEqualTypeOf<APIPromise<Import>>();
    expectTypeOf(sharinpix.imports.waitFor("id")).resolves.toEqualTypeOf<Import>();
    expectTypeOf(sharinpix.imports.startAndWait({ album_id, url: "https://x" })).resolves.toEqualTypeOf<Import>();
    expectTypeOf(sharinpix.imports.bulk([])).resolves.toEqualTypeOf<BulkReport>();
    expectTypeOf<Import["image_id"]>().toEqualTypeOf<string | null>();
  });

  it("hands onProgress a typed import", () => {
    void sharinpix.imports.waitFor("id", {
      deadline: 60_000,
      interval: 500,
      maxInterval: 5_000,
      onProgress: (found, info) => {
        expectTypeOf(found).not.toBeAny();
        expectTypeOf(found).toEqualTypeOf<Import>();
        expectTypeOf(found.image_id).toEqualTypeOf<string | null>();
        expectTypeOf(info).toEqualTypeOf<{ polls: number; elapsedMs: number }>();
      },
    });
    void sharinpix.imports.startAndWait(
      { album_id, url: "https://x" },
      { encoding: "json", onProgress: (found) => expectTypeOf(found).toEqualTypeOf<Import>() },
    );
  });

  it("types what the wait errors carry, with the package's own re-exports", () => {
    const error: unknown = undefined;
    if (error instanceof WaitTimeoutError) {
      expectTypeOf(error.lastSeen).not.toBeAny();
      expectTypeOf(error.lastSeen).toEqualTypeOf<Import | undefined>();
      expectTypeOf(error.lastSeen?.image_id).toEqualTypeOf<string | null | undefined>();
      expectTypeOf(error.deadlineMs).toEqualTypeOf<number>();
    }
    if (error instanceof ImportFailedError) {
      expectTypeOf(error.resource).not.toBeAny();
      expectTypeOf(error.resource).toEqualTypeOf<Import | undefined>();
    }
  });

  it("refuses wrong wait options", () => {
    // @ts-expect-error: the overall limit is `deadline`, a number of ms
    void sharinpix.imports.waitFor("id", { deadline: "10m" });
    // @ts-expect-error: onProgress gets an Import, which has no `status`
    void sharinpix.imports.waitFor("id", { onProgress: (found) => found.status });
    // @ts-expect-error: the id is a string
    void sharinpix.imports.get(42);
    // @ts-expect-error: encoding is form or json, per call too
    void sharinpix.imports.start({ album_id, url: "https://x" }, { encoding: "xml" });
    // @ts-expect-error: `create` is now `start`, as on every client
    void sharinpix.imports.create({ album_id, url: "https://x" });
  });

  it("accepts each of the three kinds, with the wire's field names", () => {
    void sharinpix.imports.start({ album_id, url: "https://example.com/a.jpg", headers: { Authorization: "Bearer x" }, metadatas: { sp_title: "Roof" } });
    void sharinpix.imports.start({ album_id, import_type: "url", url: "https://example.com/a.jpg", tags: ["a"] });
    void sharinpix.imports.start({ album_id, import_type: "salesforce", attachment_id: "00P4I00000zyw3eUAA" });
    void sharinpix.imports.start({ album_id, import_type: "salesforce", content_document_id: "0694I000008HV8MQAW", filename: "a.jpg" });
  });

  it("refuses a kind without its id, or mixed kinds", () => {
    // @ts-expect-error: a URL import needs url
    void sharinpix.imports.start({ album_id });
    // @ts-expect-error: a Salesforce import needs attachment_id or content_document_id
    void sharinpix.imports.start({ album_id, import_type: "salesforce" });
    // @ts-expect-error: attachment_id and content_document_id are two different kinds
    void sharinpix.imports.start({ album_id, import_type: "salesforce", attachment_id: "a", content_document_id: "c" });
    // @ts-expect-error: a Salesforce import takes no url
    void sharinpix.imports.start({ album_id, import_type: "salesforce", content_document_id: "c", url: "https://x" });
    // @ts-expect-error: a content_document_id needs import_type "salesforce"
    void sharinpix.imports.start({ album_id, content_document_id: "c" });
    // @ts-expect-error: album_id is required
    void sharinpix.imports.start({ import_type: "salesforce", content_document_id: "c" });
    // @ts-expect-error: unknown import_type
    void sharinpix.imports.start({ album_id, import_type: "dropbox", url: "https://x" });
    // @ts-expect-error: header values are strings
    void sharinpix.imports.start({ album_id, url: "https://x", headers: { "X-Retries": 3 } });
  });

  it("narrows on the kind's own fields", () => {
    const params = {} as StartImportParams;
    if (params.import_type === "salesforce" && params.content_document_id !== undefined) {
      expectTypeOf(params.content_document_id).toEqualTypeOf<string>();
    }
    if (params.url !== undefined) expectTypeOf(params.import_type).toEqualTypeOf<"url" | null | undefined>();
  });

  it("takes arrays and async iterables in bulk, with typed options", () => {
    async function* rows(): AsyncGenerator<StartImportParams> {}
    void sharinpix.imports.bulk(rows(), { concurrency: 32, checkpoint: "bulk.checkpoint", wasImported: async () => undefined });
    // @ts-expect-error: concurrency is a number
    void sharinpix.imports.bulk([], { concurrency: "32" });
    // @ts-expect-error: wasImported answers a boolean or undefined
    void sharinpix.imports.bulk([], { wasImported: async () => "yes" });
  });

  it("takes either a secret URL or a ready token", () => {
    createSharinPixClient({ token: "a.b.c", host: "api.sharinpix.com" });
    createSharinPixClient({ secretUrl: "sharinpix://id:s@h/api/v1", abilities: { album: { Access: { image_upload: true } } }, tokenLifetime: 600 });
    // @ts-expect-error: one or the other
    createSharinPixClient({ token: "a.b.c", secretUrl: "sharinpix://id:s@h/api/v1" });
    // @ts-expect-error: abilities shape minted tokens only
    createSharinPixClient({ token: "a.b.c", abilities: {} });
    // @ts-expect-error: credentials are required
    createSharinPixClient({});
    // @ts-expect-error: encoding is form or json
    createSharinPixClient({ token: "a.b.c", encoding: "xml" });
  });
});
