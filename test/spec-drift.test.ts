/**
 * `pnpm spec:drift` as a test: every difference between a curated spec and the vendor's own document is one
 * its known-differences.yaml explains, and every explanation still matches something. Then the check itself:
 * a temporary copy with one edit (ours or the vendor's) produces exactly that one unexplained difference.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
// @ts-expect-error: a plain .mjs script, without type declarations
import { drift, driftProviders } from "../scripts/spec-drift.mjs";

interface Difference {
  kind: string;
  id: string;
}
interface DriftResult {
  provider: string;
  vendor: string;
  differences: Difference[];
  explained: Difference[];
  unexplained: Difference[];
  stale: Array<{ id?: string; match?: string | string[]; reason: string }>;
}
const check = drift as (provider: string, options?: { spec?: string; vendorDocument?: unknown }) => DriftResult;

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "importkit-drift-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of our spec with one edit, written to the scratch directory. */
function editedSpec(provider: string, edit: (doc: any) => void): string {
  const doc = parse(readFileSync(join(root, "specs", provider, "openapi.yaml"), "utf8"));
  edit(doc);
  const path = join(scratch, `${provider}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, stringify(doc));
  return path;
}

describe("spec drift against the vendors' own documents", () => {
  it("covers GitBook (pinned @gitbook/api) and Document360 (committed swagger snapshot)", () => {
    expect(driftProviders()).toEqual(["document360", "gitbook"]);
  });

  it.each(["gitbook", "document360"])("%s: every difference is explained, and every explanation is used", (provider) => {
    const result = check(provider);
    console.log(`spec drift: ${provider} vs ${result.vendor}: ${result.differences.length} differences, all explained`);
    expect(result.unexplained.map((d) => d.id)).toEqual([]);
    expect(result.stale).toEqual([]);
    expect(result.differences.length).toBeGreaterThan(0);
  });

  it("`pnpm spec:drift` exits 0 and prints the classified differences", () => {
    const run = spawnSync(process.execPath, [join(root, "scripts", "spec-drift.mjs")], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("gitbook vs @gitbook/api@0.202.0 spec/openapi.json");
    expect(run.stdout).toMatch(/response-added \(\d+\)/);
    expect(run.stdout).toContain("spec drift: every difference is explained");
  });

  it("one edit to our spec (a tighter limit) is the one unexplained difference", () => {
    const spec = editedSpec("gitbook", (doc) => {
      doc.components.parameters.listLimit.schema.maximum = 500;
    });
    const result = check("gitbook", { spec });
    expect(result.unexplained.map((d) => d.id)).toEqual([
      "parameter-schema-changed GET /org/{organizationId}/imports: query limit /maximum: 1000 → 500",
    ]);
    expect(result.stale).toEqual([]);
  });

  it("one edit to the vendor's document (a new status code, a new operation) shows up unexplained", () => {
    const vendor = JSON.parse(readFileSync(join(root, "specs/document360/vendor/customer-api-v2.import-export.json"), "utf8"));
    vendor.paths["/v2/Project/Import/{importId}"].get.responses["409"] = { description: "Conflict" };
    vendor.paths["/v2/Project/Import/{importId}"].delete = { tags: ["Project"], summary: "Cancel an import", responses: { "200": { description: "OK" } } };
    const result = check("document360", { vendorDocument: vendor });
    expect(result.unexplained.map((d) => d.id).sort()).toEqual([
      "operation-missing DELETE /v2/Project/Import/{importId}",
      "response-missing GET /v2/Project/Import/{importId}: 409",
    ]);
  });

  it("a request schema made stricter than the vendor's is caught, and named by its pointer", () => {
    const spec = editedSpec("document360", (doc) => {
      doc.components.schemas.ImportDocumentationRequest.properties.publish_article.enum = [true];
    });
    const result = check("document360", { spec });
    expect(result.unexplained.map((d) => d.id)).toEqual(
      ["application/json", "application/json-patch+json", "text/json", "application/*+json"].map(
        (type) => `schema-changed POST /v2/Project/Import: request ${type} /properties/publish_article/enum: added ([true])`,
      ),
    );
  });

  it("an explained difference that disappears makes its explanation stale", () => {
    const spec = editedSpec("gitbook", (doc) => {
      delete doc.paths["/org/{organizationId}/imports/{importRunId}/cancel"].post.responses["201"];
    });
    const result = check("gitbook", { spec });
    expect(result.unexplained).toEqual([]);
    expect(result.stale.map((entry) => entry.id)).toEqual(["response-added POST /org/{organizationId}/imports/{importRunId}/cancel: 201"]);
  });
});
