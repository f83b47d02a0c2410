import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's own root: policies, build output and the example program sit under it. */
export const packageRoot = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

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
