/**
 * GitBook Imports. A run starts `pending`; each step then brings it `in-progress` with its first page pending,
 * completes that page and adds the next, until every page is complete and the run is `completed`. A run marked to
 * fail ends `failed` with its reason at its next step; `cancelImportRun` ends an active run `cancelled`. `list`
 * returns the runs actually started, newest first, with opaque `next.page` cursors that end.
 */
import { document } from "../generated/gitbook.js";
import { catchUp, newProgress, type Call, type Env, type Progress, type ProviderModule, type RateLimitPolicy } from "../engine.js";
import { json, type TwinResponse } from "../http.js";
import type { IdSource } from "../ids.js";
import { Spec } from "../spec.js";
import { documentedBody, headerExample, iso, schemaEnum, statusText } from "./shared.js";

const spec = new Spec(document);

export interface GitBookCredentials {
  /** A personal access token, sent as `Authorization: Bearer <token>`. */
  token: string;
  organizationId: string;
  /** A space of the organization that imports may target. */
  spaceId: string;
}

export interface GitBookSeeded {
  organizationId: string;
  spaceIds: string[];
}

type Source = { type: "website"; url: string } | { type: "file"; files: string[] };
interface Target {
  space: string;
  changeRequest?: string;
  page?: string;
}
interface Page {
  id: string;
  sourceURL?: string;
  type: "page" | "folder";
  status: "complete" | "pending";
}
interface Run {
  id: string;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  completedAt?: number;
  status: string;
  reason?: string;
  source: Source;
  target: Target;
  site?: string;
  createdBy: string;
  pages: Page[];
  planned: Omit<Page, "id" | "status">[];
  progress: Progress;
  failWith?: string;
}

interface State {
  organizationId: string;
  userId: string;
  /** Space id → the site it belongs to (if any). */
  spaces: Map<string, string | undefined>;
  runs: Run[];
  failNext: string[];
}

export interface GitBookSeedApi {
  /** Adds a space imports may target (optionally belonging to a site). Returns its id. */
  space(id?: string, site?: string): string;
  /** Adds an import run as it would be after its life (e.g. `{ status: "completed" }`), for list tests. */
  importRun(run?: { status?: "pending" | "in-progress" | "completed" | "failed" | "cancelled"; url?: string; space?: string; reason?: string }): { id: string };
}

const FINAL = ["completed", "failed", "cancelled"];
const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_REASON = "The website could not be reached: the source answered HTTP 503.";

function plannedPages(source: Source): Run["planned"] {
  if (source.type === "file") return source.files.map((file) => ({ sourceURL: file, type: "page" as const }));
  const base = source.url.endsWith("/") ? source.url : `${source.url}/`;
  return [
    { sourceURL: source.url, type: "page" },
    { sourceURL: `${base}getting-started`, type: "page" },
    { sourceURL: `${base}guides`, type: "folder" },
    { sourceURL: `${base}guides/install`, type: "page" },
  ];
}

function step(run: Run, at: number, ids: IdSource): void {
  run.updatedAt = at;
  run.startedAt ??= at;
  if (run.failWith !== undefined) {
    run.status = "failed";
    run.reason = run.failWith;
    return;
  }
  run.status = "in-progress";
  const pending = run.pages.find((p) => p.status === "pending");
  if (pending) pending.status = "complete";
  const next = run.planned[run.pages.length];
  if (next) run.pages.push({ id: ids.alphanumeric(20), ...next, status: "pending" });
  else {
    run.status = "completed";
    run.completedAt = at;
  }
}

function view(run: Run, env: Env, organizationId: string) {
  return {
    object: "import-run",
    id: run.id,
    ...(run.startedAt !== undefined ? { startedAt: iso(run.startedAt) } : {}),
    ...(run.completedAt !== undefined ? { completedAt: iso(run.completedAt) } : {}),
    createdAt: iso(run.createdAt),
    updatedAt: iso(run.updatedAt),
    status: run.status,
    ...(run.reason !== undefined ? { reason: run.reason } : {}),
    source: run.source,
    target: run.target,
    ...(run.site !== undefined ? { site: run.site } : {}),
    createdBy: run.createdBy,
    urls: { location: `${env.baseUrl}/org/${encodeURIComponent(organizationId)}/imports/${encodeURIComponent(run.id)}` },
    ...(run.pages.length ? { pages: run.pages.map((p) => ({ ...p })) } : {}),
  };
}

