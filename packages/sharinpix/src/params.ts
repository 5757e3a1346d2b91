/**
 * The three kinds of import as one discriminated union, for the types of `imports.start` (the checks are the spec's,
 * run by core before anything is sent).
 */
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
