// vendorgate as a user gets it: the packed tarball, and the environment of a user's shell to run
// it in. Shared by the tests that install the package into a project outside the repository.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, symlinkSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { packageRoot, toolsDir } from "../../src/paths.ts";

export interface Tarball {
  /** The package's copy it was packed from. */
  root: string;
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

/** Not the package's sources: dependencies, build output, history (tests stay, so the pack's file list is checked against them). */
const NOT_COPIED = new Set(["node_modules", ".git", "dist", "build", "test-results", ".vendorgate"]);

/**
 * `npm pack` into `dest`, from a copy of the package's sources in `dest/package` (its prepack builds
 * dist/ and the policy bundle there). Built in the copy, so the checkout's dist/, which the other
 * tests' programs import as `vendorgate`, is never emptied under them, and two packs never meet.
 */
export function packTarball(dest: string): Tarball {
  const root = join(dest, "package");
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(packageRoot)) {
    if (!NOT_COPIED.has(name)) cpSync(join(packageRoot, name), join(root, name), { recursive: true, filter: (src) => basename(src) !== "node_modules" });
  }
  symlinkSync(join(packageRoot, "node_modules"), join(root, "node_modules"));
  const r = spawnSync("npm", ["pack", "--json", "--pack-destination", dest], { cwd: root, env: userEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`npm pack failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  const p = (JSON.parse(r.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }[])[0]!;
  return { root, file: join(dest, p.filename), size: p.size, unpackedSize: p.unpackedSize, entryCount: p.entryCount, files: p.files.map((f) => f.path) };
}
