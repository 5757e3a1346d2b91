// Contract tests: the real Document360 client against the real Prism server built from specs/document360/openapi.yaml.
// Bodies are the vendor's own examples (test/fixtures/requests) or the spec's named examples, picked with `Prefer`.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  createDocument360Client,
  ExportFailedError,
  ExportLimitError,
  ImportFailedError,
  InvalidRequestError,
  InvalidResponseError,
  NotFoundError,
  RateLimitError,
  ValidationError,
  WaitTimeoutError,
  type Document360ClientOptions,
  type ExportDocumentationRequest,
  type ImportDocumentationRequest,
} from "@importkit/document360";
import { contractFetch, mockUrl, type ContractFetch } from "../../../test/contract.ts";

const apiToken = "d360_contract_token";
const importId = "e39bf9be-67be-4658-b28d-45d5794b25b0";
const exportId = "69c2a0ee-bbac-4563-921c-08efef575b64";

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
const importBody = fixture<ImportDocumentationRequest>("requests/import.complete-from-zip-url.json");
const exportBodies = {
  completeProject: fixture<ExportDocumentationRequest>("requests/export.complete-project.json"),
  projectVersions: fixture<ExportDocumentationRequest>("requests/export.project-versions.json"),
  categories: fixture<ExportDocumentationRequest>("requests/export.categories.json"),
  languages: fixture<ExportDocumentationRequest>("requests/export.languages.json"),
};

function client(fetch: typeof globalThis.fetch, extra: Partial<Document360ClientOptions> = {}) {
  return createDocument360Client({ apiToken, baseUrl: mockUrl("document360"), fetch, ...extra });
}

/** The first error description of a vendor fixture: what the client's error message must carry. */
const descriptionOf = (name: string) => fixture<{ errors: Array<{ description: string }> }>(`responses/${name}`).errors[0]!.description;

/**
 * A fetch that answers each status poll with the next named example of a script (Prism's `Prefer: example=`),
 * one per poll, the last repeated; everything else goes through unchanged.
 */
function scripted(base: ContractFetch, script: { import?: string[]; export?: string[] }) {
  const polls = { import: [] as string[], export: [] as string[] };
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    const { pathname } = new URL(request.url);
    const kind = request.method !== "GET" ? undefined : pathname.startsWith("/v2/Project/Import/") ? "import" : pathname.startsWith("/v2/Project/Export/") ? "export" : undefined;
    const examples = kind ? script[kind] : undefined;
    if (!kind || !examples?.length) return base.fetch(request);
    const example = examples[Math.min(polls[kind].length, examples.length - 1)]!;
    polls[kind].push(example);
    const headers = new Headers(request.headers);
    headers.set("Prefer", `example=${example}`);
    return base.fetch(new Request(request, { headers }));
  };
  return { fetch, polls };
}

describe("imports.start", () => {
  const plain = contractFetch();
  const rejected = {
    invalidSourceUrl: contractFetch({ prefer: "code=400, example=invalidSourceUrl" }),
    notAuthorized: contractFetch({ prefer: "code=400, example=notAuthorized" }),
    importByNull: contractFetch({ prefer: "code=400, example=importByNull" }),
  };

  it("starts the vendor's example import and returns it queued", async () => {
    const started = await client(plain.fetch).imports.start(importBody);
    expect(started.id).toBe(importId);
    expect(started.status).toBe("Queued");
    expect(started.warnings).toEqual([]);
  });

  it.each([
    ["invalidSourceUrl", "import.400.invalid-source-url.json"],
    ["notAuthorized", "import.400.not-authorized.json"],
    ["importByNull", "import.400.import-by-null.json"],
  ] as const)("a 400 %s is an InvalidRequestError with the vendor's description", async (example, file) => {
    const error = (await client(rejected[example].fetch).imports.start(importBody).catch((e: unknown) => e)) as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("400");
    expect(error.operation).toBe("importDocumentation");
    expect(error.message).toContain(descriptionOf(file));
    expect(rejected[example].requests).toBe(1);
  });
});

