import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/*
 * Code scanning and workflow annotations name files from the repository root, whatever directory
 * the command ran in: an alert for `examples/shop/manifest.yaml` must not become a different one
 * for `manifest.yaml` when the job changes directory.
 */

function walkUp(from: string, found: (dir: string) => boolean): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (found(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The git top level (a `.git` directory, or the `.git` file of a worktree or submodule), else the
 * project root (the directory of vendorgate.yaml, else of Pulumi.yaml), else `from` itself.
 * Looked up in the file system, not by running git: no child process, and the same answer
 * wherever git is missing.
 */
export function repositoryRoot(from: string = process.cwd()): string {
  return (
    walkUp(from, (d) => existsSync(join(d, ".git"))) ??
    walkUp(from, (d) => existsSync(join(d, "vendorgate.yaml"))) ??
    walkUp(from, (d) => existsSync(join(d, "Pulumi.yaml"))) ??
    resolve(from)
  );
}

/** The working directory relative to the repository root, with POSIX separators ("" at the root). */
export function cwdFromRoot(cwd: string = process.cwd()): string {
  return relative(repositoryRoot(cwd), resolve(cwd)).split(sep).join("/");
}
