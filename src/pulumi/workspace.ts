import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation/index.js";
import { parse } from "yaml";
import { packageRoot } from "../paths.ts";
import { pulumiCommand, pulumiEnvironment, type PulumiEnvironment } from "./environment.ts";

/*
 * Runs the project's Pulumi program through the Automation API with an inline program: the engine
 * then talks to a language server inside this process, so no Node.js language host is needed.
 */

export interface ProjectInfo {
  root: string;
  name: string;
  main: string;
  stackConfigDir: string;
}

export function projectInfo(root = packageRoot): ProjectInfo {
  const doc = parse(readFileSync(join(root, "Pulumi.yaml"), "utf8")) as { name: string; main?: string; stackConfigDir?: string };
  return { root, name: doc.name, main: join(root, doc.main ?? "index.ts"), stackConfigDir: join(root, doc.stackConfigDir ?? ".") };
}

/** The program module's default export, run inside the engine's context. */
export function inlineProgram(project: ProjectInfo): () => Promise<Record<string, unknown> | void> {
  const main = project.main;
  return async () => {
    const mod = (await import(pathToFileURL(main).href)) as { default?: () => unknown };
    if (typeof mod.default !== "function") throw new Error(`${main} must export a default function (the Pulumi program)`);
    return (await mod.default()) as Record<string, unknown> | void;
  };
}

export interface OpenedStack {
  stack: Stack;
  env: PulumiEnvironment;
  project: ProjectInfo;
}

export async function openStack(
  stackName: string,
  opts: { backendDir?: string; project?: ProjectInfo; env?: Record<string, string> } = {},
): Promise<OpenedStack> {
  const project = opts.project ?? projectInfo();
  const env = pulumiEnvironment(opts.backendDir);
  Object.assign(env.envVars, opts.env);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: project.name, program: inlineProgram(project) },
    { workDir: project.root, pulumiHome: env.home, envVars: env.envVars, pulumiCommand: await pulumiCommand() },
  );
  return { stack, env, project };
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
