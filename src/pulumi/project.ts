import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

/*
 * The Pulumi project as files: Pulumi.yaml and the stack config files. Kept apart from the
 * Automation API (workspace.ts) so commands that only read config do not load the engine client.
 */

export interface ProjectInfo {
  root: string;
  name: string;
  main: string;
  stackConfigDir: string;
}

export function projectInfo(root: string): ProjectInfo {
  const doc = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name: string; main?: string; stackConfigDir?: string };
  return { root, name: doc.name, main: join(root, doc.main ?? "index.ts"), stackConfigDir: join(root, doc.stackConfigDir ?? ".") };
}

/** The stack's own config file (stacks/Pulumi.<stack>.yaml), read for vendorgate's keys. */
export function stackConfig(project: ProjectInfo, stackName: string): Record<string, unknown> {
  try {
    const doc = parse(readFileSync(join(project.stackConfigDir, `Pulumi.${stackName}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    return doc?.config ?? {};
  } catch {
    return {};
  }
}
