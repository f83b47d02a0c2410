import { isAbsolute, relative } from "node:path";
import { Option, type Command } from "commander";
import { Engine } from "../engine/engine.ts";
import { isoDate, normalizeRegistry, withZone } from "../engine/normalize.ts";
import type { EnforcementLevel } from "../engine/violation.ts";
import { checkProjectRules, loadExceptions, loadRegistry } from "../model/index.ts";
import type { Exception, Registry, Taxonomy } from "../model/index.ts";
import { findProject, loadProject, type LoadedProject } from "../project/index.ts";
import { formatNames, type FormatName } from "../report/index.ts";

/** --config-file and --project: which vendorgate.yaml, and which project directory. */
export interface ProjectCliOptions {
  configFile?: string;
  project?: string;
}

/** Options every judging command shares, so `check`, `plan` and `preview` read the same policy inputs. */
export interface PolicyOptions extends ProjectCliOptions {
  /** Overrides vendorgate.yaml's `registry` (relative to the working directory, as options are). */
  registry?: string;
  exceptions?: string;
  now?: string;
  /** Overrides on top of vendorgate.yaml's `policy.enforcement` (the policy pack passes them here). */
  enforcement?: Record<string, EnforcementLevel>;
}

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

export interface PolicyInputs {
  /** vendorgate.yaml, when one was found (or given). */
  project: LoadedProject | undefined;
  registry: string;
  exceptions: string | undefined;
}

const projectOptions = (opts: ProjectCliOptions) => ({
  ...(opts.configFile === undefined ? {} : { configFile: opts.configFile }),
  ...(opts.project === undefined ? {} : { projectDir: opts.project }),
});

/**
 * Where the registry and exceptions are: the options when given, else vendorgate.yaml. With no
 * vendorgate.yaml a command still runs when --registry names the registry (a one-off check);
 * without either it stops and says to run `vendorgate init`.
 */
export async function resolvePolicyInputs(opts: PolicyOptions): Promise<PolicyInputs> {
  const project = opts.registry === undefined ? await loadProject(projectOptions(opts)) : await findProject(projectOptions(opts));
  return {
    project,
    registry: opts.registry ?? shownPath(project!.config.registry),
    exceptions: opts.exceptions ?? (project?.config.exceptions === undefined ? undefined : shownPath(project.config.exceptions)),
  };
}

/** A path from vendorgate.yaml as messages should name it: relative when under the working directory. */
export function shownPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}

/** The project's vendorgate.yaml when there is one (for defaults of commands that need nothing from it). */
export async function optionalProject(opts: ProjectCliOptions): Promise<LoadedProject | undefined> {
  return findProject(projectOptions(opts));
}

export interface PolicyContext {
  engine: Engine;
  registry: Registry;
  taxonomy: Taxonomy;
  exceptions: Exception[];
  enforcement: Record<string, EnforcementLevel>;
  now: string;
  registryFile: string;
  /** vendorgate.yaml, when one was used. */
  project: LoadedProject | undefined;
}

import { UsageError } from "./usage-error.ts";

export { UsageError };

export function parseNow(value: string | undefined): string {
  if (value === undefined) return isoDate(new Date());
  const shape = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!shape) throw new UsageError(`--now: expected an ISO 8601 date such as 2026-11-29 (or a date-time such as 2026-11-29T10:00:00Z), got "${value}"`);
  const day = `${shape[1]}-${shape[2]}-${shape[3]}`;
  // Date.UTC rolls 2026-02-30 over into March; a date that does not round-trip does not exist.
  if (isoDate(new Date(Date.UTC(Number(shape[1]), Number(shape[2]) - 1, Number(shape[3])))) !== day) throw new UsageError(`--now: "${value}" is not a real date`);
  if (shape[4] === undefined) return day;
  // A time keeps its offset: the day is the UTC day of that instant, as the library reads it.
  const instant = new Date(withZone(value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")));
  if (Number.isNaN(instant.getTime())) throw new UsageError(`--now: "${value}" is not a real date-time`);
  return isoDate(instant);
}

/** Loads registry, engine, exceptions and overrides: everything a verdict needs besides the flows. */
export async function loadPolicyContext(opts: PolicyOptions): Promise<PolicyContext> {
  const now = parseNow(opts.now);
  const inputs = await resolvePolicyInputs(opts);
  const { project } = inputs;
  const { registry, taxonomy } = await loadRegistry(inputs.registry);
  const engine = await Engine.load();
  const knownRules = engine.catalogue.map((r) => r.id);
  // Unknown rule ids in vendorgate.yaml are reported at their line, like any other input error.
  if (project) checkProjectRules(project.loaded, knownRules);
  const exceptions = inputs.exceptions ? (await loadExceptions(inputs.exceptions, knownRules)).exceptions : [];
  const enforcement = { ...project?.config.policy?.enforcement, ...opts.enforcement };
  const unknown = Object.keys(enforcement).filter((id) => !knownRules.includes(id));
  if (unknown.length) throw new UsageError(`enforcement override for unknown rule ${unknown.join(", ")} (known: ${knownRules.join(", ")})`);
  engine.setRegistry(normalizeRegistry(registry));
  return { engine, registry, taxonomy, exceptions, enforcement, now, registryFile: inputs.registry, project };
}

export type { FormatName };
