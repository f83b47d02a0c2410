import { pathToFileURL } from "node:url";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation/index.js";
import { pulumiCommand, pulumiEnvironment, type PulumiEnvironment } from "./environment.ts";
import { DEMO_PASSPHRASE, type ProjectInfo } from "./project.ts";

export { projectInfo, type ProjectInfo } from "./project.ts";

/*
 * Runs the project's Pulumi program through the Automation API with an inline program: the engine
 * then talks to a language server inside this process, so no Node.js language host is needed.
 */

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
  opts: { backendDir?: string; project: ProjectInfo; env?: Record<string, string> },
): Promise<OpenedStack> {
  const project = opts.project;
  const env = pulumiEnvironment(opts.backendDir, project.root);
  // The package's own example and test stacks: the Automation API's stacks of the tests.
  env.envVars.PULUMI_CONFIG_PASSPHRASE = process.env.PULUMI_CONFIG_PASSPHRASE ?? DEMO_PASSPHRASE;
  Object.assign(env.envVars, opts.env);
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: project.name, program: inlineProgram(project) },
    { workDir: project.root, pulumiHome: env.home, envVars: env.envVars, pulumiCommand: await pulumiCommand() },
  );
  return { stack, env, project };
}
