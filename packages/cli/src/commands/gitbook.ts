/**
 * `importkit gitbook …`: start an import run (a website, or files by URL) into a space and follow it page by page;
 * list, show and cancel runs. All through `@importkit/gitbook`.
 */
import type { GitBookClient, ImportRun } from "@importkit/gitbook";
import { connectGitBook } from "../connect.js";
import { UsageError } from "../exit.js";
import type { RunContext } from "../runner.js";
import type { Session } from "../session.js";
import { afterInterrupt, call, collectAll, table, waitSettings, when, type WaitFlags } from "./shared.js";

function pagesOf(run: ImportRun): { complete: number; total: number } {
  const pages = run.pages ?? [];
  return { complete: pages.filter((p) => p.status === "complete").length, total: pages.length };
}

function describe(run: ImportRun): string {
  const { complete, total } = pagesOf(run);
  const source = run.source?.type === "website" ? run.source.url : run.source?.type === "file" ? `${run.source.files.length} file(s)` : "";
  return [
    `import run ${run.id}: ${run.status}${run.reason ? ` (${run.reason})` : ""}`,
    `  source   ${source}`,
    `  target   space ${run.target?.space ?? "?"}${run.target?.changeRequest ? `, change request ${run.target.changeRequest}` : ""}${run.target?.page ? `, page ${run.target.page}` : ""}`,
    `  pages    ${complete} of ${total} complete`,
    `  created  ${when(run.createdAt)}${run.completedAt ? `   completed ${when(run.completedAt)}` : ""}`,
  ].join("\n");
}

/** Waits for a run with a pages bar; on Ctrl-C, cancels it (`--cancel-on-interrupt`) or says how to follow it. */
export async function followRun(session: Session, client: GitBookClient, run: ImportRun, options: WaitFlags & { org: string }): Promise<ImportRun> {
  const view = await session.progress({ title: `import run ${run.id}`, unit: "pages" });
  try {
    const done = await client.imports.waitFor(
      run.id,
      { organizationId: options.org },
      waitSettings<ImportRun>(session, options, (current) => {
        const { complete, total } = pagesOf(current);
        view.update(complete, total, current.status);
      }),
    );
    view.stop();
    return done;
  } catch (error) {
    view.stop();
    await afterInterrupt(session, options, `import run ${run.id}`, `importkit gitbook get ${run.id} --org ${options.org} --wait`, async (o) => {
      const cancelled = await client.imports.cancel(run.id, { organizationId: options.org }, o);
      return `cancelled (now ${cancelled.status})`;
    });
    throw error;
  }
}

export function finished(run: ImportRun): string {
  const { complete } = pagesOf(run);
  return `import run ${run.id} ${run.status}: ${complete} page${complete === 1 ? "" : "s"} imported into space ${run.target?.space ?? "?"}`;
}

export async function importRun({ options, session }: RunContext): Promise<void> {
  const files = options.file as string[] | undefined;
  if ((options.url === undefined) === (files === undefined)) throw new UsageError("give --url (a website) or --file (files by URL, repeatable): one of the two");
  const { client } = await connectGitBook(session, options, { organizationId: options.org, spaceId: options.space });
  const run = await client.imports.start(
    {
      organizationId: options.org,
      source: options.url !== undefined ? { type: "website", url: options.url } : { type: "file", files: files! },
      target: {
        space: options.space,
        ...(options.changeRequest !== undefined ? { changeRequest: options.changeRequest } : {}),
        ...(options.page !== undefined ? { page: options.page } : {}),
      },
      ...(options.site !== undefined ? { site: options.site } : {}),
      ...(options.enhance ? { enhance: true } : {}),
    },
    call(session),
  );
  if (!options.wait) {
    session.result(run, `started import run ${run.id} (${run.status}) into space ${options.space}\nfollow it: importkit gitbook get ${run.id} --org ${options.org} --wait`);
    return;
  }
  session.note(`started import run ${run.id} (${run.status}) into space ${options.space}`);
  const done = await followRun(session, client, run, options as WaitFlags & { org: string });
  session.result(done, finished(done));
}

export async function listRuns({ options, session }: RunContext): Promise<void> {
  const { client } = await connectGitBook(session, options, { organizationId: options.org });
  const runs = await collectAll(
    client.imports.list(
      {
        organizationId: options.org,
        ...(options.space !== undefined ? { space: options.space } : {}),
        ...(options.changeRequest !== undefined ? { changeRequest: options.changeRequest } : {}),
        ...(options.site !== undefined ? { site: options.site } : {}),
        ...(options.status !== undefined ? { status: options.status } : {}),
      },
      call(session),
    ),
    options.limit,
  );
  session.result(runs, () =>
    runs.length === 0
      ? "no import runs"
      : table(
          ["ID", "STATUS", "CREATED", "PAGES", "SOURCE"],
          runs.map((run) => {
            const { complete, total } = pagesOf(run);
            const source = run.source?.type === "website" ? run.source.url : run.source?.type === "file" ? `${run.source.files.length} file(s)` : "";
            return [run.id, run.status, when(run.createdAt), `${complete}/${total}`, source];
          }),
        ),
  );
}

export async function getRun({ args, options, session }: RunContext): Promise<void> {
  const id = args[0] as string;
  const { client } = await connectGitBook(session, options, { organizationId: options.org });
  const run = await client.imports.get(id, { organizationId: options.org }, call(session));
  if (!options.wait) {
    session.result(run, describe(run));
    return;
  }
  const done = await followRun(session, client, run, options as WaitFlags & { org: string });
  session.result(done, finished(done));
}

export async function cancelRun({ args, options, session }: RunContext): Promise<void> {
  const id = args[0] as string;
  const { client } = await connectGitBook(session, options, { organizationId: options.org });
  const run = await client.imports.cancel(id, { organizationId: options.org }, call(session));
  session.result(run, `import run ${run.id} ${run.status}`);
}
