#!/usr/bin/env node
import { isProvider, providers, type Provider } from "@importkit/specs";
import { startMockServer, type MockServer } from "./index.js";

// importkit-mock [provider ...] [--port N]: serve mocks until Ctrl-C.
const args = process.argv.slice(2);
const portIndex = args.indexOf("--port");
const basePort = portIndex >= 0 ? Number(args[portIndex + 1]) : 0;
const names = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--port");
const unknown = names.filter((n) => !isProvider(n));
if (unknown.length > 0 || !Number.isInteger(basePort) || basePort < 0) {
  console.error(`usage: importkit-mock [${providers.join("|")} ...] [--port N]`);
  if (unknown.length) console.error(`unknown provider: ${unknown.join(", ")}`);
  process.exit(2);
}
const chosen = (names.length ? names : providers) as Provider[];
const servers: MockServer[] = [];
for (const [i, provider] of chosen.entries()) {
  const server = await startMockServer({ provider, port: basePort ? basePort + i : 0 });
  servers.push(server);
  console.log(`${provider.padEnd(12)} ${server.url}`);
}
const stop = async () => {
  await Promise.all(servers.map((s) => s.close()));
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
