import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { cmp } from "../text/order.ts";
import { FlowInterner, readCheckpoint, type Snapshot, timeFromName } from "./checkpoint.ts";
import { BackendError } from "./errors.ts";
import type { ObjectStore, StoredObject } from "./object-store.ts";
import { Progress, type ProgressSink } from "./progress.ts";

/*
 * Pulumi's diy backend (the one behind file:// and s3:// URLs), read from any object store.
 *
 * Layout (meta.yaml version 1): .pulumi/stacks/<project>/<stack>.json and
 * .pulumi/history/<project>/<stack>/<stack>-<unix nanoseconds>.checkpoint.json; the legacy layout
 * (no meta.yaml, or version 0) drops the <project> level. Any of them may be gzipped (.json.gz,
 * written when PULUMI_DIY_BACKEND_GZIP is set). Backups (.json.bak), update records
 * (.history.json) and the file store's attribute files (.attrs) are not checkpoints.
 *
 * Checkpoints are read by a fixed pool of readers within a byte budget, each streamed through
 * gunzip and parsed alone; only its flows are kept, interned, so what a read retains is the
 * distinct declarations and a small record per checkpoint, not the checkpoints.
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
  /** Stored bytes read at once (default DEFAULT_BYTE_BUDGET); a larger object is read alone. */
  byteBudget?: number;
  progress?: ProgressSink | false;
  /**
   * Given, each stack's snapshots go here as soon as its last checkpoint is read, with the stack's
   * place in the sorted order, and are not kept: the result's `snapshots` is then empty.
   */
  onStack?: (index: number, snapshots: Snapshot[]) => void;
}

const stateKey = /^\.pulumi\/stacks\/(?:([^/]+)\/)?([^/]+)\.json(\.gz)?$/;
const historyKey = /^\.pulumi\/history\/(?:([^/]+)\/)?([^/]+)\/[^/]+\.checkpoint\.json(\.gz)?$/;

interface StackFiles {
  project: string;
  stack: string;
  state?: StoredObject;
  history: StoredObject[];
}

/** One checkpoint to read: which stack it belongs to, where it is, and how big it is stored. */
interface Job {
  stack: number;
  object: StoredObject;
  kind: Snapshot["kind"];
}

async function collect(stream: Readable, gzipped: boolean): Promise<string> {
  const source = gzipped ? stream.pipe(createGunzip()) : stream;
  if (gzipped) stream.once("error", (err) => source.destroy(err));
  // Decoded as it arrives, so a checkpoint is held once as bytes in flight and once as text,
  // never as the whole body twice (chunks and their concatenation).
  const decoder = new StringDecoder("utf8");
  let text = "";
  for await (const chunk of source) text += decoder.write(chunk as Buffer);
  return text + decoder.end();
}

async function readMetaVersion(store: ObjectStore, listed: readonly StoredObject[]): Promise<number> {
  if (!listed.some((o) => o.key === ".pulumi/meta.yaml")) return 0;
  const text = await collect(await store.open(".pulumi/meta.yaml"), false);
  return Number(/^version:\s*(\d+)/m.exec(text)?.[1] ?? 0);
}

/**
 * Bytes of checkpoints being read at once. A byte budget, not only a count: a few stacks with
 * checkpoints of tens of megabytes must not be read 32 at a time. An object larger than the whole
 * budget is read alone. Written here because p-limit counts tasks, not bytes, and async-mutex's
 * weighted semaphore, tried in its place, walks every unit of weight up to what is free on each
 * release: with weights in bytes, a 200-stack read took 480 s instead of 1.6.
 */
class ByteBudget {
  readonly #limit: number;
  #used = 0;
  #waiting: { bytes: number; go: () => void }[] = [];
  constructor(limit: number) {
    this.#limit = limit;
  }
  async take(bytes: number): Promise<void> {
    if (this.#fits(bytes) && this.#waiting.length === 0) {
      this.#used += bytes;
      return;
    }
    await new Promise<void>((go) => this.#waiting.push({ bytes, go }));
  }
  give(bytes: number): void {
    this.#used -= bytes;
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0]!.bytes)) {
      const next = this.#waiting.shift()!;
      this.#used += next.bytes;
      next.go();
    }
  }
  #fits(bytes: number): boolean {
    return this.#used === 0 || this.#used + bytes <= this.#limit;
  }
}

/** Stored bytes of checkpoints read at once, unless ReadOptions say otherwise. */
export const DEFAULT_BYTE_BUDGET = 32 * 1024 * 1024;

/**
 * The backend's stacks, sorted by project and stack, each with the checkpoints to read. The full
 * listing is dropped here: a read holds only the keys of the checkpoints still to come.
 */
