import { isAbsolute, relative } from "node:path";
import { Option, type Command } from "commander";
import { Engine } from "../engine/engine.ts";
import { isoDate, normalizeRegistry, withZone } from "../engine/normalize.ts";
import type { EnforcementLevel, Violation } from "../engine/violation.ts";
import { checkProjectRules, loadExceptions, loadRegistry, parseExceptions, parseRegistry } from "../model/index.ts";
import type { Exception, ExceptionsSchemaOptions, LoadedExceptions, LoadedRegistry, Registry, SourceLocation, Taxonomy } from "../model/index.ts";
import type { EnforcementSource } from "../policy/enforcement.ts";
import { describePolicy, fileEnforcementSource, plainEnforcementSource, type ResolvedPolicy, withSource } from "../policy/summary.ts";
import { findProject, loadProject, loadProjectBundle, type LoadedProject, type ProjectBundle } from "../project/index.ts";
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
  /**
   * Levels already resolved by vendorgate itself (the policy pack gets them in the config file
   * `preview` writes); VG006 is still refused.
   */
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
  /** The registry as messages name it: a path, or `<bundle>#registry`. */
  registry: string;
  exceptions: string | undefined;
  /** Security's signed bundle, verified, when vendorgate.yaml pins one: the registry and exceptions are its members. */
  bundle?: ProjectBundle | undefined;
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
  if (project?.config.policyBundle) {
    // The signed bundle is the policy; an option naming another file would replace it unseen.
    for (const [flag, given] of [
      ["--registry", opts.registry],
      ["--exceptions", opts.exceptions],
    ] as const) {
      if (given !== undefined) {
        throw new UsageError(`${flag}: ${project.loaded.file} pins security's signed policy bundle (policyBundle), which holds the registry and exceptions; no file may replace them`);
      }
    }
    const bundle = (await loadProjectBundle(project))!;
    return { project, registry: bundle.registry.source, exceptions: bundle.exceptions?.source, bundle };
  }
  const registry = opts.registry ?? project?.config.registry;
  if (registry === undefined) throw new UsageError(`${project?.loaded.file ?? "vendorgate.yaml"} names no registry`);
  return {
    project,
    registry: opts.registry ?? shownPath(registry),
    exceptions: opts.exceptions ?? (project?.config.exceptions === undefined ? undefined : shownPath(project.config.exceptions)),
  };
}

/** The registry the inputs name: a file, or the signed bundle's member (already verified). */
export async function readRegistryInput(inputs: PolicyInputs): Promise<LoadedRegistry> {
  return inputs.bundle ? parseRegistry(inputs.bundle.registry.text, inputs.bundle.registry.source) : loadRegistry(inputs.registry);
}

/** The exceptions the inputs name, if any: a file, or the signed bundle's member. */
export async function readExceptionsInput(inputs: PolicyInputs, knownRules: readonly string[], opts: ExceptionsSchemaOptions): Promise<LoadedExceptions | undefined> {
  if (inputs.bundle) return inputs.bundle.exceptions ? parseExceptions(inputs.bundle.exceptions.text, inputs.bundle.exceptions.source, knownRules, opts) : undefined;
  return inputs.exceptions === undefined ? undefined : loadExceptions(inputs.exceptions, knownRules, opts);
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
  /** What judges: the policy's inputs and digests, enforcement levels with where each came from. */
  policy: ResolvedPolicy;
  exceptionsFile: string | undefined;
  /** Where each exception starts in its file, by id: findings about an exception point there. */
  exceptionLocations: ReadonlyMap<string, SourceLocation>;
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
  const loadedRegistry = await readRegistryInput(inputs);
  const { registry, taxonomy } = loadedRegistry;
  const engine = await Engine.load();
  const catalogue = engine.catalogue;
  const knownRules = catalogue.map((r) => r.id);
  // Unknown rule ids in vendorgate.yaml are reported at their line, like any other input error.
  if (project) checkProjectRules(project.loaded, knownRules);
  const fieldRules = catalogue.filter((r) => r.perField === true).map((r) => r.id);
  const loadedExceptions = await readExceptionsInput(inputs, knownRules, { fieldRules, taxonomy });
  const signed = inputs.bundle?.bundle;
  const policy = describePolicy(
    catalogue,
    [
      fileEnforcementSource("registry", inputs.registry, ["policy", "enforcement"], registry.policy?.enforcement, true, loadedRegistry.source),
      project
        ? // With a signed bundle, vendorgate.yaml is the repository's (a pull request edits it): it may only tighten.
          fileEnforcementSource("project", project.loaded.file, ["policy", "enforcement"], project.config.policy?.enforcement, !signed, project.loaded.source)
        : undefined,
      opts.enforcement && Object.keys(opts.enforcement).length ? plainEnforcementSource("pack", "policy pack config", opts.enforcement) : undefined,
    ],
    {
      bundle: {
        wasm: `sha256:${engine.wasmDigest}`,
        ...(signed ? { signed: { source: signed.source, digest: signed.digest, ...(signed.keyId ? { keyId: signed.keyId } : {}) } } : {}),
      },
      // Digests of the bytes that were loaded above, not of a second read that could differ.
      registry: { source: inputs.registry, digest: loadedRegistry.digest },
      ...(inputs.exceptions && loadedExceptions ? { exceptions: { source: inputs.exceptions, digest: loadedExceptions.digest } } : {}),
    },
  );
  engine.setRegistry(normalizeRegistry(registry));
  return {
    engine,
    registry,
    taxonomy,
    exceptions: loadedExceptions?.exceptions ?? [],
    enforcement: policy.resolved.levels,
    now,
    registryFile: inputs.registry,
    project,
    policy,
    exceptionsFile: inputs.exceptions,
    exceptionLocations: loadedExceptions?.locations ?? new Map(),
  };
}

/**
 * The context with a stack's own enforcement (Pulumi.<stack>.yaml `vendorgate:enforcement`)
 * applied: it may only tighten security's levels, and anything else is an input error there.
 */
export function withStackEnforcement(ctx: PolicyContext, source: EnforcementSource | undefined): PolicyContext {
  if (!source) return ctx;
  const policy = withSource(ctx.engine.catalogue, ctx.policy, source);
  return { ...ctx, policy, enforcement: policy.resolved.levels };
}

/** Points each finding about an exception (VG012 with `exception`) at that exception's line. */
export function locateExceptionFindings(ctx: PolicyContext, violations: Violation[]): void {
  for (const v of violations) {
    const at = v.exception === undefined ? undefined : ctx.exceptionLocations.get(v.exception);
    if (at) v.location = { file: at.file, line: at.line, column: at.column };
  }
}

export type { FormatName };
