// A bulk import in a process of its own, for the checkpoint tests that need two processes or a killed one
// (packages/sharinpix/test/bulk.test.ts). Run with: node --conditions=importkit-source --import tsx bulk-run.ts
// Reads BULK_RUN (JSON: baseUrl, checkpoint, count, concurrency); prints one JSON line: the report, or the error.
import { createSharinPixClient, type ContentDocumentImportParams } from "../src/index.ts";

const { baseUrl, checkpoint, count, concurrency } = JSON.parse(process.env.BULK_RUN ?? "{}") as {
  baseUrl: string;
  checkpoint: string;
  count: number;
  concurrency: number;
};
const documentId = (i: number) => `0694I${String(i).padStart(13, "0")}`;
const items: ContentDocumentImportParams[] = Array.from({ length: count }, (_, i) => ({
  album_id: "5005800000HEXCtAAP",
  import_type: "salesforce",
  content_document_id: documentId(i),
  filename: `Image${i}.jpg`,
  metadatas: { contentDocumentId: documentId(i) },
}));
const client = createSharinPixClient({ secretUrl: "sharinpix://3800be29-b5d3-4064-ad70-df9d3bccb84f:bulk-test-secret@api.sharinpix.com/api/v1", baseUrl });
try {
  const report = await client.imports.bulk(items, { checkpoint, concurrency });
  process.stdout.write(`${JSON.stringify({ imported: report.imported.length, skipped: report.skipped, failed: report.failed.length, uncertain: report.uncertain.length })}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: { name: (error as Error).name, message: (error as Error).message } })}\n`);
}
