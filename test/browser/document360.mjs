// @importkit/document360 in a browser (bundled and run as test/browser/gitbook.mjs says): an export started and
// waited for, its zip read from the storage link the finished export names (`storage`, another origin: the token
// must never go there) with its SHA-256 taken on WebCrypto, saveTo refused before any request (no file system), an
// import started and waited for, and a 401 echoing the token as an AuthenticationError without it.
import { AuthenticationError, createDocument360Client, ImportkitError } from "@importkit/document360";
import { leaks } from "./leaks.mjs";

const hex = (buffer) => Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");

export async function run({ base, storage, document360Token, storageSignature, deniedExportId }) {
  const d360 = createDocument360Client({ apiToken: document360Token, baseUrl: `${base}/document360` });

  const started = await d360.exports.start({ entity: "Project", version_id: [] });
  const polled = [];
  const finished = await d360.exports.waitFor(started.id, { interval: 10, onProgress: (s) => polled.push(s.status) });
  const download = await d360.exports.download(finished);
  const bytes = await new Response(download.body).arrayBuffer();
  const noFiles = await d360.exports.download(finished).saveTo("project-export.zip").catch((e) => e);

  const imported = await d360.imports.start({ source_documentation_url: "https://files.example.com/exports/project.zip", import_by: "5a619a315481302d50b736d8", publish_article: true });
  const importPolled = [];
  const done = await d360.imports.waitFor(imported.id, { interval: 10, onProgress: (s) => importPolled.push(s.status) });

  const denied = await d360.exports.get(deniedExportId).catch((e) => e);
  return {
    export: { started: started.id, polled, final: finished.status },
    download: {
      bytes: bytes.byteLength,
      sha256: hex(await crypto.subtle.digest("SHA-256", bytes)),
      contentType: download.contentType,
      contentLength: download.contentLength,
      fromStorage: download.url.startsWith(`${storage}/`),
      showsSignature: download.url.includes(storageSignature),
    },
    saveTo: { isImportkitError: noFiles instanceof ImportkitError, message: noFiles.message, leaks: leaks(noFiles, document360Token) },
    import: { started: imported.id, polled: importPolled, final: done.status, articles: done.import_documentation_log?.articles },
    denied: { isAuthenticationError: denied instanceof AuthenticationError, status: denied.status, leaks: leaks(denied, document360Token) },
  };
}
