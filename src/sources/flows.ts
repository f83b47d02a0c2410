import type { Command } from "commander";
import { loadManifest, type Taxonomy } from "../model/index.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LoadedProject } from "../project/index.ts";
import { chooseBackend, defaultBackendDir, parseBackendUrl } from "./backend-url.ts";
import { readBackend, type RecordedFlow, type Snapshot } from "./backend.ts";
import { BackendError } from "./errors.ts";
import { cmp, displayPath } from "../text/output.ts";
import { readStackFile, readStackPolicy, stackResidency } from "../policy/stack.ts";
import type { EnforcementSource } from "../policy/enforcement.ts";
import { pulumiProjectDir } from "../project/index.ts";
import { projectStacks } from "../pulumi/project.ts";
import { UsageError } from "../errors.ts";

/*
 * The flows the incident commands work from: the integrations of the manifests given on the
 * command line and of the Pulumi stacks in the organisation's backend (file://, s3:// or Pulumi
 * Cloud: their current state and, for `exposure`, every checkpoint of their history). Manifests
 * are validated as `check` validates them; recorded state is taken as found, since a checkpoint
 * is history and history is not re-judged.
 */

export type FlowOrigin = "manifest" | "state" | "history";

export interface Flow {
  origin: FlowOrigin;
  /** Manifest or checkpoint file, relative to the working directory. */
  file: string;
  /**
   * The stack the flow belongs to, as people read it; a manifest without `stack:` has none. A
   * stack name that two projects of the backend share is written project/stack.
   */
  stack: string | undefined;
  project?: string;
  /** The stack's own name in the backend (state and history only). */
  stackName?: string;
  residency?: string[];
  /**
   * The stack file's own enforcement levels (Pulumi.<stack>.yaml `vendorgate:enforcement`, which
   * may only tighten), for state of the Pulumi project here, read as plan and the pack read them.
   */
  enforcement?: EnforcementSource;
  /** When the checkpoint was written; manifests carry no date. */
  time?: string;
  integration: RecordedFlow;
}

export interface FlowSet {
  flows: Flow[];
  /** Recorded state that could not be read; printed, never ignored. */
  warnings: string[];
  manifests: string[];
  /** The backend read, when state was read. */
  backend?: string;
  /** Checkpoints of the backend that could not be parsed (each also in `warnings`). */
  unreadable: number;
  snapshots: Snapshot[];
}

export interface SourceOptions {
  manifest?: string[];
  backend?: string;
  /** vendorgate.yaml: the default backend and each stack's residency. */
  projectConfig?: LoadedProject | undefined;
  /** false with --no-state: manifests only. */
  state: boolean;
  /**
   * The policy's rule ids: given, each stack of the Pulumi project here (as plan finds it) has its
   * stack file's settings read, so what judges its state judges it as plan and the pack do.
   */
  stackRules?: readonly string[];
  /**
   * Only the flows to this vendor (exposure): a fleet's history holds tens of thousands of
   * recorded flows, and one incident is about one vendor's.
   */
  onlyVendor?: string;
}

