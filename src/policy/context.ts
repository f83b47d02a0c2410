import { isAbsolute, relative } from "node:path";
import { Engine } from "../engine/engine.ts";
import { isoDate, normalizeRegistry, withZone } from "../engine/normalize.ts";
import type { EnforcementLevel, RuleInfo, Violation } from "../engine/violation.ts";
import { UsageError } from "../errors.ts";
import { checkProjectRules, loadExceptions, loadRegistry, parseExceptions, parseRegistry } from "../model/index.ts";
import type { Exception, ExceptionsSchemaOptions, LoadedExceptions, LoadedRegistry, Registry, SourceLocation, Taxonomy } from "../model/index.ts";
import { findProject, loadProject, type LoadedProject } from "../project/index.ts";
import { loadProjectBundle, type ProjectBundle } from "./project-bundle.ts";
import type { EnforcementSource } from "./enforcement.ts";
import { describePolicy, fileEnforcementSource, plainEnforcementSource, type PolicySummary, type ResolvedPolicy, withSource } from "./summary.ts";
import { projectBundlePaths } from "./compiled-bundle.ts";

/*
 * The policy session every judging command, the policy pack and the library share: which
 * vendorgate.yaml, registry and exceptions (or security's signed bundle); the engine loaded with
 * them; and the enforcement levels in force with where each came from. Commander's option wiring
 * lives in commands/options.ts.
 */

/** Which vendorgate.yaml (--config-file), and which project directory (--project). */
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

/**
 * The policy in force, described once for every caller (the session below, and `preview`, which
 * resolves levels before the engine starts): security's registry policy, vendorgate.yaml's over
 * it (which may only tighten when security's signed bundle is pinned: a pull request edits
 * vendorgate.yaml), then `extra` (the pack config's levels, or the stack file's own, which may
 * only tighten). Digests are of the bytes the loaders read, not of a second read that could differ.
 */
export function describeLoadedPolicy(
  catalogue: readonly RuleInfo[],
  inputs: PolicyInputs,
  registry: LoadedRegistry,
  extra: readonly (EnforcementSource | undefined)[],
  refs: { wasm: string; exceptions?: PolicySummary["exceptions"] },
): ResolvedPolicy {
  const { project } = inputs;
  const signed = inputs.bundle?.bundle;
  return describePolicy(
    catalogue,
    [
      fileEnforcementSource("registry", inputs.registry, ["policy", "enforcement"], registry.registry.policy?.enforcement, true, registry.source),
      project
        ? fileEnforcementSource("project", project.loaded.file, ["policy", "enforcement"], project.config.policy?.enforcement, !signed, project.loaded.source)
        : undefined,
      ...extra,
    ],
    {
      bundle: { wasm: refs.wasm, ...(signed ? { signed: { source: signed.source, digest: signed.digest, ...(signed.keyId ? { keyId: signed.keyId } : {}) } } : {}) },
      registry: { source: inputs.registry, digest: registry.digest },
      ...(refs.exceptions ? { exceptions: refs.exceptions } : {}),
    },
  );
}

/** Loads registry, engine, exceptions and overrides: everything a verdict needs besides the flows. */
export async function loadPolicyContext(opts: PolicyOptions): Promise<PolicyContext> {
  const now = parseNow(opts.now);
  const inputs = await resolvePolicyInputs(opts);
  const { project } = inputs;
  const loadedRegistry = await readRegistryInput(inputs);
  const { registry, taxonomy } = loadedRegistry;
  // The project's own bundle when it has custom rules (a missing or stale one is a fault).
  const engine = await Engine.load({ paths: projectBundlePaths(project, inputs.bundle) });
  const catalogue = engine.catalogue;
  const knownRules = catalogue.map((r) => r.id);
  // Unknown rule ids in vendorgate.yaml are reported at their line, like any other input error.
  if (project) checkProjectRules(project.loaded, knownRules);
  const fieldRules = catalogue.filter((r) => r.perField === true).map((r) => r.id);
  const loadedExceptions = await readExceptionsInput(inputs, knownRules, { fieldRules, taxonomy });
  const policy = describeLoadedPolicy(catalogue, inputs, loadedRegistry, [opts.enforcement && Object.keys(opts.enforcement).length ? plainEnforcementSource("pack", "policy pack config", opts.enforcement) : undefined], {
    wasm: `sha256:${engine.wasmDigest}`,
    ...(inputs.exceptions && loadedExceptions ? { exceptions: { source: inputs.exceptions, digest: loadedExceptions.digest } } : {}),
  });
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

