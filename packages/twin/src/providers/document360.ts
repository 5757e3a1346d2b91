/**
 * Document360 (Customer API v2, import and export). The twin holds one project: versions, languages, categories and
 * articles. An export goes `Initiated` → `InProgress` → `Completed` and its zip (built from the project, filtered as
 * asked) downloads from the twin's own origin; at most 2 exports a day, the third a documented 400. An import goes
 * `Queued` → `InProgress` (the twin fetches the zip: from itself, or from a URL the test registered with
 * `seed.file`, never from the network) → `Completed` with a log of what it added, or `Error` with the reason.
 */
import { document } from "../generated/document360.js";
import { catchUp, newProgress, type Env, type Progress, type ProviderModule, type RateLimitPolicy } from "../engine.js";
import { text, unzip, utf8, zip } from "../files.js";
import { file, json, type TwinResponse } from "../http.js";
import { Spec } from "../spec.js";
import { documentedBody, headerExample, iso, statusText } from "./shared.js";

const spec = new Spec(document);

export interface Document360Credentials {
  /** Sent as the `api_token` header. */
  apiToken: string;
  /** A team account allowed to import: the `import_by` of an import. */
  userId: string;
}

export interface Document360Seeded {
  versions: { id: string; slug: string; languages: string[] }[];
  /** Language codes of the workspace (an imported language must be one of them). */
  languages: string[];
}

export interface Document360SeedApi {
  /**
   * Registers a zip (or any file) the twin may fetch as an import's `source_documentation_url`. A path (`docs.zip`)
   * is served by the twin itself at `<origin>/files/<path>`; an absolute URL is only known to the twin's own fetch.
   * Returns the URL to use.
   */
  file(pathOrUrl: string, bytes: Uint8Array | string): string;
  /** Adds a team account allowed to import. Returns its id. */
  user(id?: string): string;
  /** Adds a language to the workspace. */
  language(code: string): void;
}

interface Article {
  id: string;
  versionId: string;
  language: string;
  categoryId: string;
  categoryName: string;
  title: string;
  slug: string;
  content: string;
  modifiedAt: string;
}
interface Version {
  id: string;
  number: number;
  slug: string;
  languages: string[];
}
interface LogMessage {
  message_type: 0 | 1 | 2;
  message: string;
  cancel_operation: boolean;
}
interface ImportJob {
  id: string;
  url: string;
  publish: boolean;
  status: "Queued" | "InProgress" | "Completed" | "Error";
  progress: Progress;
  failWith?: string;
  parsed?: { versions: Version[]; articles: Article[]; skipped: string[] };
  log?: { new_versions: number; categories: number; articles: number; languages: string; messages: LogMessage[] };
}
interface ExportJob {
  id: string;
  status: "Initiated" | "InProgress" | "Completed" | "Error";
  progress: Progress;
  request: { entity: string; version_id?: string[] | null; selected_languages?: { code?: string | null; version_id?: string | null }[] | null; exclude_media_files?: boolean };
  failWith?: string;
  zip?: Uint8Array;
}
interface State {
  versions: Version[];
  languages: Set<string>;
  articles: Article[];
  users: Set<string>;
  files: Map<string, Uint8Array>;
  imports: Map<string, ImportJob>;
  exports: Map<string, ExportJob>;
  /** UTC day (YYYY-MM-DD of twin time) → exports started. */
  exportsPerDay: Map<string, number>;
  failNext: string[];
}

/** Documented: "Export API request limit(2) is reached for the day." */
const DAILY_EXPORT_LIMIT = 2;
const DEFAULT_REASON = "The zip file is not a valid Document360 project export.";
// 1x1 transparent PNG: the media file of an export that keeps media.
const PIXEL_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

function envelope(status: number, message: string) {
  return {
    extension_data: null,
    success: false,
    errors: [{ extension_data: null, stack_trace: null, description: message, error_code: String(status), custom_data: null }],
    warnings: [],
    information: [],
  };
}