export function addSourceOptions(cmd: Command, what = "integrations count"): Command {
  return cmd
    .option("--manifest <file>", `a manifest (YAML or JSON) whose ${what}; repeatable`, (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option(
      "--backend <url>",
      "Pulumi backend to read stacks from: file://<dir> (or a directory), s3://bucket/prefix?region=…&endpoint=…, or Pulumi Cloud (https://api.pulumi.com, through the pulumi CLI). " +
        "Default: backend in vendorgate.yaml, else PULUMI_BACKEND_URL, else VENDORGATE_BACKEND, else .vendorgate/backend when it exists",
    )
    .option("--no-state", "ignore the Pulumi stacks' state; manifests only");
}

export async function loadFlows(opts: SourceOptions & { history?: boolean }, taxonomy: Taxonomy): Promise<FlowSet> {
  const flows: Flow[] = [];
  const manifests = opts.manifest ?? [];
  for (const file of manifests) {
    const { manifest } = await loadManifest(file, taxonomy);
    for (const i of manifest.integrations) {
      if (opts.onlyVendor !== undefined && i.vendor !== opts.onlyVendor) continue;
      flows.push({
        origin: "manifest",
        file: displayPath(file),
        stack: manifest.stack?.name,
        ...(manifest.stack?.residency ? { residency: manifest.stack.residency } : {}),
        integration: {
          name: i.name,
          vendor: i.vendor,
          purpose: i.purpose,
          subjects: [...i.subjects],
          enabled: i.enabled,
          destination: { ...i.destination },
          ...(i.credentials ? { credentials: { ...i.credentials } } : {}),
          fields: i.fields.map((f) => ({ ...f })),
        },
      });
    }
  }
  const set: FlowSet = { flows, warnings: [], manifests: manifests.map(displayPath), snapshots: [], unreadable: 0 };
  if (!opts.state) return set;
  const project = opts.projectConfig;
  // vendorgate.yaml's backend counts as a setting only when the file names one; otherwise the
  // backend the Pulumi CLI is pointed at comes first, then the project's local default.
  const configured = project?.loaded.config.backend !== undefined ? { url: project!.config.backend, file: project!.configFile, dir: project!.root } : undefined;
  const setting = chooseBackend({ ...(opts.backend !== undefined ? { flag: opts.backend } : {}), ...(configured ? { config: configured } : {}) });
  const fallback = project ? join(project.root, ".vendorgate", "backend") : defaultBackendDir();
  let spec;
  if (setting) {
    spec = parseBackendUrl(setting);
  } else if (existsSync(join(fallback, ".pulumi"))) {
    spec = parseBackendUrl({ value: fallback, from: "the default backend", baseDir: process.cwd() });
  } else if (manifests.length) {
    // Nothing configured and nothing deployed here: the manifests are the sources, and the
    // output's source list says no backend was read.
    return set;
  } else {
    throw new BackendError(
      "nothing to read: no --manifest given and no Pulumi backend set (--backend, backend in vendorgate.yaml, PULUMI_BACKEND_URL or VENDORGATE_BACKEND)",
    );
  }
  let contents;
  try {
    contents = await readBackend(spec, { history: opts.history === true });
  } catch (err) {
    if (err instanceof BackendError && setting) throw new BackendError(`${err.message} (backend set by ${setting.from})`);
    throw err;
  }
  set.backend = contents.label;
  set.warnings.push(...contents.warnings);
  set.unreadable = contents.unreadable;
  set.snapshots = contents.snapshots;
  const projectsOf = new Map<string, Set<string>>();
  for (const snap of contents.snapshots) projectsOf.set(snap.stack, (projectsOf.get(snap.stack) ?? new Set()).add(snap.project));
  for (const snap of contents.snapshots) {
    const residency = stackResidency(opts.projectConfig, snap.stack);
    const label = projectsOf.get(snap.stack)!.size > 1 ? `${snap.project}/${snap.stack}` : snap.stack;
    for (const integration of snap.flows) {
      if (opts.onlyVendor !== undefined && integration.vendor !== opts.onlyVendor) continue;
      flows.push({
        origin: snap.kind,
        file: snap.file,
        stack: label,
        project: snap.project,
        stackName: snap.stack,
        ...(residency ? { residency } : {}),
        ...(snap.time ? { time: snap.time } : {}),
        integration,
      });
    }
  }
  if (opts.stackRules) set.flows = await withStackSettings(flows, opts.projectConfig, opts.stackRules);
  return set;
}

/**
 * The flows with each stack's own settings (Pulumi.<stack>.yaml `vendorgate:residency` and
 * `vendorgate:enforcement`, read as plan and the pack read them) for the state of the Pulumi
 * project here; others as they were. New objects, in the same order.
 */
export async function withStackSettings(flows: readonly Flow[], project: LoadedProject | undefined, rules: readonly string[]): Promise<Flow[]> {
  const here = flows.some((f) => f.origin !== "manifest") ? localProject(project) : undefined;
  if (!here) return [...flows];
  const policies = new Map<string, Awaited<ReturnType<typeof stackPolicyOf>>>();
  const out: Flow[] = [];
  for (const f of flows) {
    if (f.origin === "manifest" || f.stackName === undefined || f.project !== here.name) {
      out.push(f);
      continue;
    }
    if (!policies.has(f.stackName)) policies.set(f.stackName, await stackPolicyOf(here, f.stackName, project, rules));
    const { residency, enforcement } = policies.get(f.stackName)!;
    const { residency: _old, enforcement: _was, ...rest } = f;
    out.push({ ...rest, ...(residency ? { residency: [...residency] } : {}), ...(enforcement ? { enforcement } : {}) });
  }
  return out;
}

/** The Pulumi project plan would run here, or none: the incident commands also run outside any. */
function localProject(project: LoadedProject | undefined) {
  let dir;
  try {
    dir = pulumiProjectDir(project ? { configRoot: project.root } : {});
  } catch (e) {
    if (e instanceof UsageError) return undefined;
    throw e;
  }
  return projectStacks(dir);
}

async function stackPolicyOf(project: ReturnType<typeof projectStacks>, stack: string, config: LoadedProject | undefined, rules: readonly string[]) {
  return readStackPolicy(stack, await readStackFile(project, stack), config, rules);
}

/** Flows as they stand now: manifests and current state, not history. */
export const current = (set: FlowSet): Flow[] => set.flows.filter((f) => f.origin !== "history");

/** Where a flow was read from, for people. */
export function originLabel(f: Flow): string {
  if (f.origin === "manifest") return f.file;
  return f.origin === "state" ? `Pulumi state of ${f.stack}` : `checkpoint ${f.file}`;
}

export const stackLabel = (f: Pick<Flow, "stack">): string => f.stack ?? "(no stack)";

export function compareFlows(a: Flow, b: Flow): number {
  return (
    cmp(stackLabel(a), stackLabel(b)) ||
    cmp(a.integration.name, b.integration.name) ||
    cmp(a.origin, b.origin) ||
    cmp(a.file, b.file)
  );
}
