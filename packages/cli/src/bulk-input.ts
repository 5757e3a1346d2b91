/**
 * The input of `importkit sharinpix bulk`: a CSV (header row) or NDJSON file, read whole and checked whole before
 * anything is sent — the columns, exactly one source per row, and every row against the spec's `createImport`
 * request schema (the generated operation table, as the client checks it at send time) — so a typo on row 9 000
 * stops the run before row 1 is imported, not halfway.
 *
 * Columns (CSV) / fields (NDJSON):
 *   url | attachment_id | content_document_id   exactly one: a URL import, or a Salesforce Attachment / ContentDocument
 *   album_id                                    default: --album
 *   filename                                    optional
 *   tags                                        optional; CSV: separated by `|`; NDJSON: an array of strings
 *   metadata.<name>                             optional, CSV; NDJSON: a `metadatas` object
 *   key                                         optional: the row's identity across runs (default: a hash of the row)
 * NDJSON lines may also carry `headers` (for SharinPix's fetch of `url`) and the other fields of the API.
 */
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import type { StartImportParams } from "@importkit/sharinpix";
import type { ValidationMode } from "@importkit/core";
import { validateCall, type FoundIssue } from "@importkit/core/internal";
import { UsageError } from "./exit.js";
import { operationTable } from "./operation-tables.js";

export interface BulkRow {
  /** 1-based line of the file the row starts on. */
  line: number;
  item: StartImportParams;
  key: string | undefined;
}

export interface BulkInput {
  rows: BulkRow[];
  /** Every album the rows name (for --mock). */
  albums: string[];
  /** Whether rows carry their own key (then every row must). */
  keyed: boolean;
}

const CSV_COLUMNS = ["url", "attachment_id", "content_document_id", "album_id", "filename", "tags", "key"];
const SOURCES = ["url", "attachment_id", "content_document_id"] as const;
const MAX_PROBLEMS_SHOWN = 20;

/**
 * Reads and checks the whole file. Rules the vendor documents (and, with `mode` strict, those the spec infers) refuse
 * the file; inferred rules a row breaks are passed to `warn` as they are found (the row is sent anyway).
 */
export async function readBulkInput(path: string, defaultAlbum: string | undefined, mode: ValidationMode = "documented", warn: (text: string) => void = () => {}): Promise<BulkInput> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const extension = extname(path).toLowerCase();
  const format = extension === ".csv" ? "csv" : extension === ".ndjson" || extension === ".jsonl" ? "ndjson" : undefined;
  if (!format) throw new UsageError(`${path}: expected a .csv, .ndjson or .jsonl file`);
  const problems: string[] = [];
  let warned = 0;
  const raw = format === "csv" ? await csvRows(text, path) : ndjsonRows(text, path, problems);

  const rows: BulkRow[] = [];
  const { createImport } = (await operationTable("sharinpix")) as Record<string, { validation: Parameters<typeof validateCall>[0] }>;
  for (const { line, fields } of raw) {
    const where = `${path} line ${line}`;
    const { key, ...wire } = fields as Record<string, unknown> & { key?: unknown };
    const item = { ...wire } as Record<string, unknown>;
    if (item.album_id === undefined && defaultAlbum !== undefined) item.album_id = defaultAlbum;
    const sources = SOURCES.filter((name) => item[name] !== undefined);
    if (sources.length !== 1) {
      problems.push(`${where}: give exactly one of url, attachment_id, content_document_id${sources.length ? ` (found ${sources.join(" and ")})` : ""}`);
      continue;
    }
    if (item.album_id === undefined) {
      problems.push(`${where}: no album_id, and no --album for rows without one`);
      continue;
    }
    if (sources[0] !== "url" && item.import_type === undefined) item.import_type = "salesforce";
    if (key !== undefined && (typeof key !== "string" || key.trim() === "")) {
      problems.push(`${where}: key must be a non-empty string`);
      continue;
    }
    // The spec's own check, the one the client makes before sending, in the same mode (messages name fields, never
    // values): what the vendor documents refuses the file; what the spec only infers is a warning, unless --validate strict.
    const check = validateCall(createImport!.validation, { body: item }, mode);
    if (check.warnings.length && warned++ < MAX_PROBLEMS_SHOWN) warn(`${where}: ${describe(check.warnings)} (inferred by the spec, sent anyway; --validate strict refuses it)`);
    if (check.refused.length) {
      problems.push(`${where}: ${describe(check.refused)}`);
      continue;
    }
    rows.push({ line, item: item as StartImportParams, key: key as string | undefined });
  }
  const keyed = rows.some((row) => row.key !== undefined);
  if (keyed) {
    for (const row of rows) if (row.key === undefined) problems.push(`${path} line ${row.line}: no key, while other rows have one (give every row a key, or none)`);
  }
  if (problems.length) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).join("\n  ");
    const more = problems.length > MAX_PROBLEMS_SHOWN ? `\n  … and ${problems.length - MAX_PROBLEMS_SHOWN} more` : "";
    throw new UsageError(`${path}: ${problems.length} problem${problems.length === 1 ? "" : "s"}, nothing was sent:\n  ${shown}${more}`);
  }
  if (rows.length === 0) throw new UsageError(`${path} holds no rows`);
  const albums = [...new Set(rows.map((row) => String(row.item.album_id)))];
  if (warned > MAX_PROBLEMS_SHOWN) warn(`${path}: … and ${warned - MAX_PROBLEMS_SHOWN} more rows that break inferred rules`);
  return { rows, albums, keyed };
}

function describe(issues: readonly FoundIssue[]): string {
  return issues.map((issue) => `${issue.path ? `${issue.path.replace(/^body\.?/, "") || "row"}: ` : ""}${issue.message}`).join("; ");
}

interface RawRow {
  line: number;
  fields: Record<string, unknown>;
}

async function csvRows(text: string, path: string): Promise<RawRow[]> {
  const { parse } = await import("csv-parse/sync");
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, info: true }) as typeof records;
  } catch (error) {
    // csv-parse names the line; the text it quotes is the user's own file.
    throw new UsageError(`${path}: not a valid CSV file: ${(error as Error).message}`);
  }
  const columns = Object.keys(records[0]?.record ?? {});
  const unknown = columns.filter((c) => !CSV_COLUMNS.includes(c) && !/^metadata\.[^.\s]+$/.test(c));
  if (unknown.length) {
    throw new UsageError(`${path}: unknown column${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")} (known: ${CSV_COLUMNS.join(", ")}, metadata.<name>)`);
  }
  return records.map(({ record, info }) => {
    const fields: Record<string, unknown> = {};
    const metadatas: Record<string, string> = {};
    for (const [column, value] of Object.entries(record)) {
      if (value === "") continue;
      if (column.startsWith("metadata.")) metadatas[column.slice("metadata.".length)] = value;
      else if (column === "tags") fields.tags = value.split("|").map((t) => t.trim()).filter(Boolean);
      else fields[column] = value;
    }
    if (Object.keys(metadatas).length) fields.metadatas = metadatas;
    // `info.lines` is the line the record ends on: a record spans one line unless a quoted cell holds a newline.
    return { line: info.lines, fields };
  });
}

function ndjsonRows(text: string, path: string, problems: string[]): RawRow[] {
  const rows: RawRow[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== "object" || Array.isArray(value)) problems.push(`${path} line ${index + 1}: not a JSON object`);
      else rows.push({ line: index + 1, fields: value as Record<string, unknown> });
    } catch {
      problems.push(`${path} line ${index + 1}: not valid JSON`);
    }
  });
  return rows;
}