/** The documented body (a named example, e.g. `dailyLimitReached`, when given), with `message` as its error. */
function error(operationId: string | undefined, status: number, message?: string, example?: string): TwinResponse {
  const documented = documentedBody(spec, operationId, status, example) as { errors?: { description?: string }[] } | undefined;
  const body = documented?.errors?.length ? documented : envelope(status, message ?? statusText(status));
  if (message !== undefined) body.errors![0]!.description = message;
  return json(status, body);
}

const ok = (fields: Record<string, unknown>) => ({ ...fields, extension_data: null, success: true, errors: [], warnings: [], information: [] });

function exportZip(state: State, job: ExportJob, at: number): Uint8Array {
  const { entity, version_id, selected_languages, exclude_media_files } = job.request;
  const versions = entity === "Version" && version_id?.length ? state.versions.filter((v) => version_id.includes(v.id)) : state.versions;
  const languagesOf = (v: Version) => {
    const chosen = (selected_languages ?? []).filter((l) => !l.version_id || l.version_id === v.id).map((l) => l.code!);
    return chosen.length ? v.languages.filter((l) => chosen.includes(l)) : v.languages;
  };
  const entries: Record<string, Uint8Array | string> = {};
  const pretty = (value: unknown) => JSON.stringify(value, null, 2) + "\n";
  let categories = 0;
  let articles = 0;
  for (const version of versions) {
    for (const language of languagesOf(version)) {
      const here = state.articles.filter((a) => a.versionId === version.id && a.language === language);
      const byCategory = new Map<string, Article[]>();
      for (const a of here) byCategory.set(a.categoryId, [...(byCategory.get(a.categoryId) ?? []), a]);
      entries[`${version.slug}/${language}/categories.json`] = pretty(
        [...byCategory.entries()].map(([id, list]) => ({ id, name: list[0]!.categoryName, articles: list.map((a) => a.id) })),
      );
      for (const a of here) {
        entries[`${version.slug}/${language}/articles/${a.slug}.json`] = pretty({ id: a.id, title: a.title, slug: a.slug, category_id: a.categoryId, modified_at: a.modifiedAt });
        entries[`${version.slug}/${language}/articles/${a.slug}.md`] = a.content;
      }
      categories += byCategory.size;
      articles += here.length;
    }
  }
  if (!exclude_media_files) entries["media/images/logo.png"] = PIXEL_PNG;
  const project = {
    exported_by: "importkit twin (illustrative layout: Document360 does not document its export format)",
    export_type: 0,
    exclude_media_files: Boolean(exclude_media_files),
    project_versions: versions.map((v) => ({ id: v.id, version_number: v.number, slug: v.slug, languages: languagesOf(v) })),
    counts: { versions: versions.length, categories, articles },
  };
  return zip({ "project.json": pretty(project), ...entries }, new Date(at));
}

/** What a zip holds, as the twin's exports lay it out; a string says why it is not a project export. */
function parseExport(bytes: Uint8Array, workspaceLanguages: Set<string>): ImportJob["parsed"] | string {
  const entries = unzip(bytes);
  const manifest = entries?.["project.json"];
  if (!entries || !manifest) return DEFAULT_REASON;
  let project: { project_versions?: { id: string; version_number?: number; slug: string; languages: string[] }[] };
  try {
    project = JSON.parse(text(manifest));
  } catch {
    return DEFAULT_REASON;
  }
  const versions: Version[] = [];
  const articles: Article[] = [];
  const skipped: string[] = [];
  for (const [i, v] of (project.project_versions ?? []).entries()) {
    const languages = v.languages.filter((l) => workspaceLanguages.has(l));
    skipped.push(...v.languages.filter((l) => !workspaceLanguages.has(l)));
    versions.push({ id: v.id, number: v.version_number ?? i + 1, slug: v.slug, languages });
    for (const language of languages) {
      const listing = entries[`${v.slug}/${language}/categories.json`];
      const categories = listing ? (JSON.parse(text(listing)) as { id: string; name: string; articles: string[] }[]) : [];
      for (const category of categories) {
        for (const [name, data] of Object.entries(entries)) {
          if (!name.startsWith(`${v.slug}/${language}/articles/`) || !name.endsWith(".json")) continue;
          const meta = JSON.parse(text(data)) as { id: string; title: string; slug: string; category_id: string; modified_at: string };
          if (meta.category_id !== category.id) continue;
          const content = entries[name.replace(/\.json$/, ".md")];
          articles.push({
            id: meta.id,
            versionId: v.id,
            language,
            categoryId: category.id,
            categoryName: category.name,
            title: meta.title,
            slug: meta.slug,
            content: content ? text(content) : "",
            modifiedAt: meta.modified_at,
          });
        }
      }
    }
  }
  return { versions, articles, skipped: [...new Set(skipped)] };
}

