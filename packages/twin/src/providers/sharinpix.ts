/**
 * SharinPix image imports. `Authorization: Token token="<jwt>"`: an HS256 JWT whose `iss` is the secret id, signed
 * with the secret the twin was configured with, not expired (checked against the real clock, the one the client
 * mints with), and allowed on the album (`admin: true`, or `abilities[<album>].Access.image_upload`). Anything else is
 * the documented 401: empty body, `X-message: Access denied`. An import is created with `image_id: null` and gets
 * its image at its next step; one marked to fail never does (SharinPix documents no failure state).
 */
import { document } from "../generated/sharinpix.js";
import { catchUp, newProgress, type Call, type Env, type Progress, type ProviderModule } from "../engine.js";
import { json, type TwinResponse } from "../http.js";
import { Spec } from "../spec.js";
import { iso } from "./shared.js";

const spec = new Spec(document);

export interface SharinPixCredentials {
  /** `sharinpix://<secretId>:<secret>@<host>/api/v1`, the host being the twin's. */
  secretUrl: string;
  secretId: string;
  secret: string;
  /** The seeded album. */
  albumId: string;
}

export interface SharinPixSeeded {
  albumId: string;
  organizationId: string;
}

export interface SharinPixSeedApi {
  /** Adds an album. Returns its id. */
  album(id?: string): string;
}

interface ImportRecord {
  id: string;
  importType: string | null;
  albumId: string;
  params: Record<string, unknown>;
  imageId: string | null;
  createdAt: number;
  updatedAt: number;
  progress: Progress;
  failWith?: string;
  failed: boolean;
}

interface State {
  organizationId: string;
  albums: Set<string>;
  imports: Map<string, ImportRecord>;
  failNext: string[];
  // The imported HMAC key; typed from `crypto` itself, which DOM and Node both declare (CryptoKey is DOM-only).
  key?: ReturnType<typeof crypto.subtle.importKey>;
}

type Claims = { iss?: unknown; exp?: unknown; admin?: unknown; abilities?: Record<string, { Access?: Record<string, unknown> }> };

function accessDenied(): TwinResponse {
  return { status: 401, headers: { "content-type": "text/html", "x-message": "Access denied" }, body: "" };
}

function error(operationId: string | undefined, status: number, message?: string): TwinResponse {
  if (status === 401) return accessDenied();
  // 404 and the statuses SharinPix does not document: an empty page, as Rails answers (do not parse it).
  if (status === 404 || !message) return { status, headers: { "content-type": "text/html" }, body: "" };
  // A refused request: SharinPix documents no 4xx body; the twin answers Rails' usual `{"errors": [...]}`.
  void operationId;
  return json(status, { errors: [message] });
}

function base64url(segment: string): Uint8Array {
  const padded = segment.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (segment.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

/** The claims of a `Token token="<jwt>"` header whose HS256 signature and issuer are right, else undefined. */
async function verify(header: string | null, state: State, credentials: SharinPixCredentials): Promise<Claims | undefined> {
  const jwt = /^Token token="([^"]+)"$/.exec(header ?? "")?.[1];
  const [head, payload, signature] = jwt?.split(".") ?? [];
  if (!head || !payload || !signature) return undefined;
  try {
    const protectedHeader = JSON.parse(new TextDecoder().decode(base64url(head))) as { alg?: string };
    if (protectedHeader.alg !== "HS256") return undefined;
    state.key ??= crypto.subtle.importKey("raw", new TextEncoder().encode(credentials.secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    const valid = await crypto.subtle.verify("HMAC", await state.key, base64url(signature) as Uint8Array<ArrayBuffer>, new TextEncoder().encode(`${head}.${payload}`));
    if (!valid) return undefined;
    const claims = JSON.parse(new TextDecoder().decode(base64url(payload))) as Claims;
    if (claims.iss !== credentials.secretId) return undefined;
    if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

function mayUpload(claims: Claims, albumId: string): boolean {
  return claims.admin === true || claims.abilities?.[albumId]?.Access?.image_upload === true;
}

/** Rails' nested parameters: `a[b]=1&tags[]=x` → `{ a: { b: "1" }, tags: ["x"] }`. */
export function parseRailsForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const [head, ...rest] = key.split("[");
    const path = [head!, ...rest.map((part) => part.replace(/\]$/, ""))];
    let at: Record<string, unknown> = out;
    for (let i = 0; i < path.length; i++) {
      const name = path[i]!;
      if (path[i + 1] === "") {
        // `name[]=value`: one more item of a list.
        const list = (Array.isArray(at[name]) ? at[name] : (at[name] = [])) as unknown[];
        list.push(value);
        break;
      }
      if (i === path.length - 1) at[name] = value;
      else at = (at[name] && typeof at[name] === "object" ? at[name] : (at[name] = {})) as Record<string, unknown>;
    }
  }
  return out;
}

function view(state: State, record: ImportRecord) {
  return {
    id: record.id,
    organization_id: state.organizationId,
    image_id: record.imageId,
    import_type: record.importType,
    album_id: record.albumId,
    params: record.params,
    created_at: iso(record.createdAt),
    updated_at: iso(record.updatedAt),
  };
}

function advance(record: ImportRecord, env: Env, poll: boolean): void {
  catchUp(env, record.progress, poll, () => record.imageId !== null || record.failed, (at) => {
    if (record.failWith !== undefined) {
      record.failed = true;
      return;
    }
    record.imageId = env.ids.uuid();
    record.updatedAt = at;
  });
}

const tokenOf = (call: Call) => /^Token token="([^"]+)"$/.exec(call.headers.get("authorization") ?? "")?.[1] ?? "";
const answerHeaders = (call: Call, env: Env) => ({ "X-token": tokenOf(call), "X-Request-Id": env.ids.uuid() });

