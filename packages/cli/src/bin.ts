#!/usr/bin/env node
import { isProvider, providers, type Provider } from "@importkit/specs";
import { ImportkitError } from "@importkit/core";
import { startMockServer, type MockServer } from "@importkit/mock";
import { runDemo } from "./demo.js";

const USAGE = `usage: importkit <command>

  demo                  run a GitBook import against the embedded mock server, with progress
  mock [provider ...]   serve mock servers (${providers.join(", ")}) until Ctrl-C
  help                  this text
`;

async function main(argv: string[]): Promise<number> {
  const [command = "help", ...rest] = argv;
  switch (command) {
    case "demo":
      await runDemo();
      return 0;
    case "mock": {
      const unknown = rest.filter((name) => !isProvider(name));
      if (unknown.length) {
        process.stderr.write(`unknown provider: ${unknown.join(", ")}\n${USAGE}`);
        return 2;
      }
      const chosen = (rest.length ? rest : providers) as Provider[];
      const servers: MockServer[] = [];
      for (const provider of chosen) {
        const server = await startMockServer({ provider });
        servers.push(server);
        process.stdout.write(`${provider.padEnd(12)} ${server.url}\n`);
      }
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await Promise.all(servers.map((s) => s.close()));
      return 0;
    }
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Typed errors are already redacted and say what happened; anything else gets its message only.
    process.stderr.write(`importkit: ${error instanceof ImportkitError ? error.message : String((error as Error)?.message ?? error)}\n`);
    process.exit(1);
  },
);
