import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The package's own root (where its package.json is): policies and build output sit under it.
 * Found by walking up, since this code runs from src/, or bundled into a chunk under dist/.
 */
export const packageRoot = ((): string => {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return dirname(start);
  }
})();

/** Where scripts/setup.sh keeps the pinned toolchain (outside the checkout). */
export function toolsDir(): string {
  return process.env.VENDORGATE_TOOLS ?? join(homedir(), ".cache", "vendorgate");
}

/** A tool from the pinned cache first, then PATH; undefined when neither has it. */
export function findTool(name: string): string | undefined {
  const cached = join(toolsDir(), "bin", name);
  if (existsSync(cached)) return cached;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
