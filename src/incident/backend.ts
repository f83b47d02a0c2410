import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { packageRoot } from "../paths.ts";
import { cmp, displayPath } from "./text.ts";
import type { IntegrationDeclaration } from "../components/integration.ts";

/*
 * Reads Pulumi's local file backend directly: the current state of every stack and every
 * checkpoint its history kept. The Integration component records its declaration as outputs, so
 * the state and each checkpoint say exactly which flows were deployed, and when. Reading files
 * (not `pulumi stack export`) needs no passphrase and no engine, and sees stacks of any project.
 *
 * Layout (meta.yaml version 1): .pulumi/stacks/<project>/<stack>.json and
 * .pulumi/history/<project>/<stack>/<stack>-<unix nanoseconds>.checkpoint.json; the legacy layout
 * drops the <project> level. Either may be gzipped (.json.gz).
 */

/** A flow as recorded in a checkpoint (the Integration's outputs); values are as found, after a shape check only. */
export type RecordedFlow = IntegrationDeclaration;

export interface Snapshot {
  project: string;
  stack: string;
  /** The checkpoint file, relative to the working directory. */
  file: string;
  kind: "state" | "history";
  /** When the engine wrote it (ISO 8601, UTC). */
  time: string | undefined;
  flows: RecordedFlow[];
}

export interface BackendContents {
  dir: string;
  snapshots: Snapshot[];
  /** Things that could not be read; the commands print them, they never pass silently. */
  warnings: string[];
}

/**
 * The backend directory the deploy commands use, without creating it: reading must not leave an
 * empty backend behind where none was.
 */
export function backendDir(dir?: string): string {
  return resolve(dir ?? process.env.VENDORGATE_BACKEND ?? join(packageRoot, ".vendorgate", "backend"));
}

/**
 * The Integration component's type token (src/components/integration.ts). Written out rather than
 * imported: that module loads the Pulumi SDK, seconds of start-up for a command that reads files.
 */
export const INTEGRATION_TYPE = "vendorgate:index:Integration";

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

function readJson(file: string): unknown {
  const bytes = readFileSync(file);
  return JSON.parse((file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"));
}

const display = displayPath;

function snapshotOf(file: string, project: string, stack: string, kind: Snapshot["kind"], warnings: string[]): Snapshot | undefined {
  let doc: unknown;
  try {
    doc = readJson(file);
  } catch (err) {
    warnings.push(`${display(file)}: cannot read checkpoint: ${(err as Error).message}`);
    return undefined;
  }
  const latest = (doc as { checkpoint?: { latest?: { manifest?: { time?: unknown }; resources?: unknown } } })?.checkpoint?.latest;
  const time = typeof latest?.manifest?.time === "string" ? normalizeTime(latest.manifest.time) : timeFromName(file);
  const flows: RecordedFlow[] = [];
  const resources = Array.isArray(latest?.resources) ? (latest.resources as Record<string, unknown>[]) : [];
  for (const r of resources) {
    if (r?.type !== INTEGRATION_TYPE || r.delete === true) continue;
    const flow = recordedFlow(r.outputs);
    if (typeof flow === "string") warnings.push(`${display(file)}: ${String(r.urn)}: skipped, ${flow}`);
    else flows.push(flow);
  }
  return { project, stack, file: display(file), kind, time, flows };
}

/** Second precision, UTC: the engine writes nanoseconds and a local offset. */
function normalizeTime(t: string): string | undefined {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function timeFromName(file: string): string | undefined {
  const ns = /-(\d{16,20})\.checkpoint\.json(?:\.gz)?$/.exec(file)?.[1];
  return ns ? normalizeTime(new Date(Number(BigInt(ns) / 1_000_000n)).toISOString()) : undefined;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort(cmp);
  } catch {
    return [];
  }
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

const stackFile = /^(.+)\.json(\.gz)?$/;
const checkpointFile = /\.checkpoint\.json(\.gz)?$/;

/**
 * Every stack's current state and, with `history`, every checkpoint. Snapshots come sorted by
 * project and stack, each stack's state first and then its checkpoints in time order, so
 * everything built from them is deterministic.
 */
export function readBackend(dir: string, opts: { history: boolean }): BackendContents {
  const root = join(dir, ".pulumi");
  const warnings: string[] = [];
  const snapshots: Snapshot[] = [];
  if (!existsSync(root)) return { dir, snapshots, warnings };

  const stacksRoot = join(root, "stacks");
  const historyRoot = join(root, "history");
  // meta.yaml version 1 nests stacks and history under the project; without it (version 0) they
  // sit directly in stacks/ and history/.
  let version = 0;
  try {
    version = Number(/^version:\s*(\d+)/m.exec(readFileSync(join(root, "meta.yaml"), "utf8"))?.[1] ?? 0);
  } catch {
    // No meta.yaml: the legacy layout.
  }

  const addStacks = (project: string, stackDir: string, historyDir: string) => {
    const stacks = new Set<string>();
    for (const f of listDir(stackDir)) {
      const m = stackFile.exec(f);
      if (m) stacks.add(m[1]!);
    }
    if (opts.history) for (const s of listDir(historyDir)) if (isDir(join(historyDir, s))) stacks.add(s);
    for (const stack of [...stacks].sort(cmp)) {
      const current = [join(stackDir, `${stack}.json`), join(stackDir, `${stack}.json.gz`)].find((p) => existsSync(p));
      if (current) {
        const snap = snapshotOf(current, project, stack, "state", warnings);
        if (snap) snapshots.push(snap);
      }
      if (!opts.history) continue;
      const dirOf = join(historyDir, stack);
      const history = listDir(dirOf)
        .filter((f) => checkpointFile.test(f))
        .map((f) => snapshotOf(join(dirOf, f), project, stack, "history", warnings))
        .filter((s): s is Snapshot => s !== undefined)
        .sort((a, b) => cmp(a.time ?? "", b.time ?? "") || cmp(a.file, b.file));
      snapshots.push(...history);
    }
  };

  if (version < 1) {
    addStacks("", stacksRoot, historyRoot);
  } else {
    const projects = new Set(listDir(stacksRoot).filter((p) => isDir(join(stacksRoot, p))));
    if (opts.history) for (const p of listDir(historyRoot)) if (isDir(join(historyRoot, p))) projects.add(p);
    for (const project of [...projects].sort(cmp)) addStacks(project, join(stacksRoot, project), join(historyRoot, project));
  }
  return { dir, snapshots, warnings };
}
