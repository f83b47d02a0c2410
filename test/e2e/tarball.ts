// vendorgate as a user gets it: the packed tarball, and the environment of a user's shell to run
// it in. Shared by the tests that install the package into a project outside the repository.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { packageRoot, toolsDir } from "../../src/paths.ts";

export interface Tarball {
  file: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: string[];
}

/** The environment of a user's shell: no npm script variables, no vendorgate development switches. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|VENDORGATE_|VITEST|PULUMI_)/i.test(k) && k !== "NODE_OPTIONS" && k !== "INIT_CWD") env[k] = v;
  }
  // The Node that runs the tests (>= 22) and the pulumi CLI a user would have on PATH.
  env.PATH = [dirname(process.execPath), join(toolsDir(), "bin"), process.env.PATH ?? ""].join(":");
  return { ...env, ...extra };
}

const LOCK = join(packageRoot, "build", "pack.lock");
const LOCK_WAIT_MS = 15 * 60_000;

/** Waits until this process holds the pack lock; a lock older than the wait was left by a crashed run. */
function acquire(): void {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > LOCK_WAIT_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // released meanwhile
    }
    if (Date.now() > deadline) throw new Error(`npm pack: another test held ${LOCK} for ${LOCK_WAIT_MS / 60_000} minutes`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
}

/**
 * `npm pack` into `dest`; prepack builds dist/ and the policy bundle first. One pack at a time on
 * this machine: the build empties dist/ before writing it, under any other pack in progress.
 */
export function packTarball(dest: string): Tarball {
  acquire();
  try {
    const r = spawnSync("npm", ["pack", "--json", "--pack-destination", dest], { cwd: packageRoot, env: userEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`npm pack failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
    const p = (JSON.parse(r.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }[])[0]!;
    return { file: join(dest, p.filename), size: p.size, unpackedSize: p.unpackedSize, entryCount: p.entryCount, files: p.files.map((f) => f.path) };
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
