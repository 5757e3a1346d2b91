/**
 * The three kinds of import as one discriminated union, and the checks that refuse a request that could
 * never succeed before it is sent.
 */
import { ValidationError, type ValidationIssue } from "@importkit/core";
import type { components } from "./generated/schema.js";

type Schemas = components["schemas"];

/** From a URL that SharinPix fetches, optionally with `headers` (e.g. `Authorization`) for that fetch. */
export type UrlImportParams = Schemas["UrlImportCreateRequest"] & { attachment_id?: never; content_document_id?: never };
/** From a Salesforce Attachment (`import_type: "salesforce"` + `attachment_id`). */
export type AttachmentImportParams = Schemas["AttachmentImportCreateRequest"] & { url?: never; headers?: never; content_document_id?: never };
/** From a Salesforce ContentDocument (`import_type: "salesforce"` + `content_document_id`). */
export type ContentDocumentImportParams = Schemas["ContentDocumentImportCreateRequest"] & { url?: never; headers?: never; attachment_id?: never };
/**
 * What `imports.start` takes: exactly one kind, told apart by `import_type` and which id it carries. The
 * fields are the wire's own (`album_id`, `content_document_id`, …).
 */
export type StartImportParams = UrlImportParams | AttachmentImportParams | ContentDocumentImportParams;
/** The bulk runner's name for it (until the runner moves to core). */
export type CreateImportParams = StartImportParams;

export type ImportKind = "url" | "attachment" | "contentDocument";

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Checks an import request and says which kind it is. Messages name the field and never repeat a value:
 * a URL or a header may carry credentials.
 */
export function checkCreateParams(params: unknown): ImportKind {
  if (!isPlainObject(params)) throw new ValidationError("an import request (an object) is required", "params");
  const issues: ValidationIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });

  if (!nonEmpty(params.album_id)) issue("album_id", "the album id is required (a non-empty string)");
  if (params.filename !== undefined && typeof params.filename !== "string") issue("filename", "must be a string");
  for (const field of ["metadatas", "metadata"] as const) {
    if (params[field] !== undefined && !isPlainObject(params[field])) issue(field, "must be an object of metadata");
  }
  if (params.tags !== undefined && !(Array.isArray(params.tags) && params.tags.every((t) => typeof t === "string"))) {
    issue("tags", "must be an array of strings");
  }

  const kind = kindOf(params, issue);
  if (kind === "url") {
    if (!nonEmpty(params.url)) issue("url", 'a URL import needs `url` (or use import_type "salesforce" with attachment_id or content_document_id)');
    else if (!isHttpUrl(params.url)) issue("url", "must be an absolute http(s) URL");
    if (params.headers !== undefined) {
      if (!isPlainObject(params.headers)) issue("headers", "must be an object of header names to string values");
      else for (const [name, value] of Object.entries(params.headers)) if (typeof value !== "string") issue(`headers.${name}`, "must be a string");
    }
  }
  if (issues.length) throw new ValidationError(issues);
  return kind ?? "url";
}

function kindOf(params: Record<string, unknown>, issue: (path: string, message: string) => void): ImportKind | undefined {
  const type = params.import_type;
  const hasAttachment = params.attachment_id !== undefined;
  const hasDocument = params.content_document_id !== undefined;
  if (type === "salesforce") {
    if (params.url !== undefined || params.headers !== undefined) issue("url", 'a Salesforce import takes no `url` or `headers` (omit import_type for a URL import)');
    if (hasAttachment && hasDocument) {
      issue("attachment_id", "give attachment_id or content_document_id, not both");
      return undefined;
    }
    if (hasDocument) {
      if (!nonEmpty(params.content_document_id)) issue("content_document_id", "must be a non-empty Salesforce ContentDocument id");
      return "contentDocument";
    }
    if (hasAttachment) {
      if (!nonEmpty(params.attachment_id)) issue("attachment_id", "must be a non-empty Salesforce Attachment id");
      return "attachment";
    }
    issue("content_document_id", 'a Salesforce import needs content_document_id (Salesforce Files) or attachment_id');
    return undefined;
  }
  // null is what the API stores (and echoes) for a URL import that omits import_type.
  if (type !== undefined && type !== null && type !== "url") {
    issue("import_type", 'must be "salesforce" (with attachment_id or content_document_id), "url", or left out for a URL import');
    return undefined;
  }
  if (hasAttachment || hasDocument) {
    issue("import_type", 'must be "salesforce" when attachment_id or content_document_id is given');
    return undefined;
  }
  return "url";
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
