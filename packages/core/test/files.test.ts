// saveTo's files (issue 12 §6): typed errors before any request, own temporaries, stale ones cleaned. Real files.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { checkTarget, FileError, removeStaleTemporaries, saveDownload, saveStream, STALE_TEMPORARY_MS } from "@importkit/core/node";

const root = mkdtempSync(join(tmpdir(), "importkit-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());
let n = 0;
const freshDir = () => {
  const dir = join(root, `case-${++n}`);
  mkdirSync(dir);
  return dir;
};

const bytes = (text: string) => new TextEncoder().encode(text);
/** A stream of `chunks`, each handed out only when asked for. */
function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({ pull: (c) => (i < chunks.length ? c.enqueue(chunks[i++]!) : c.close()) }, { highWaterMark: 0 });
}
/** A stream that says when it is first read (the temporary exists by then) and waits for `release()` to end. */
function heldStream() {
  let started!: () => void;
  let release!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const released = new Promise<void>((r) => (release = r));
  let first = true;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!first) return controller.close();
        first = false;
        started();
        await released;
        controller.enqueue(bytes("held"));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, started: startedP, release };
}

async function refusedBeforeRequest(path: string) {
  const open = vi.fn(async () => streamOf([bytes("never")]));
  const error = await saveDownload(open, path).catch((e: unknown) => e);
  expect(open).not.toHaveBeenCalled();
  expect(error).toBeInstanceOf(FileError);
  return error as FileError;
}

const partials = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".partial"));

describe("what can be known beforehand is a FileError before any request", () => {
  it("the target is a directory: EISDIR", async () => {
    const dir = freshDir();
    mkdirSync(join(dir, "export.zip"));
    const error = await refusedBeforeRequest(join(dir, "export.zip"));
    expect(error.code).toBe("EISDIR");
    expect(error.path).toBe(join(dir, "export.zip"));
    expect(error.message).toBe(`Cannot save to ${join(dir, "export.zip")}: it is a directory (EISDIR).`);
  });

  it("a parent is a file: ENOTDIR, naming that parent (however deep)", async () => {
    const dir = freshDir();
    writeFileSync(join(dir, "notes.txt"), "x");
    for (const path of [join(dir, "notes.txt", "export.zip"), join(dir, "notes.txt", "a", "b", "export.zip")]) {
      const error = await refusedBeforeRequest(path);
      expect(error.code).toBe("ENOTDIR");
      expect(error.path).toBe(join(dir, "notes.txt"));
      expect(error.message).toContain(`${join(dir, "notes.txt")} is a file, not a directory`);
    }
  });

  it("the directory takes no new files: EACCES/EROFS naming it", async () => {
    // Root ignores permission bits, so as root the case is a directory no one can write: sysfs. As another user, a
    // directory made read-only. Skipped (with this note) only where neither can be had.
    let dir: string;
    if (process.getuid?.() !== 0) {
      dir = freshDir();
      spawnSync("chmod", ["0555", dir]);
    } else {
      dir = "/sys/kernel";
      let writable = true;
      try {
        writeFileSync(join(dir, ".importkit-write-test"), "x");
      } catch {
        writable = false;
      }
      if (writable) return void console.warn("files.test: no unwritable directory available as root here; case skipped");
    }
    const error = await refusedBeforeRequest(join(dir, "missing", "export.zip"));
    expect(["EACCES", "EROFS", "EPERM"]).toContain(error.code);
    expect(error.path).toBe(dir);
    expect(error.message).toMatch(new RegExp(`^Cannot save to .*export\\.zip: no file can be created in ${dir}: `));
    expect(partials(dir)).toEqual([]);
  });

  it("missing directories are fine (created), and checking leaves nothing behind", async () => {
    const dir = freshDir();
    await checkTarget(join(dir, "a", "b", "export.zip"));
    expect(readdirSync(dir)).toEqual([]);
    const saved = await saveDownload(async () => streamOf([bytes("zip")]), join(dir, "a", "b", "export.zip"));
    expect(readFileSync(saved.path, "utf8")).toBe("zip");
  });
});

