import type { Command } from "commander";
import { loadManifest, type Taxonomy } from "../model/index.ts";
import { backendDirOf, type LoadedProject } from "../project/index.ts";
import { backendDir, readBackend, type RecordedFlow, type Snapshot } from "./backend.ts";
import { cmp, displayPath } from "./text.ts";

/*
 * The flows the incident commands work from: the integrations of the manifests given on the
 * command line and of the Pulumi stacks in the local backend (their current state and, for
 * `exposure`, every checkpoint of their history). Manifests are validated like `check` does;
 * recorded state is taken as found, since a checkpoint is history and history is not re-judged.
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
  snapshots: Snapshot[];
}

export interface SourceOptions {
  manifest?: string[];
  backend?: string;
  /** vendorgate.yaml: the default backend and each stack's residency. */
  projectConfig?: LoadedProject | undefined;
  /** false with --no-state: manifests only. */
  state: boolean;
}

export function addSourceOptions(cmd: Command, what = "integrations count"): Command {
  return cmd
    .option("--manifest <file>", `a manifest (YAML or JSON) whose ${what}; repeatable`, (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option("--backend <dir>", "local Pulumi state backend to read stacks from (default: vendorgate.yaml's backend)")
    .option("--no-state", "ignore the Pulumi stacks' state; manifests only");
}

const display = displayPath;

/** A stack's residency from vendorgate.yaml's per-stack settings. */
function residencyOf(project: LoadedProject | undefined, stack: string): string[] | undefined {
  const r = project?.config.stacks?.[stack]?.residency;
  return r ? [...r] : undefined;
}

export async function loadFlows(opts: SourceOptions & { history?: boolean }, taxonomy: Taxonomy): Promise<FlowSet> {
  const flows: Flow[] = [];
  const manifests = opts.manifest ?? [];
  for (const file of manifests) {
    const { manifest } = await loadManifest(file, taxonomy);
    for (const i of manifest.integrations) {
      flows.push({
        origin: "manifest",
        file: display(file),
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
  const set: FlowSet = { flows, warnings: [], manifests: manifests.map(display), snapshots: [] };
  if (!opts.state) return set;
  const dir = backendDir(opts.backend ?? (opts.projectConfig ? backendDirOf(opts.projectConfig.config.backend) : undefined));
  const contents = readBackend(dir, { history: opts.history === true });
  set.backend = display(dir);
  set.warnings.push(...contents.warnings);
  set.snapshots = contents.snapshots;
  const projectsOf = new Map<string, Set<string>>();
  for (const snap of contents.snapshots) projectsOf.set(snap.stack, (projectsOf.get(snap.stack) ?? new Set()).add(snap.project));
  for (const snap of contents.snapshots) {
    const residency = residencyOf(opts.projectConfig, snap.stack);
    const label = projectsOf.get(snap.stack)!.size > 1 ? `${snap.project}/${snap.stack}` : snap.stack;
    for (const integration of snap.flows) {
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
  return set;
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
