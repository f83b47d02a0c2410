import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, sep } from "node:path";
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

/**
 * vendorgate's cache beside the installed package: node_modules/.cache/vendorgate of the
 * node_modules holding it (a checkout's own node_modules otherwise). What is kept there runs in or
 * decides for the judging process, so it must be no easier to write than the package itself: never
 * a shared temporary folder (another user could plant it) nor the judged repository (a pull
 * request could). `npm ci` starts it afresh with the package.
 */
export function packageCacheDir(root = packageRoot): string {
  const marker = `${sep}node_modules${sep}`;
  const at = root.lastIndexOf(marker);
  const modules = at >= 0 ? root.slice(0, at + marker.length - 1) : join(root, "node_modules");
  return join(modules, ".cache", "vendorgate");
}

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
