import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import pLimit from "p-limit";
import { cmp } from "../text/order.ts";
import { FlowInterner, readCheckpoint, type Snapshot, timeFromName } from "./checkpoint.ts";
import { BackendError } from "./errors.ts";
import type { ObjectStore } from "./object-store.ts";
import { Progress } from "./progress.ts";

/*
 * Pulumi's diy backend (the one behind file:// and s3:// URLs), read from any object store.
 *
 * Layout (meta.yaml version 1): .pulumi/stacks/<project>/<stack>.json and
 * .pulumi/history/<project>/<stack>/<stack>-<unix nanoseconds>.checkpoint.json; the legacy layout
 * (no meta.yaml, or version 0) drops the <project> level. Any of them may be gzipped (.json.gz,
 * written when PULUMI_DIY_BACKEND_GZIP is set). Backups (.json.bak), update records
 * (.history.json) and the file store's attribute files (.attrs) are not checkpoints.
 *
 * Checkpoints are read concurrently with a bound, each streamed through gunzip and parsed alone;
 * only the flows are kept, so memory stays flat however many stacks and checkpoints there are.
 */

export interface BackendContents {
  /** The backend as people name it. */
  label: string;
  snapshots: Snapshot[];
  /** Checkpoints that could not be parsed, or resources that are not flows; printed, never ignored. */
  warnings: string[];
  /** How many checkpoints were unreadable: the sources say so, beside the warnings. */
  unreadable: number;
}

export interface ReadOptions {
  history: boolean;
  /** Objects read at once (default 32). */
  concurrency?: number;
  progress?: Progress | false;
}

const stateKey = /^\.pulumi\/stacks\/(?:([^/]+)\/)?([^/]+)\.json(\.gz)?$/;
const historyKey = /^\.pulumi\/history\/(?:([^/]+)\/)?([^/]+)\/[^/]+\.checkpoint\.json(\.gz)?$/;

interface StackFiles {
  project: string;
  stack: string;
  state?: string;
  history: string[];
}

async function collect(stream: Readable, gzipped: boolean): Promise<Buffer> {
  const source = gzipped ? stream.pipe(createGunzip()) : stream;
  if (gzipped) stream.once("error", (err) => source.destroy(err));
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readMetaVersion(store: ObjectStore, keys: Set<string>): Promise<number> {
  if (!keys.has(".pulumi/meta.yaml")) return 0;
  const text = (await collect(await store.open(".pulumi/meta.yaml"), false)).toString("utf8");
  return Number(/^version:\s*(\d+)/m.exec(text)?.[1] ?? 0);
}

export async function readDiyBackend(store: ObjectStore, opts: ReadOptions): Promise<BackendContents> {
  const keys = await store.listPulumiKeys();
  const keySet = new Set(keys);
  const version = await readMetaVersion(store, keySet);
  const nested = version >= 1;

  const stacks = new Map<string, StackFiles>();
  const stackOf = (project: string, stack: string): StackFiles => {
    const id = `${project}\u0000${stack}`;
    let s = stacks.get(id);
    if (!s) stacks.set(id, (s = { project, stack, history: [] }));
    return s;
  };
  for (const key of keys) {
    let m = stateKey.exec(key);
    if (m && (m[1] !== undefined) === nested) {
      const s = stackOf(m[1] ?? "", m[2]!);
      // Both forms present (gzip switched on or off between deploys): the plain file is the one
      // the CLI reads first.
      if (s.state === undefined || !key.endsWith(".gz")) s.state = key;
      continue;
    }
    m = historyKey.exec(key);
    if (m && opts.history && (m[1] !== undefined) === nested) stackOf(m[1] ?? "", m[2]!).history.push(key);
  }

  const ordered = [...stacks.values()].sort((a, b) => cmp(a.project, b.project) || cmp(a.stack, b.stack));
  const progress = opts.progress === false ? undefined : (opts.progress ?? new Progress({ label: store.label }));
  progress?.total(ordered.length);
  const warnings: string[] = [];
  const interner = new FlowInterner();
  const limit = pLimit(opts.concurrency ?? 32);
  let unreadable = 0;

  const readOne = async (s: StackFiles, key: string, kind: Snapshot["kind"]): Promise<Snapshot | undefined> => {
    const where = store.display(key);
    // Opening is I/O against the backend: its failure ends the command (BackendError).
    const stream = await store.open(key);
    let doc: unknown;
    try {
      doc = JSON.parse((await collect(stream, key.endsWith(".gz"))).toString("utf8"));
    } catch (err) {
      unreadable++;
      warnings.push(`${where}: cannot read checkpoint: ${(err as Error).message}`);
      return undefined;
    }
    const parsed = readCheckpoint(doc, where, warnings, interner);
    if (typeof parsed === "string") {
      unreadable++;
      warnings.push(`${where}: cannot read checkpoint: ${parsed}`);
      return undefined;
    }
    return { project: s.project, stack: s.stack, file: where, kind, time: parsed.time ?? (kind === "history" ? timeFromName(key) : undefined), flows: parsed.flows };
  };

  try {
    const perStack = await Promise.all(
      ordered.map(async (s) => {
        const files: [string, Snapshot["kind"]][] = [...(s.state ? [[s.state, "state"] as [string, Snapshot["kind"]]] : []), ...s.history.map((h) => [h, "history"] as [string, Snapshot["kind"]])];
        const read = await Promise.all(files.map(([key, kind]) => limit(() => readOne(s, key, kind))));
        progress?.tick();
        const snaps = read.filter((x): x is Snapshot => x !== undefined);
        const state = snaps.filter((x) => x.kind === "state");
        const history = snaps.filter((x) => x.kind === "history").sort((a, b) => cmp(a.time ?? "", b.time ?? "") || cmp(a.file, b.file));
        return [...state, ...history];
      }),
    );
    warnings.sort(cmp);
    return { label: store.label, snapshots: perStack.flat(), warnings, unreadable };
  } catch (err) {
    limit.clearQueue();
    if (err instanceof BackendError) throw err;
    throw new BackendError(`backend ${store.label} cannot be read: ${(err as Error).message}`);
  } finally {
    progress?.finish();
  }
}