async function listStacks(store: ObjectStore, history: boolean): Promise<StackFiles[]> {
  const listed = await store.listPulumiKeys();
  const nested = (await readMetaVersion(store, listed)) >= 1;
  const stacks = new Map<string, StackFiles>();
  const stackOf = (project: string, stack: string): StackFiles => {
    const id = `${project}\u0000${stack}`;
    let s = stacks.get(id);
    if (!s) stacks.set(id, (s = { project, stack, history: [] }));
    return s;
  };
  for (const object of listed) {
    const key = object.key;
    let m = stateKey.exec(key);
    if (m && (m[1] !== undefined) === nested) {
      const s = stackOf(m[1] ?? "", m[2]!);
      // Both forms present (gzip switched on or off between deploys): the plain file is the one
      // the CLI reads first.
      if (s.state === undefined || !key.endsWith(".gz")) s.state = object;
      continue;
    }
    m = historyKey.exec(key);
    if (m && history && (m[1] !== undefined) === nested) stackOf(m[1] ?? "", m[2]!).history.push(object);
  }
  return [...stacks.values()].sort((a, b) => cmp(a.project, b.project) || cmp(a.stack, b.stack));
}

export async function readDiyBackend(store: ObjectStore, opts: ReadOptions): Promise<BackendContents> {
  const ordered = await listStacks(store, opts.history);
  const progress = opts.progress === false ? undefined : (opts.progress ?? new Progress({ label: store.label }));
  progress?.total(ordered.length);
  const warnings: string[] = [];
  const interner = new FlowInterner();
  let unreadable = 0;

  const readOne = async (s: StackFiles, key: string, kind: Snapshot["kind"]): Promise<Snapshot | undefined> => {
    const where = store.display(key);
    // Opening is I/O against the backend: its failure ends the command (BackendError).
    const stream = await store.open(key);
    let doc: unknown;
    try {
      doc = JSON.parse(await collect(stream, key.endsWith(".gz")));
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

  // A fixed pool of readers takes the checkpoints in stack order, so only the objects being read
  // are in memory: no promise, closure or buffer is made ahead for the stacks still to come, and
  // a stack's results are settled (and its list of files dropped) as soon as its last one is read.
  const jobs: (Job | undefined)[] = [];
  const snapshots: Snapshot[][] = [];
  const perStack: (Snapshot | undefined)[][] = [];
  const left: number[] = [];
  ordered.forEach((s, i) => {
    const files = [...(s.state ? [{ stack: i, object: s.state, kind: "state" as const }] : []), ...s.history.map((object) => ({ stack: i, object, kind: "history" as const }))];
    delete s.state;
    s.history = [];
    jobs.push(...files);
    perStack.push([]);
    snapshots.push([]);
    left.push(files.length);
    if (files.length === 0) progress?.tick();
  });
  const budget = new ByteBudget(opts.byteBudget ?? DEFAULT_BYTE_BUDGET);
  let next = 0;
  let failed: unknown;
  const reader = async (): Promise<void> => {
    while (failed === undefined && next < jobs.length) {
      const job = jobs[next]!;
      jobs[next++] = undefined;
      await budget.take(job.object.size);
      let snap: Snapshot | undefined;
      try {
        snap = await readOne(ordered[job.stack]!, job.object.key, job.kind);
      } catch (err) {
        failed ??= err;
        return;
      } finally {
        budget.give(job.object.size);
      }
      perStack[job.stack]!.push(snap);
      if (--left[job.stack]! === 0) {
        const settled = settle(perStack[job.stack]!);
        if (opts.onStack) opts.onStack(job.stack, settled);
        else snapshots[job.stack] = settled;
        perStack[job.stack] = [];
        progress?.tick();
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 32) }, reader));
    if (failed !== undefined) throw failed;
    warnings.sort(cmp);
    return { label: store.label, snapshots: snapshots.flat(), warnings, unreadable };
  } catch (err) {
    if (err instanceof BackendError) throw err;
    throw new BackendError(`backend ${store.label} cannot be read: ${(err as Error).message}`);
  } finally {
    progress?.finish();
  }
}

/** A stack's state first, then its history in time order (ties by file, for a stable order). */
function settle(read: (Snapshot | undefined)[]): Snapshot[] {
  const snaps = read.filter((x): x is Snapshot => x !== undefined);
  const state = snaps.filter((x) => x.kind === "state");
  const history = snaps.filter((x) => x.kind === "history").sort((a, b) => cmp(a.time ?? "", b.time ?? "") || cmp(a.file, b.file));
  return [...state, ...history];
}