function error(operationId: string | undefined, status: number, message?: string): TwinResponse {
  const documented = documentedBody(spec, operationId, status) as { error?: { code?: number; message?: string } } | undefined;
  const body = documented?.error ? documented : { error: { code: status, message: statusText(status) } };
  body.error!.code = status;
  if (message !== undefined) body.error!.message = message;
  return json(status, body);
}

function advance(run: Run, env: Env, poll: boolean): void {
  catchUp(env, run.progress, poll, () => FINAL.includes(run.status), (at) => step(run, at, env.ids));
}

function findRun(call: Call, env: Env, state: State, poll: boolean): Run | TwinResponse {
  const run = state.runs.find((r) => r.id === call.params.importRunId);
  if (!run) return error(call.operationId, 404, `Import run ${call.params.importRunId} not found`);
  advance(run, env, poll);
  return run;
}

/** Cursors are opaque to clients: a version tag and an offset. */
const cursor = (offset: number) => `c1.${offset.toString(36)}`;
function offsetOf(page: string | null): number | undefined {
  if (page === null) return 0;
  const found = /^c1\.([0-9a-z]+)$/.exec(page);
  return found ? parseInt(found[1]!, 36) : undefined;
}

const STATUS_FILTERS: Record<string, string[]> = { active: ["pending", "in-progress"] };

