import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { UsageError } from "../errors.ts";

/*
 * An exclusive lock beside the file it guards (`<file>.lock`, created with O_EXCL), so that two
 * `vendor suspend` runs at once both land instead of the second overwriting the first. The lock
 * records who holds it; one left behind by a process that died is taken over, never waited out
 * forever.
 */

export interface LockOptions {
  /** How long to wait for another holder before giving up. */
  timeoutMs?: number;
  /** A lock older than this is presumed abandoned even when its owner cannot be checked (another host). */
  staleMs?: number;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    const o = JSON.parse(await readFile(path, "utf8")) as Partial<Owner>;
    if (typeof o.pid === "number" && typeof o.host === "string" && typeof o.token === "string" && typeof o.since === "string") return o as Owner;
  } catch {
    // Unreadable or half-written: judged by age alone.
  }
  return undefined;
}

async function abandoned(path: string, owner: Owner | undefined, staleMs: number): Promise<boolean> {
  if (owner && owner.host === hostname()) return !alive(owner.pid);
  try {
    return Date.now() - (await stat(path)).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

/**
 * Moves an abandoned lock aside. Rename is atomic, so of two processes taking over the same lock
 * only one succeeds; the token check catches the case where the lock was replaced by a live one
 * between reading it and renaming it, and puts that one back.
 */
async function takeOver(path: string, seen: Owner | undefined, mine: string): Promise<void> {
  const aside = `${path}.stale-${mine}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await readOwner(aside);
  if (seen !== undefined && moved?.token !== seen.token) {
    await link(aside, path).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

export async function withFileLock<T>(target: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const path = `${target}.lock`;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const staleMs = opts.staleMs ?? 60_000;
  const me: Owner = { pid: process.pid, host: hostname(), token: randomBytes(8).toString("hex"), since: new Date().toISOString() };
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, "wx", 0o644);
      try {
        await fh.writeFile(JSON.stringify(me));
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = await readOwner(path);
    if (await abandoned(path, owner, staleMs)) {
      await takeOver(path, owner, me.token);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = owner ? ` (held by process ${owner.pid} on ${owner.host} since ${owner.since})` : "";
      throw new UsageError(`${target} is being edited by another vendorgate run${who}; try again, or delete ${path} if no such run exists`);
    }
    // Jitter keeps two waiters from retrying in lockstep.
    await sleep(Math.min(200, 10 * 2 ** Math.min(attempt, 4)) + Math.floor(Math.random() * 20));
  }
  try {
    return await fn();
  } finally {
    // Only remove the lock if it is still ours; a takeover may have replaced it.
    const owner = await readOwner(path);
    if (owner?.token === me.token) await unlink(path).catch(() => undefined);
  }
}
