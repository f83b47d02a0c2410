import { Option, type Command } from "commander";
import type { LoadedProject } from "../project/index.ts";
import { formatNames, type FormatName } from "../report/index.ts";

/*
 * Commander wiring the commands share. What the options mean (which vendorgate.yaml, registry and
 * exceptions judge) is src/policy/context.ts.
 */

export const configFileHelp = "vendorgate.yaml to use (default: the nearest one in the project directory or above)";
export const projectHelp = "the project directory (default: the working directory)";

export function addProjectOptions(cmd: Command): Command {
  return cmd.option("--config-file <file>", configFileHelp).option("--project <dir>", projectHelp);
}

export function addPolicyOptions(cmd: Command): Command {
  return addProjectOptions(cmd)
    .option("--registry <file>", "vendor registry, instead of vendorgate.yaml's `registry`")
    .option("--exceptions <file>", "time-boxed waivers, instead of vendorgate.yaml's `exceptions`")
    .option("--now <date>", "evaluation date, ISO 8601 (default: today)");
}

/** --format without a commander default, so vendorgate.yaml's `output.format` can fill it in. */
export function addFormatOption(cmd: Command, formats: readonly string[] = formatNames): Command {
  return cmd.addOption(new Option("--format <format>", "output format (default: vendorgate.yaml's output.format, else text)").choices([...formats]));
}

/** --format, else vendorgate.yaml's `output.format`, else text. */
export function reportFormat(format: FormatName | undefined, project: LoadedProject | undefined): FormatName {
  return format ?? project?.config.output?.format ?? "text";
}