export const gitbook: ProviderModule<GitBookCredentials, State, GitBookSeeded, GitBookSeedApi> = {
  spec,
  rateLimit: {
    // The documented example (60 a minute); `rateLimit` options change it.
    limit: headerExample(spec, "X-RateLimit-Limit", 60),
    windowMs: 60_000,
    headers: (w) => ({
      "X-RateLimit-Limit": String(w.limit),
      "X-RateLimit-Remaining": String(Math.max(0, w.remaining)),
      // UTC epoch seconds, as documented.
      "X-RateLimit-Reset": String(Math.ceil(w.resetAt / 1000)),
    }),
  } satisfies RateLimitPolicy,

  credentials: (ids, overrides) => ({
    token: overrides.token ?? `gb_twin_${ids.alphanumeric(24)}`,
    organizationId: overrides.organizationId ?? ids.alphanumeric(20),
    spaceId: overrides.spaceId ?? ids.alphanumeric(20),
  }),

  create(env, credentials) {
    const state: State = {
      organizationId: credentials.organizationId,
      userId: env.ids.alphanumeric(20),
      spaces: new Map([[credentials.spaceId, undefined]]),
      runs: [],
      failNext: [],
    };
    const seedApi: GitBookSeedApi = {
      space(id = env.ids.alphanumeric(20), site) {
        state.spaces.set(id, site);
        return id;
      },
      importRun(options = {}) {
        const status = options.status ?? "completed";
        const source: Source = { type: "website", url: options.url ?? "https://docs.example.com/" };
        const now = env.clock.now();
        const run: Run = {
          id: env.ids.alphanumeric(20),
          createdAt: now,
          updatedAt: now,
          status: "pending",
          source,
          target: { space: options.space ?? credentials.spaceId },
          createdBy: state.userId,
          pages: [],
          planned: plannedPages(source),
          progress: newProgress(env),
        };
        // Walk the life cycle to the asked status, so the pages and timestamps are the ones it would have.
        if (status !== "pending") {
          if (status === "failed") run.failWith = options.reason ?? DEFAULT_REASON;
          const target = status === "in-progress" ? 1 : status === "cancelled" ? 2 : Infinity;
          while (!FINAL.includes(run.status) && run.progress.step < target) {
            run.progress.step++;
            step(run, now, env.ids);
          }
          if (status === "cancelled") run.status = "cancelled";
        }
        // Past its life: the clock does not move it any more.
        run.progress.polls = run.progress.step;
        run.progress.createdAt = now - run.progress.step * env.stepMs;
        state.runs.push(run);
        return { id: run.id };
      },
    };
    // GitBook starts with no runs whatever `seed` says: `list` shows the runs a test started (or seeded itself).
    return { state, seeded: { organizationId: credentials.organizationId, spaceIds: [credentials.spaceId] }, seedApi };
  },

  authenticate(call, _env, _state, credentials) {
    const header = call.headers.get("authorization") ?? "";
    if (header === `Bearer ${credentials.token}`) return { key: credentials.token };
    return error(call.operationId, 401, header ? "The access token is invalid or revoked" : undefined);
  },

  error,

  operations: {
    listImportRuns(call, env, state) {
      if (call.params.organizationId !== state.organizationId) return error(call.operationId, 404, "Organization not found");
      const offset = offsetOf(call.query.get("page"));
      if (offset === undefined) return error(call.operationId, 400, "Invalid page cursor: pass the next.page of a previous response");
      const limit = Number(call.query.get("limit") ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE;
      const status = call.query.get("status");
      const statuses = status ? (STATUS_FILTERS[status] ?? [status]) : undefined;
      const matching = state.runs
        .map((run) => (advance(run, env, false), run))
        .filter((run) => (statuses ? statuses.includes(run.status) : true))
        .filter((run) => (call.query.has("space") ? run.target.space === call.query.get("space") : true))
        .filter((run) => (call.query.has("changeRequest") ? run.target.changeRequest === call.query.get("changeRequest") : true))
        .filter((run) => (call.query.has("site") ? run.site === call.query.get("site") : true))
        .reverse();
      const items = matching.slice(offset, offset + limit).map((run) => view(run, env, state.organizationId));
      return json(200, {
        ...(offset + limit < matching.length ? { next: { page: cursor(offset + limit) } } : {}),
        ...(offset > 0 ? { previous: { page: cursor(Math.max(0, offset - limit)) } } : {}),
        count: matching.length,
        items,
      });
    },

    startImportRun(call, env, state) {
      if (call.params.organizationId !== state.organizationId) return error(call.operationId, 404, "Organization not found");
      const body = call.json as { source: Source; target: Target; site?: string };
      if (!state.spaces.has(body.target.space)) return error(call.operationId, 404, `Space ${body.target.space} not found`);
      const now = env.clock.now();
      const site = body.site ?? state.spaces.get(body.target.space);
      const run: Run = {
        id: env.ids.alphanumeric(20),
        createdAt: now,
        updatedAt: now,
        status: "pending",
        source: body.source,
        target: body.target,
        ...(site !== undefined ? { site } : {}),
        createdBy: state.userId,
        pages: [],
        planned: plannedPages(body.source),
        progress: newProgress(env),
      };
      const failure = state.failNext.shift();
      if (failure !== undefined) run.failWith = failure;
      state.runs.push(run);
      return json(201, view(run, env, state.organizationId));
    },

    getImportRun(call, env, state) {
      if (call.params.organizationId !== state.organizationId) return error(call.operationId, 404, "Organization not found");
      const found = findRun(call, env, state, true);
      return "headers" in found ? found : json(200, view(found, env, state.organizationId));
    },

    cancelImportRun(call, env, state) {
      if (call.params.organizationId !== state.organizationId) return error(call.operationId, 404, "Organization not found");
      const found = findRun(call, env, state, false);
      if ("headers" in found) return found;
      const run = found;
      if (FINAL.includes(run.status)) return error(call.operationId, 400, `Import run ${run.id} is already ${run.status}`);
      run.status = "cancelled";
      run.updatedAt = env.clock.now();
      return json(200, view(run, env, state.organizationId));
    },
  },

  failImport(state, env, id, reason) {
    const run = state.runs.find((r) => r.id === id);
    if (!run) return false;
    advance(run, env, false);
    if (!FINAL.includes(run.status)) run.failWith = reason ?? DEFAULT_REASON;
    return true;
  },

  failNextImport(state, reason) {
    state.failNext.push(reason ?? DEFAULT_REASON);
  },
};

/** The run statuses the spec lists (for tests that check the twin walks through every one). */
export const gitbookStatuses = (): string[] => schemaEnum(spec, "ContentImportRun", "status");