describe("imports.get", () => {
  const vendorDefault = contractFetch();
  const invalidId = contractFetch({ prefer: "code=400, example=invalidImportId" });

  it("treats the vendor's Completed-with-success:false as completed and returns its errors as warnings", async () => {
    const lines: string[] = [];
    const status = await client(vendorDefault.fetch, { logger: { warn: (m) => lines.push(m) } }).imports.get(importId);
    expect(status.status).toBe("Completed");
    expect(status.success).toBe(false);
    expect(status.errors).toHaveLength(1);
    expect(status.warnings).toEqual([{ description: "Element 'ImportLog' not found.", warning_code: "" }]);
    expect(lines.some((l) => l.includes("getImportStatus") && l.includes("Element 'ImportLog' not found."))).toBe(true);
  });

  it.each([
    ["queued", "Queued"],
    ["inProgress", "InProgress"],
    ["completed", "Completed"],
    ["error", "Error"],
  ])("reads the %s example", async (example, expected) => {
    const seq = scripted(vendorDefault, { import: [example] });
    const status = await client(seq.fetch).imports.get(importId);
    expect(status.status).toBe(expected);
    expect(status.warnings).toEqual([]);
  });

  it("a 400 with success:true is still an InvalidRequestError: the status decides, not `success`", async () => {
    const error = (await client(invalidId.fetch).imports.get("no-such-import").catch((e: unknown) => e)) as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error.body as { success?: boolean }).success).toBe(true);
    expect(error.message).toContain(descriptionOf("import-status.400.invalid-import-id.json"));
    expect(error.operation).toBe("getImportStatus");
  });
});

describe("exports.start", () => {
  const plain = contractFetch();
  const rejected = {
    languageCodeRequired: contractFetch({ prefer: "code=400, example=languageCodeRequired" }),
    entityRequired: contractFetch({ prefer: "code=400, example=entityRequired" }),
  };
  const dailyLimit = contractFetch({ prefer: "code=400, example=dailyLimitReached" });

  it.each(Object.entries(exportBodies))("starts the vendor's %s export", async (_name, body) => {
    const started = await client(plain.fetch).exports.start(body);
    expect(started.id).toBe(exportId);
    expect(started.status).toBe("Initiated");
  });

  it.each([
    ["languageCodeRequired", "export.400.language-code-required.json"],
    ["entityRequired", "export.400.entity-required.json"],
  ] as const)("a 400 %s is an InvalidRequestError, not the daily cap", async (example, file) => {
    const error = (await client(rejected[example].fetch).exports.start(exportBodies.completeProject).catch((e: unknown) => e)) as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).not.toBeInstanceOf(ExportLimitError);
    expect(error.message).toContain(descriptionOf(file));
  });

  it("the daily cap (a 400) is an ExportLimitError, sent once and never retried", async () => {
    const error = (await client(dailyLimit.fetch, { maxRetries: 2 }).exports.start(exportBodies.completeProject).catch((e: unknown) => e)) as ExportLimitError;
    expect(error).toBeInstanceOf(ExportLimitError);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.name).toBe("ExportLimitError");
    expect(error.dailyLimit).toBe(2);
    expect(error.status).toBe(400);
    expect(error.operation).toBe("exportDocumentation");
    expect(error.message).toMatch(/daily export limit \(2 export requests a day\) is reached/);
    expect(error.message).toContain(descriptionOf("export.400.daily-limit-reached.json"));
    expect(dailyLimit.requests).toBe(1);
  });
});

describe("exports.get", () => {
  const plain = contractFetch();
  const invalid = contractFetch({ prefer: "code=400, example=invalidExportId" });
  const invalidNullFields = contractFetch({ prefer: "code=400, example=invalidExportIdWithNullFields" });

  it("returns the completed export with its download_url", async () => {
    const status = await client(plain.fetch).exports.get(exportId);
    expect(status.status).toBe("Completed");
    expect(status.download_url).toBe("https://document.com//exp/<document_name>.zip");
  });

  it.each([
    ["initiated", "Initiated"],
    ["inProgress", "InProgress"],
    ["error", "Error"],
  ])("reads the %s example", async (example, expected) => {
    const status = await client(scripted(plain, { export: [example] }).fetch).exports.get(exportId);
    expect(status.status).toBe(expected);
    expect(status.download_url).toBeNull();
  });

  it.each([
    ["invalidExportId", invalid],
    ["invalidExportIdWithNullFields", invalidNullFields],
  ] as const)("a 400 %s (success:true) is an InvalidRequestError", async (_name, fetch) => {
    const error = (await client(fetch.fetch).exports.get("no-such-export").catch((e: unknown) => e)) as InvalidRequestError;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toContain("Invalid export id");
    expect(error.operation).toBe("getExportStatus");
  });
});

