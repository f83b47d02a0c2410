import type { RecordedDeclaration } from "../engine/normalize.ts";
import { INTEGRATION_TYPE } from "../model/declaration.ts";

/*
 * What one Pulumi checkpoint says about data flows. The Integration component records its
 * declaration as outputs, so a stack's state and each checkpoint of its history say exactly which
 * flows were deployed, and when. Values are taken as found after a shape check: a checkpoint is
 * history, and history is not re-judged.
 */

/** A flow as recorded in a checkpoint (the Integration's outputs). */
export type RecordedFlow = RecordedDeclaration;

export interface Snapshot {
  project: string;
  stack: string;
  /** Where it was read: a file relative to the working directory, an object URL, or a stack version. */
  file: string;
  kind: "state" | "history";
  /** When the engine wrote it (ISO 8601, UTC). */
  time: string | undefined;
  flows: RecordedFlow[];
}


// Pulumi marks a secret value with this signature key; its ciphertext must never be printed.
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const REDACTED = "[secret]";

function isSecret(v: unknown): boolean {
  return typeof v === "object" && v !== null && SECRET_SIG in v;
}

function str(v: unknown): string | undefined {
  if (isSecret(v)) return REDACTED;
  return typeof v === "string" ? v : undefined;
}

/** The declaration in an Integration's outputs, or a reason it is not one. */
export function recordedFlow(outputs: unknown): RecordedFlow | string {
  if (typeof outputs !== "object" || outputs === null) return "no outputs";
  const o = outputs as Record<string, unknown>;
  const name = str(o.name);
  const vendor = str(o.vendor);
  if (!name || !vendor) return "no name or vendor in its outputs";
  const dest = (isSecret(o.destination) ? {} : (o.destination ?? {})) as Record<string, unknown>;
  const fieldsRaw = Array.isArray(o.fields) ? o.fields : isSecret(o.fields) ? null : [];
  if (fieldsRaw === null) return "its fields are a secret";
  const fields: RecordedFlow["fields"] = [];
  for (const f of fieldsRaw) {
    const fr = (f ?? {}) as Record<string, unknown>;
    const path = str(fr.path);
    const category = str(fr.category);
    if (path === undefined || category === undefined) return "a field without path or category";
    fields.push({ path, category, transform: str(fr.transform) ?? "none" });
  }
  const creds = o.credentials as Record<string, unknown> | undefined;
  return {
    name,
    vendor,
    purpose: str(o.purpose) ?? "",
    subjects: Array.isArray(o.subjects) ? o.subjects.map((s) => str(s)).filter((s): s is string => s !== undefined) : [],
    enabled: o.enabled !== false,
    destination: { url: str(dest.url) ?? "", region: str(dest.region) ?? "" },
    ...(creds && typeof creds.secret === "boolean" ? { credentials: { secret: creds.secret } } : {}),
    fields,
  };
}

/** Second precision, UTC: the engine writes nanoseconds and a local offset. */
export function normalizeTime(t: string): string | undefined {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The time in a history file's name (<stack>-<unix nanoseconds>.checkpoint.json). */
export function timeFromName(name: string): string | undefined {
  const ns = /-(\d{16,20})\.checkpoint\.json(?:\.gz)?$/.exec(name)?.[1];
  return ns ? normalizeTime(new Date(Number(BigInt(ns) / 1_000_000n)).toISOString()) : undefined;
}

/**
 * Interns recorded flows, and the lists of them: ten checkpoints of a stack, and the stacks of a
 * fleet deployed from one program, mostly repeat the same declarations, and holding each flow and
 * each list once keeps what a read retains to the distinct declarations, not one copy per checkpoint.
 */
export class FlowInterner {
  readonly #seen = new Map<string, RecordedFlow>();
  readonly #ids = new Map<RecordedFlow, number>();
  readonly #lists = new Map<string, readonly RecordedFlow[]>();
  intern(flow: RecordedFlow): RecordedFlow {
    const key = JSON.stringify(flow);
    const known = this.#seen.get(key);
    if (known) return known;
    this.#seen.set(key, flow);
    this.#ids.set(flow, this.#ids.size);
    return flow;
  }
  /** The one shared copy of a list of interned flows (frozen: every snapshot that has it shares it). */
  list(flows: RecordedFlow[]): RecordedFlow[] {
    const key = flows.map((f) => this.#ids.get(f) ?? this.#ids.get(this.intern(f))).join(",");
    const known = this.#lists.get(key);
    if (known) return known as RecordedFlow[];
    const list = Object.freeze(flows.map((f) => this.intern(f)));
    this.#lists.set(key, list);
    return list as RecordedFlow[];
  }
}

interface Deployment {
  manifest?: { time?: unknown };
  resources?: unknown;
}

/**
 * The flows and time of a checkpoint document: a backend file (`{checkpoint: {latest}}`) or the
 * output of `pulumi stack export` (`{deployment}`). Returns a reason when it is neither.
 */
export function readCheckpoint(
  doc: unknown,
  where: string,
  warnings: string[],
  interner: FlowInterner,
): { time: string | undefined; flows: RecordedFlow[] } | string {
  const d = doc as { checkpoint?: { latest?: Deployment | null }; deployment?: Deployment } | null;
  if (typeof d !== "object" || d === null || (d.checkpoint === undefined && d.deployment === undefined)) return "not a Pulumi checkpoint (no checkpoint or deployment)";
  // A stack created but never deployed has a checkpoint without `latest`: no flows.
  const latest = d.checkpoint ? d.checkpoint.latest : d.deployment;
  const time = typeof latest?.manifest?.time === "string" ? normalizeTime(latest.manifest.time) : undefined;
  const flows: RecordedFlow[] = [];
  const resources = Array.isArray(latest?.resources) ? (latest.resources as Record<string, unknown>[]) : [];
  for (const r of resources) {
    if (r?.type !== INTEGRATION_TYPE || r.delete === true) continue;
    const flow = recordedFlow(r.outputs);
    if (typeof flow === "string") warnings.push(`${where}: ${String(r.urn)}: skipped, ${flow}`);
    else flows.push(interner.intern(flow));
  }
  return { time, flows: interner.list(flows) };
}
