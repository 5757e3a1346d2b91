// Preloaded (`node --import`) into every README example scripts/smoke.mjs runs: the example is written for the real
// APIs (no baseUrl), so each provider's API origin is routed to a server on loopback (a twin of that API), and
// anything else is refused. No example can reach the internet. Routes come from IMPORTKIT_SMOKE_ROUTES:
// [[API prefix, loopback prefix], …], e.g. [["https://api.gitbook.com/v1", "http://127.0.0.1:4010/v1"]]; the rest of
// the URL is kept. Loopback addresses themselves pass (a twin's own links, such as a Document360 export's).
// Both transports the clients use are covered: fetch, and node:http(s) (saveTo's downloads in Node).
import http from "node:http";
import https from "node:https";
import { syncBuiltinESMExports } from "node:module";

const routes = JSON.parse(process.env.IMPORTKIT_SMOKE_ROUTES ?? "[]");

function routed(href) {
  for (const [from, to] of routes) {
    if (href === from || href.startsWith(`${from}/`) || href.startsWith(`${from}?`)) return `${to}${href.slice(from.length)}`;
  }
  const { hostname } = new URL(href);
  if (hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]") return href;
  throw new TypeError(`smoke: ${new URL(href).origin} is not a routed API and not loopback; no README example may leave this machine`);
}

const realFetch = globalThis.fetch;
globalThis.fetch = async function loopbackFetch(input, init) {
  if (input instanceof Request) return realFetch(new Request(routed(input.url), input), init);
  return realFetch(routed(String(input instanceof URL ? input.href : input)), init);
};

const originals = new Map([http, https].map((module) => [module, { request: module.request, get: module.get }]));
for (const module of [http, https]) {
  for (const name of ["request", "get"]) {
    module[name] = function loopbackRequest(first, ...rest) {
      const href =
        typeof first === "string" || first instanceof URL
          ? String(first)
          : `${first.protocol ?? (module === https ? "https:" : "http:")}//${first.hostname ?? first.host ?? "localhost"}${first.port ? `:${first.port}` : ""}${first.path ?? "/"}`;
      const target = new URL(routed(href));
      const call = originals.get(target.protocol === "https:" ? https : http)[name];
      if (typeof first === "string" || first instanceof URL) return call(target, ...rest);
      const { host: _host, ...options } = first;
      return call({ ...options, protocol: target.protocol, hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}` }, ...rest);
    };
  }
}
syncBuiltinESMExports();
