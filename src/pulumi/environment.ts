import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { UsageError } from "../errors.ts";
import { findTool, packageRoot, toolsDir } from "../paths.ts";

/**
 * Everything that keeps a Pulumi run local and offline: a file backend under the project (ignored
 * by git), a PULUMI_HOME of our own, no update checks, no plugin downloads. No passphrase: each
 * caller decides which one a stack gets, and a user's project never gets the example's.
 */
export interface PulumiEnvironment {
  backendDir: string;
  home: string;
  envVars: Record<string, string>;
}

/** `projectRoot`: the user's project; its ignored .vendorgate folder holds the default backend and Pulumi's home. */
export function pulumiEnvironment(backendDir: string | undefined, projectRoot: string): PulumiEnvironment {
  const base = resolve(backendDir ?? process.env.VENDORGATE_BACKEND ?? join(projectRoot, ".vendorgate", "backend"));
  const home = join(projectRoot, ".vendorgate", "pulumi-home");
  mkdirSync(base, { recursive: true });
  mkdirSync(home, { recursive: true });
  return {
    backendDir: base,
    home,
    envVars: {
      PULUMI_BACKEND_URL: `file://${base}`,
      PULUMI_SKIP_UPDATE_CHECK: "1",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_HOME: home,
      // The policy pack and dynamic providers must run under this Node (type stripping), and
      // through shims that use this checkout's @pulumi/pulumi.
      PATH: [dirname(process.execPath), join(packageRoot, "build", "bin"), join(toolsDir(), "bin"), process.env.PATH ?? ""].join(":"),
    },
  };
}

/** How to get the pulumi CLI, for a user whose machine has none on PATH. */
export const PULUMI_INSTALL_HINT = "install the Pulumi CLI and put `pulumi` on PATH (https://www.pulumi.com/docs/install/)";

/**
 * The pulumi CLI: the pinned one from the tool cache when scripts/setup.sh built it (a checkout),
 * else the project's own from PATH. A user who installed only the package has no tool cache, and
 * asking the Automation API for one there failed as ENOENT deep in a decrypt or a preview.
 */
export async function pulumiCommand(): Promise<PulumiCommand> {
  const cached = join(toolsDir(), "bin", "pulumi");
  if (existsSync(cached)) return PulumiCommand.get({ root: toolsDir(), skipVersionCheck: true });
  if (!findTool("pulumi")) throw new UsageError(`the pulumi CLI is not installed: ${PULUMI_INSTALL_HINT}`);
  return PulumiCommand.get({ skipVersionCheck: true });
}