function fetchSource(state: State, env: Env, url: string): Uint8Array | undefined {
  const registered = state.files.get(url);
  if (registered) return registered;
  const own = new URL(url, env.origin);
  const exported = own.origin === env.origin ? /^\/exports\/([^/]+)\.zip$/.exec(own.pathname) : null;
  return exported ? state.exports.get(decodeURIComponent(exported[1]!))?.zip : undefined;
}

function stepImport(state: State, env: Env, job: ImportJob, at: number): void {
  const fail = (message: string) => {
    job.status = "Error";
    job.log = { new_versions: 0, categories: 0, articles: 0, languages: "0", messages: [{ message_type: 0, message, cancel_operation: true }] };
  };
  if (job.failWith !== undefined) return fail(job.failWith);
  if (job.status === "Queued") {
    const bytes = fetchSource(state, env, job.url);
    if (!bytes) return fail(`The source documentation could not be downloaded from ${job.url} (the twin fetches only its own files and the URLs a test registers with seed.file).`);
    let parsed: ImportJob["parsed"] | string;
    try {
      parsed = parseExport(bytes, state.languages);
    } catch {
      parsed = DEFAULT_REASON;
    }
    if (typeof parsed !== "object") return fail(parsed ?? DEFAULT_REASON);
    job.parsed = parsed;
    job.status = "InProgress";
    job.log = { new_versions: 0, categories: 0, articles: 0, languages: "0", messages: skippedMessages(parsed.skipped) };
    return;
  }
  const parsed = job.parsed!;
  let newVersions = 0;
  for (const version of parsed.versions) {
    const known = state.versions.find((v) => v.id === version.id);
    if (!known) {
      state.versions.push({ ...version });
      newVersions++;
    } else for (const l of version.languages) if (!known.languages.includes(l)) known.languages.push(l);
  }
  for (const article of parsed.articles) {
    const at_ = state.articles.findIndex((a) => a.id === article.id && a.versionId === article.versionId && a.language === article.language);
    const imported = { ...article, modifiedAt: iso(at) };
    if (at_ >= 0) state.articles[at_] = imported;
    else state.articles.push(imported);
  }
  job.status = "Completed";
  job.log = {
    new_versions: newVersions,
    categories: new Set(parsed.articles.map((a) => `${a.versionId}/${a.language}/${a.categoryId}`)).size,
    articles: parsed.articles.length,
    languages: String(new Set(parsed.articles.map((a) => a.language)).size),
    messages: [...skippedMessages(parsed.skipped), { message_type: 2, message: "Import completed.", cancel_operation: false }],
  };
}

function skippedMessages(languages: string[]): LogMessage[] {
  return languages.map((l) => ({ message_type: 1, message: `Language '${l}' does not exist in the destination workspace; its articles were skipped.`, cancel_operation: false }));
}

function stepExport(state: State, job: ExportJob, at: number): void {
  if (job.failWith !== undefined) {
    job.status = "Error";
    return;
  }
  if (job.status === "Initiated") job.status = "InProgress";
  else {
    job.zip = exportZip(state, job, at);
    job.status = "Completed";
  }
}

const importFinal = (job: ImportJob) => job.status === "Completed" || job.status === "Error";
const exportFinal = (job: ExportJob) => job.status === "Completed" || job.status === "Error";