describe("every documented error status becomes its typed error", () => {
  const cases = [
    [400, InvalidRequestError],
    [401, AuthenticationError],
    [403, AuthenticationError],
    [404, NotFoundError],
    [429, RateLimitError],
    [500, ApiError],
    [503, ApiError],
  ] as const;
  type Client = ReturnType<typeof client>;
  const calls = {
    importDocumentation: (c: Client) => c.imports.start(importBody),
    getImportStatus: (c: Client) => c.imports.get(importId),
    exportDocumentation: (c: Client) => c.exports.start(exportBodies.completeProject),
    getExportStatus: (c: Client) => c.exports.get(exportId),
  };
  const fetches = Object.fromEntries(cases.map(([status]) => [status, contractFetch({ prefer: `code=${status}` })]));

  for (const [operation, run] of Object.entries(calls)) {
    for (const [status, ErrorClass] of cases) {
      it(`${operation} → ${status} is ${ErrorClass.name}`, async () => {
        const error = (await run(client(fetches[status]!.fetch, { maxRetries: 0 })).catch((e: unknown) => e)) as ApiError;
        expect(error).toBeInstanceOf(ErrorClass);
        expect(error.status).toBe(status);
        expect(error.operation).toBe(operation);
        expect(error.code).toBe(String(status));
        expect(error.message).toMatch(new RegExp(`^${operation} \\(.+\\) failed with ${status}: \\S`));
        // The message is built from errors[].description, not a dump of the body.
        expect(error.message).not.toContain("extension_data");
      });
    }
  }

  it("a 429 carries the wait X-RateLimit-Reset asks for (seconds from now) and the headers", async () => {
    const error = (await calls.getImportStatus(client(fetches[429]!.fetch, { maxRetries: 0 })).catch((e: unknown) => e)) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(42_000);
    expect(error.headers["x-ratelimit-limit"]).toBe("60");
    expect(error.headers["x-ratelimit-remaining"]).toBe("0");
    expect(error.message).toContain("Rate limit has been exceeded.");
  });

  it("a 503 on a read is retried", async () => {
    const f503 = fetches[503]!;
    const before = f503.requests;
    await calls.getImportStatus(client(f503.fetch, { maxRetries: 1 })).catch(() => {});
    expect(f503.requests - before).toBe(2);
  });

  it("a 500 on a start is not resent (the import may have started), a 503 is (it cannot have)", async () => {
    const f500 = fetches[500]!;
    const f503 = fetches[503]!;
    let before = f500.requests;
    await calls.importDocumentation(client(f500.fetch, { maxRetries: 2 })).catch(() => {});
    await calls.exportDocumentation(client(f500.fetch, { maxRetries: 2 })).catch(() => {});
    expect(f500.requests - before).toBe(2);
    before = f503.requests;
    await calls.exportDocumentation(client(f503.fetch, { maxRetries: 1 })).catch(() => {});
    expect(f503.requests - before).toBe(2);
  });
});