/** Claims of the request, which authenticate() verified just before the operation ran. */
const claimsOf = new WeakMap<Headers, Claims>();

export const sharinpix: ProviderModule<SharinPixCredentials, State, SharinPixSeeded, SharinPixSeedApi> = {
  spec,
  // SharinPix documents no rate limit ("internal safety limits" only): none here.

  credentials(ids, overrides, baseUrl) {
    const secretId = overrides.secretId ?? ids.uuid();
    const secret = overrides.secret ?? `spx_twin_${ids.alphanumeric(32)}`;
    const host = new URL(baseUrl).host;
    return {
      secretId,
      secret,
      albumId: overrides.albumId ?? `500${ids.alphanumeric(15)}`,
      secretUrl: `sharinpix://${encodeURIComponent(secretId)}:${encodeURIComponent(secret)}@${host}/api/v1`,
    };
  },

  create(env, credentials) {
    const state: State = { organizationId: env.ids.uuid(), albums: new Set([credentials.albumId]), imports: new Map(), failNext: [] };
    const seedApi: SharinPixSeedApi = {
      album(id = `500${env.ids.alphanumeric(15)}`) {
        state.albums.add(id);
        return id;
      },
    };
    return { state, seeded: { albumId: credentials.albumId, organizationId: state.organizationId }, seedApi };
  },

  async authenticate(call, _env, state, credentials) {
    const claims = await verify(call.headers.get("authorization"), state, credentials);
    if (!claims) return accessDenied();
    claimsOf.set(call.headers, claims);
    return { key: credentials.secretId };
  },

  error,

  operations: {
    createImport(call, env, state) {
      const body = (call.contentType === "application/x-www-form-urlencoded" ? parseRailsForm(call.text) : call.json) as Record<string, unknown>;
      const albumId = String(body.album_id);
      if (!mayUpload(claimsOf.get(call.headers) ?? {}, albumId)) return accessDenied();
      const now = env.clock.now();
      const record: ImportRecord = {
        id: env.ids.uuid(),
        importType: typeof body.import_type === "string" ? body.import_type : null,
        albumId,
        params: { ...body, controller: "api/v1/imports", action: "create" },
        imageId: null,
        createdAt: now,
        updatedAt: now,
        progress: newProgress(env),
        failed: false,
      };
      const failure = state.failNext.shift();
      if (failure !== undefined) record.failWith = failure;
      state.albums.add(albumId);
      state.imports.set(record.id, record);
      return json(200, view(state, record), answerHeaders(call, env));
    },

    getImport(call, env, state) {
      const record = state.imports.get(call.params.id!);
      if (!record) return error(call.operationId, 404);
      const claims = claimsOf.get(call.headers) ?? {};
      if (claims.admin !== true && !claims.abilities?.[record.albumId]) return accessDenied();
      advance(record, env, true);
      return json(200, view(state, record), answerHeaders(call, env));
    },
  },

  failImport(state, env, id, reason) {
    const record = state.imports.get(id);
    if (!record) return false;
    advance(record, env, false);
    if (record.imageId === null) record.failWith = reason ?? "The image could not be fetched.";
    return true;
  },

  failNextImport(state, reason) {
    state.failNext.push(reason ?? "The image could not be fetched.");
  },
};
