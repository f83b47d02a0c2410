import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { findUp } from "./find-up.ts";

/**
 * The Pulumi project a command runs on: --project DIR, else the nearest Pulumi.yaml at or above
 * the working directory (as the pulumi CLI finds it), else the one beside vendorgate.yaml.
 */
export function pulumiProjectDir(opts: { cwd?: string; projectDir?: string; configRoot?: string } = {}): string {
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (opts.projectDir !== undefined) {
    const dir = resolve(cwd, opts.projectDir);
    if (!existsSync(join(dir, "Pulumi.yaml"))) throw new UsageError(`--project ${opts.projectDir}: no Pulumi.yaml in ${dir}`);
    return dir;
  }
  const found = findUp("Pulumi.yaml", cwd);
  if (found) return resolve(found, "..");
  if (opts.configRoot !== undefined && existsSync(join(opts.configRoot, "Pulumi.yaml"))) return opts.configRoot;
  throw new UsageError(`no Pulumi.yaml in ${cwd} or any directory above it: run from your Pulumi project or pass --project DIR`);
}
