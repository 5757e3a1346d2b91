/**
 * `importkit document360 …`: export the project (or versions and languages) → wait → save the zip; import a zip that
 * Document360 downloads from a URL → wait → show the log; the status of either by id. All through
 * `@importkit/document360`.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Document360Client, ExportDocumentationStatusResponse, ImportDocumentationStatusResponse } from "@importkit/document360";
import { connectDocument360 } from "../connect.js";
import { UsageError } from "../exit.js";
import type { RunContext } from "../runner.js";
import type { Session } from "../session.js";
import { afterInterrupt, call, checkOut, savedResult, saveResult, waitSettings, type SavedResult, type WaitFlags } from "./shared.js";

const count = (n: number | undefined, one: string, many: string) => `${n ?? 0} ${n === 1 ? one : many}`;

const MESSAGE_TYPES = ["error", "warning", "info"] as const;

/** The import log as lines: what it added, then its messages (errors first). */
export function importLog(status: ImportDocumentationStatusResponse): string[] {
  const log = status.import_documentation_log;
  if (!log) return ["  (no log)"];
  const messages = [...(log.messages ?? [])].sort((a, b) => (a?.message_type ?? 3) - (b?.message_type ?? 3));
  return [
    `  added    ${count(log.new_versions, "version", "versions")}, ${count(log.categories, "category", "categories")}, ${count(log.articles, "article", "articles")}${log.languages ? `, ${log.languages} language(s)` : ""}`,
    ...messages.map((m) => `  ${(MESSAGE_TYPES[m?.message_type ?? 2] ?? "info").padEnd(8)} ${m?.message ?? ""}`),
  ];
}

export async function followExport(session: Session, client: Document360Client, id: string, options: WaitFlags, region: string): Promise<ExportDocumentationStatusResponse> {
  const view = await session.progress({ title: `export ${id}` });
  try {
    const done = await client.exports.waitFor(id, waitSettings<ExportDocumentationStatusResponse>(session, options, (s) => view.update(0, undefined, s.status ?? "?")));
    view.stop();
    return done;
  } catch (error) {
    view.stop();
    await afterInterrupt(session, options, `export ${id}`, `importkit document360 status export ${id} --wait${region}`);
    throw error;
  }
}

export async function followImport(session: Session, client: Document360Client, id: string, options: WaitFlags, region: string): Promise<ImportDocumentationStatusResponse> {
  const view = await session.progress({ title: `import ${id}` });
  try {
    const done = await client.imports.waitFor(id, waitSettings<ImportDocumentationStatusResponse>(session, options, (s) => view.update(0, undefined, s.status ?? "?")));
    view.stop();
    return done;
  } catch (error) {
    view.stop();
    await afterInterrupt(session, options, `import ${id}`, `importkit document360 status import ${id} --wait${region}`);
    throw error;
  }
}

/** The region option again, for the "follow it with" hints. */
function regionFlag(options: { region?: string }): string {
  return options.region === undefined ? "" : ` --region ${options.region}`;
}

export async function saveExport(session: Session, client: Document360Client, finished: ExportDocumentationStatusResponse & { id?: string }, out: string): Promise<SavedResult> {
  return saveResult(session, client.exports.download(finished, call(session)), out, "files");
}

export async function exportProject({ options, session }: RunContext): Promise<void> {
  checkOut(session, options.out);
  const versions = options.versions as string[] | undefined;
  const languages = options.languages as string[] | undefined;
  const { client } = await connectDocument360(session, options);
  // The whole project is `entity: Project` with no versions; anything narrower is `entity: Version` (the spec's examples).
  const narrowed = versions !== undefined || languages !== undefined;
  const started = await client.exports.start(
    {
      entity: (options.entity as string | undefined) ?? (narrowed ? "Version" : "Project"),
      version_id: versions ?? [],
      ...(languages ? { selected_languages: languages.map((code) => ({ code })) } : {}),
      ...(options.excludeMedia ? { exclude_media_files: true } : {}),
    },
    call(session),
  );
  const region = regionFlag(options);
  if (!options.wait && options.out === undefined) {
    session.result(started, `started export ${started.id} (${started.status ?? "?"})\nfollow it: importkit document360 status export ${started.id} --wait --out export.zip${region}`);
    return;
  }
  session.note(`started export ${started.id} (${started.status ?? "?"})`);
  const finished = await followExport(session, client, started.id, options, region);
  if (options.out === undefined) {
    session.result({ ...finished, id: started.id }, `export ${started.id} ${finished.status}\nsave it: importkit document360 status export ${started.id} --out export.zip${region}`);
    return;
  }
  session.note(`export ${started.id} ${finished.status}`);
  const saved = await saveExport(session, client, finished, options.out);
  savedResult(session, { export: { ...finished, id: started.id }, file: saved }, saved);
}

export async function importZip({ args, options, session }: RunContext): Promise<void> {
  const source = args[0] as string;
  const isUrl = /^https?:\/\//i.test(source);
  if (!isUrl && !options.mock) throw new UsageError(`${source} is not an http(s) URL: Document360 downloads the zip itself, so it must be reachable at a URL (a local file works only with --mock)`);
  const { client, twin } = await connectDocument360(session, options);
  let url = source;
  if (!isUrl && twin) {
    // --mock: the twin serves the local file at a URL of its own (it never fetches from the network).
    let bytes: Uint8Array;
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw new UsageError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    url = twin.seed.file(basename(source), bytes);
  }
  const importBy = (options.importBy as string | undefined) ?? twin?.credentials.userId;
  if (importBy === undefined) throw new UsageError("--import-by USER is required: the team account the import is done as");
  const started = await client.imports.start({ source_documentation_url: url, import_by: importBy, ...(options.publish ? { publish_article: true } : {}) }, call(session));
  const region = regionFlag(options);
  if (!options.wait) {
    session.result(started, `started import ${started.id} (${started.status ?? "?"})\nfollow it: importkit document360 status import ${started.id} --wait${region}`);
    return;
  }
  session.note(`started import ${started.id} (${started.status ?? "?"}) from ${url}`);
  const done = await followImport(session, client, started.id, options, region);
  session.result({ ...done, id: started.id }, [`import ${started.id} ${done.status}`, ...importLog(done)].join("\n"));
}

export async function status({ args, options, session }: RunContext): Promise<void> {
  checkOut(session, options.out);
  const [kind, id] = args as ["export" | "import", string];
  if (kind === "import" && options.out !== undefined) throw new UsageError("--out goes with an export (an import has no file)");
  const { client } = await connectDocument360(session, options);
  const region = regionFlag(options);
  if (kind === "import") {
    const current = options.wait ? await followImport(session, client, id, options, region) : await client.imports.get(id, call(session));
    session.result({ ...current, id }, [`import ${id}: ${current.status}`, ...importLog(current)].join("\n"));
    return;
  }
  const current = options.wait || options.out !== undefined ? await followExport(session, client, id, options, region) : await client.exports.get(id, call(session));
  if (options.out === undefined) {
    session.result({ ...current, id }, `export ${id}: ${current.status}${current.status === "Completed" ? `\nsave it: importkit document360 status export ${id} --out export.zip${region}` : ""}`);
    return;
  }
  const saved = await saveExport(session, client, current, options.out);
  savedResult(session, { export: { ...current, id }, file: saved }, saved);
}
