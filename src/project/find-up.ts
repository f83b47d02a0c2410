import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * The first `name` that is a file in `start` or one of its parents, as Pulumi finds Pulumi.yaml
 * and ESLint its config: a command run from a subfolder of the project finds the project's file.
 */
export function findUp(name: string, start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const candidate = join(dir, name);
    if (isFile(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
