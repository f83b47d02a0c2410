import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.ts";

let cached: { name: string; version: string } | undefined;

/** Name and version reports carry (SARIF driver, HTML footer), read from package.json. */
export function toolInfo(): { name: string; version: string } {
  cached ??= (({ name, version }) => ({ name, version }))(
    JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { name: string; version: string },
  );
  return cached;
}
