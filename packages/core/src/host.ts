/**
 * Who this process is, for files several processes may share (saveTo's temporaries, checkpoint locks): a tag of
 * the host and PID namespace, the PID, and whether another PID still runs. Node, Bun and Deno (node:os, node:fs).
 */
import { readlinkSync } from "node:fs";
import { hostname } from "node:os";

let hostTagCache: string | undefined;

/** 8 hex digits of the host name and the PID namespace (Linux: containers sharing a host name differ there). */
export function hostTag(): string {
  if (hostTagCache) return hostTagCache;
  let namespace = "";
  try {
    namespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    // Not Linux, or no /proc: the host name alone.
  }
  // FNV-1a, 32 bits: a tag, not a secret.
  let hash = 0x811c9dc5;
  for (const ch of `${hostname()}\0${namespace}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193);
  return (hostTagCache = (hash >>> 0).toString(16).padStart(8, "0"));
}

/** Whether `pid` runs a process on this host (ours always does). Only "no such process" (ESRCH) means no. */
export function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as { code?: unknown }).code !== "ESRCH";
  }
}

export function randomHex(bytes: number): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");
}