function seedProject(state: State, env: Env): void {
  const at = iso(env.clock.now());
  state.versions.push({ id: "695782c0-a0a3-4664-9bfd-0197d26379ee", number: 1, slug: "v1", languages: ["en", "fr"] }, { id: env.ids.uuid(), number: 2, slug: "v2", languages: ["en"] });
  const content: [string, string, string, string, string][] = [
    ["v1", "en", "Getting started", "Welcome", "# Welcome\n\nThis knowledge base was seeded by the importkit twin.\n"],
    ["v1", "en", "Getting started", "Installation", "# Installation\n\nRun `pnpm add @importkit/document360`.\n"],
    ["v1", "en", "Guides", "Importing content", "# Importing content\n\nStart an import from a zip URL, then poll it.\n"],
    ["v1", "fr", "Prise en main", "Bienvenue", "# Bienvenue\n\nCette base de connaissances a été créée par le jumeau d'importkit.\n"],
    ["v2", "en", "Getting started", "Welcome", "# Welcome to v2\n\nThe second version of the project.\n"],
  ];
  const categoryIds = new Map<string, string>();
  for (const [slug, language, category, title, body] of content) {
    const version = state.versions.find((v) => v.slug === slug)!;
    const key = `${slug}/${language}/${category}`;
    if (!categoryIds.has(key)) categoryIds.set(key, env.ids.uuid());
    state.articles.push({
      id: env.ids.uuid(),
      versionId: version.id,
      language,
      categoryId: categoryIds.get(key)!,
      categoryName: category,
      title,
      slug: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
      content: body,
      modifiedAt: at,
    });
  }
}