describe("a body the spec forbids is refused before sending, naming the problem", () => {
  const guarded = contractFetch();

  it("an export_type outside 0/1", async () => {
    const error = await client(guarded.fetch)
      .exports.start({ ...exportBodies.completeProject, export_type: 2 } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toMatch(/export_type: must be one of 0, 1 \(got 2\)/);
    expect(guarded.requests).toBe(0);
  });

  it("the mock refuses the same body, so the client's check is not stricter than the spec", async () => {
    const response = await guarded.fetch(`${mockUrl("document360")}/v2/Project/Export`, {
      method: "POST",
      headers: { api_token: "t", "Content-Type": "application/json" },
      body: JSON.stringify({ ...exportBodies.completeProject, export_type: 2 }),
    });
    expect(response.status).toBe(400);
    expect(guarded.takeViolations()).toHaveLength(1);
  });
});

describe("waitFor", () => {
  const base = contractFetch();

  it("follows an import from Queued to Completed, reporting each poll", async () => {
    const seq = scripted(base, { import: ["queued", "inProgress", "inProgress", "completed"] });
    const progress: string[] = [];
    // onProgress is typed: `s` is the import's status response (its `status` may be null on the wire).
    const done = await client(seq.fetch).imports.waitFor(importId, { interval: 5, onProgress: (s) => progress.push(s.status ?? "(none)") });
    expect(done.status).toBe("Completed");
    expect(done.import_documentation_log?.articles).toBe(102);
    expect(progress).toEqual(["Queued", "InProgress", "InProgress", "Completed"]);
  });

  it("ends on the vendor's Completed-with-success:false, with its errors as warnings", async () => {
    const seq = scripted(base, { import: ["inProgress", "completedLogMissing"] });
    const done = await client(seq.fetch).imports.waitFor(importId, { interval: 5 });
    expect(done.status).toBe("Completed");
    expect(done.warnings?.map((w) => w.description)).toEqual(["Element 'ImportLog' not found."]);
  });

  it("throws ImportFailedError with the log's messages when the import ends in Error", async () => {
    const seq = scripted(base, { import: ["queued", "error"] });
    const error = await client(seq.fetch).imports.waitFor(importId, { interval: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFailedError);
    if (!(error instanceof ImportFailedError)) return;
    expect(error.status).toBe("Error");
    expect(error.reason).toBe("The zip file is not a valid Document360 project export.");
    // The one poller in core words every provider's failure "<label> ended <status>: <reason>" (was "ended in Error").
    expect(error.message).toBe(`Document360 import ${importId} ended Error: The zip file is not a valid Document360 project export.`);
    // Typed as the import's status by the package's own ImportFailedError: no cast.
    expect(error.resource?.status).toBe("Error");
    expect(seq.polls.import).toEqual(["queued", "error"]);
  });

  it("follows an export from Initiated to Completed", async () => {
    const seq = scripted(base, { export: ["initiated", "inProgress", "completed"] });
    const done = await client(seq.fetch).exports.waitFor(exportId, { interval: 5 });
    expect(done.status).toBe("Completed");
    expect(done.download_url).toBeTruthy();
    expect(seq.polls.export).toHaveLength(3);
  });

  // Export failures were ImportFailedError before issue 11; they are ExportFailedError now (both WorkFailedError).
  it("throws ExportFailedError when the export ends in Error", async () => {
    const seq = scripted(base, { export: ["inProgress", "error"] });
    const error = await client(seq.fetch).exports.waitFor(exportId, { interval: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportFailedError);
    expect(error).not.toBeInstanceOf(ImportFailedError);
    if (!(error instanceof ExportFailedError)) return;
    expect(error.message).toMatch(new RegExp(`^Document360 export ${exportId} ended Error`));
    expect(error.resource?.status).toBe("Error");
  });

  it("gives up after its overall deadline with the last status seen", async () => {
    const seq = scripted(base, { export: ["inProgress"] });
    const error = await client(seq.fetch).exports.waitFor(exportId, { interval: 10, deadline: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    if (!(error instanceof WaitTimeoutError)) return;
    expect(error.deadlineMs).toBe(150);
    expect(error.lastSeen?.status).toBe("InProgress");
  });
});

describe("exports.download refuses what cannot be downloaded, before fetching it", () => {
  const base = contractFetch();

  it("the vendor's placeholder download_url is not a URL: InvalidResponseError, nothing fetched", async () => {
    const error = (await client(base.fetch).exports.download(exportId).catch((e: unknown) => e)) as InvalidResponseError;
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toContain("download_url that is not a valid http(s) URL");
    expect(error.message).toContain("<document_name>");
    expect(base.requests).toBe(1);
  });

  it("an export still running is a ValidationError naming its status", async () => {
    const error = await client(scripted(base, { export: ["inProgress"] }).fetch).exports.download(exportId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/"InProgress", not "Completed"/);
  });

  it("a failed export is an ExportFailedError (was ImportFailedError before issue 11)", async () => {
    const error = await client(scripted(base, { export: ["error"] }).fetch).exports.download(exportId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportFailedError);
  });
});