describe("what fails during the save is a FileError too, and leaves nothing", () => {
  it("the target turned into a directory while downloading: EISDIR from the rename, the temporary removed", async () => {
    const dir = freshDir();
    const target = join(dir, "export.zip");
    const held = heldStream();
    const saving = saveStream(held.stream, target).catch((e: unknown) => e);
    await held.started;
    mkdirSync(target);
    held.release();
    const error = (await saving) as FileError;
    expect(error).toBeInstanceOf(FileError);
    expect(["EISDIR", "EEXIST", "ENOTEMPTY", "EPERM"]).toContain(error.code);
    expect(error.path).toBe(target);
    expect(partials(dir)).toEqual([]);
  });
});

describe("temporaries", () => {
  it("two saves of one path in one process (same millisecond) never share a temporary: one whole file wins", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const dir = freshDir();
    const target = join(dir, "export.zip");
    const chunk = (letter: string) => bytes(letter.repeat(64 * 1024));
    const a = Array.from({ length: 40 }, () => chunk("A"));
    const b = Array.from({ length: 40 }, () => chunk("B"));
    const [savedA, savedB] = await Promise.all([saveStream(streamOf(a), target), saveStream(streamOf(b), target)]);
    expect(savedA.bytes).toBe(40 * 64 * 1024);
    expect(savedB.bytes).toBe(40 * 64 * 1024);
    const content = readFileSync(target, "latin1");
    expect(content.length).toBe(40 * 64 * 1024);
    expect([..."AB"].some((letter) => content === letter.repeat(content.length))).toBe(true);
    expect(partials(dir)).toEqual([]);
  });

  it("stale temporaries of a killed save are removed; live or foreign ones are kept until a day untouched", async () => {
    const dir = freshDir();
    const target = join(dir, "export.zip");
    // Learn this process's temporary name from a save under way.
    const held = heldStream();
    const saving = saveStream(held.stream, target);
    await held.started;
    const [ours] = partials(dir);
    const [, tag] = /^\.export\.zip\.([0-9a-f]{8})\.\d+\.[0-9a-f]{12}\.partial$/.exec(ours!)!;
    held.release();
    await saving;

    // A PID that ran and is gone: a child process that has exited.
    const deadPid = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const name = (host: string, pid: number, random: string) => `.export.zip.${host}.${pid}.${random}.partial`;
    const files = {
      killed: name(tag!, deadPid, "aaaaaaaaaaaa"),
      live: name(tag!, process.ppid, "bbbbbbbbbbbb"),
      ourOwn: name(tag!, process.pid, "cccccccccccc"),
      foreignFresh: name("0badc0de" === tag ? "0badc0df" : "0badc0de", deadPid, "dddddddddddd"),
      foreignOld: name("0badc0de" === tag ? "0badc0df" : "0badc0de", 4242, "eeeeeeeeeeee"),
      otherTarget: `.other.zip.${tag}.${deadPid}.ffffffffffff.partial`,
      notOurs: ".export.zip.partial",
    };
    for (const file of Object.values(files)) writeFileSync(join(dir, file), "half");
    const dayAgo = (Date.now() - STALE_TEMPORARY_MS - 60_000) / 1000;
    utimesSync(join(dir, files.foreignOld), dayAgo, dayAgo);

    const removed = await removeStaleTemporaries(target);
    expect(removed.sort()).toEqual([join(dir, files.foreignOld), join(dir, files.killed)].sort());
    const left = readdirSync(dir);
    for (const kept of [files.live, files.ourOwn, files.foreignFresh, files.otherTarget, files.notOurs]) expect(left).toContain(kept);

    // And a save cleans them by itself.
    writeFileSync(join(dir, files.killed), "half");
    await saveStream(streamOf([bytes("zip")]), target);
    expect(readdirSync(dir)).not.toContain(files.killed);
  });
});