export const document360: ProviderModule<Document360Credentials, State, Document360Seeded, Document360SeedApi> = {
  spec,
  rateLimit: {
    limit: headerExample(spec, "X-RateLimit-Limit", 60),
    windowMs: 60_000,
    // Remaining on every response; Limit and Reset (seconds until the window resets) once it is spent.
    headers: (w, exhausted) => ({
      "X-RateLimit-Remaining": String(Math.max(0, w.remaining)),
      ...(exhausted ? { "X-RateLimit-Limit": String(w.limit), "X-RateLimit-Reset": String(Math.max(0, Math.ceil((w.resetAt - w.now) / 1000))) } : {}),
    }),
  } satisfies RateLimitPolicy,

  credentials: (ids, overrides) => ({
    apiToken: overrides.apiToken ?? `d360_twin_${ids.hex(40)}`,
    // The vendor's example `import_by`, so its documented request works as it is.
    userId: overrides.userId ?? "5a619a315481302d50b736d8",
  }),

  create(env, credentials, seed) {
    const state: State = {
      versions: [],
      languages: new Set(["en", "fr"]),
      articles: [],
      users: new Set([credentials.userId]),
      files: new Map(),
      imports: new Map(),
      exports: new Map(),
      exportsPerDay: new Map(),
      failNext: [],
    };
    if (seed) seedProject(state, env);
    const seedApi: Document360SeedApi = {
      file(pathOrUrl, bytes) {
        const url = /^https?:\/\//i.test(pathOrUrl) ? pathOrUrl : `${env.origin}/files/${pathOrUrl.replace(/^\/+/, "")}`;
        state.files.set(url, typeof bytes === "string" ? utf8(bytes) : bytes);
        return url;
      },
      user(id = env.ids.hex(24)) {
        state.users.add(id);
        return id;
      },
      language(code) {
        state.languages.add(code);
      },
    };
    const seeded: Document360Seeded = { versions: state.versions.map((v) => ({ id: v.id, slug: v.slug, languages: [...v.languages] })), languages: [...state.languages] };
    return { state, seeded, seedApi };
  },

  authenticate(call, _env, _state, credentials) {
    const token = call.headers.get("api_token");
    if (token === credentials.apiToken) return { key: credentials.apiToken };
    return error(call.operationId, 401);
  },

  error: (operationId, status, message) => error(operationId, status, message),

  operations: {
    importDocumentation(call, env, state) {
      const body = call.json as { source_documentation_url: string; publish_article?: boolean; import_by: string };
      let path: string;
      try {
        path = new URL(body.source_documentation_url).pathname;
      } catch {
        path = "";
      }
      if (!path.toLowerCase().endsWith(".zip")) return error(call.operationId, 400, undefined, "invalidSourceUrl");
      if (!state.users.has(body.import_by)) return error(call.operationId, 400, undefined, "notAuthorized");
      const job: ImportJob = { id: env.ids.uuid(), url: body.source_documentation_url, publish: body.publish_article ?? false, status: "Queued", progress: newProgress(env) };
      const failure = state.failNext.shift();
      if (failure !== undefined) job.failWith = failure;
      state.imports.set(job.id, job);
      return json(200, ok({ id: job.id, status: job.status }));
    },

    getImportStatus(call, env, state) {
      const job = state.imports.get(call.params.importId!);
      if (!job) return error(call.operationId, 400, undefined, "invalidImportId");
      catchUp(env, job.progress, true, () => importFinal(job), (at) => stepImport(state, env, job, at));
      return json(200, ok({ import_documentation_log: job.log ?? null, status: job.status }));
    },

    exportDocumentation(call, env, state) {
      const body = call.json as ExportJob["request"];
      if ((body.selected_languages ?? []).some((l) => !l.code)) return error(call.operationId, 400, undefined, "languageCodeRequired");
      const day = iso(env.clock.now()).slice(0, 10);
      const used = state.exportsPerDay.get(day) ?? 0;
      if (used >= DAILY_EXPORT_LIMIT) return error(call.operationId, 400, undefined, "dailyLimitReached");
      state.exportsPerDay.set(day, used + 1);
      const job: ExportJob = { id: env.ids.uuid(), status: "Initiated", progress: newProgress(env), request: structuredClone(body) };
      state.exports.set(job.id, job);
      return json(200, ok({ id: job.id, status: job.status }));
    },

    getExportStatus(call, env, state) {
      const job = state.exports.get(call.params.exportId!);
      if (!job) return error(call.operationId, 400, undefined, "invalidExportId");
      catchUp(env, job.progress, true, () => exportFinal(job), (at) => stepExport(state, job, at));
      return json(200, ok({ status: job.status, download_url: job.status === "Completed" ? `${env.origin}/exports/${job.id}.zip` : null }));
    },
  },

  twinRoutes: [
    {
      id: "downloadExport",
      method: "GET",
      pattern: /^\/exports\/([^/]+)\.zip$/,
      handle(match, _env, state) {
        const job = state.exports.get(decodeURIComponent(match[1]!));
        if (!job?.zip) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "No such export (or not completed yet).\n" };
        return file(200, "application/zip", job.zip, { "content-disposition": `attachment; filename="export-${job.id}.zip"` });
      },
    },
    {
      id: "downloadFile",
      method: "GET",
      pattern: /^\/files\/(.+)$/,
      handle(match, env, state) {
        const bytes = state.files.get(`${env.origin}/files/${match[1]}`);
        if (!bytes) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "No such file.\n" };
        return file(200, /\.zip$/i.test(match[1]!) ? "application/zip" : "application/octet-stream", bytes);
      },
    },
  ],

  failImport(state, env, id, reason) {
    const job = state.imports.get(id);
    if (job) {
      catchUp(env, job.progress, false, () => importFinal(job), (at) => stepImport(state, env, job, at));
      if (!importFinal(job)) job.failWith = reason ?? DEFAULT_REASON;
      return true;
    }
    const exported = state.exports.get(id);
    if (exported) {
      catchUp(env, exported.progress, false, () => exportFinal(exported), (at) => stepExport(state, exported, at));
      if (!exportFinal(exported)) exported.failWith = reason ?? "The export failed.";
      return true;
    }
    return false;
  },

  failNextImport(state, reason) {
    state.failNext.push(reason ?? DEFAULT_REASON);
  },
};
