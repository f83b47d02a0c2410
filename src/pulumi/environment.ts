import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { packageRoot, toolsDir } from "../paths.ts";

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

/** The pinned pulumi CLI from the tool cache (scripts/setup.sh builds it). */
export async function pulumiCommand(): Promise<PulumiCommand> {
  return PulumiCommand.get({ root: toolsDir(), skipVersionCheck: true });
}
