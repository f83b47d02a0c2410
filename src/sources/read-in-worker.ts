import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { packageRoot } from "../paths.ts";
import type { BackendSpec } from "./backend-url.ts";
import type { RecordedFlow, Snapshot } from "./checkpoint.ts";
import type { BackendContents } from "./diy-backend.ts";
import { BackendError } from "./errors.ts";
import { Progress, type ProgressSink } from "./progress.ts";

/*
 * A diy backend is read in a worker thread whose heap has fixed bounds. Reading a fleet's history is
 * tens of thousands of short-lived allocations per second (responses, decompression, parsing), and
 * V8 sizes a heap by how fast it allocates: on the main thread a read of 1,000 stacks ended with a
 * young generation four times that of a read of 100, and a read of 10,000 let twice as much garbage
 * pile up in the old generation as one of 3,000, though neither kept more. A worker's heap is
 * sized when it starts (Node's resourceLimits), so the memory of a read depends on what it keeps,
 * not on how long it runs. What the worker keeps is the checkpoints in flight, within the read's
 * byte budget; a checkpoint too large for the bound ends the worker out of memory, and the read
 * starts again without the old generation's bound, as it ran before there was one.
 */

/** Young generation of the reading worker: V8's own size for small heaps (two 8 MiB semi-spaces). */
export const READ_YOUNG_GENERATION_MB = 24;
/** Old generation of the reading worker, for a first attempt (see above). */
export const READ_OLD_GENERATION_MB = 128;

export interface ReadRequest {
  spec: Exclude<BackendSpec, { kind: "cloud" }>;
  history: boolean;
  concurrency?: number;
  /** Whether to report progress at all. */
  progress: boolean;
}

/** A snapshot as it crosses: its list of flows by number, its stack's project and name once per stack. */
export type SentSnapshot = Omit<Snapshot, "flows" | "project" | "stack"> & { flows: number };

export type ReadReply =
  | { progress: "start"; label: string }
  | { progress: "total"; n: number }
  | { progress: "tick" }
  /** One stack's snapshots, by its place in the sorted order, with the lists of flows not sent before. */
  | { stack: number; project: string; name: string; snapshots: SentSnapshot[]; lists: [number, RecordedFlow[]][] }
  | { done: Omit<BackendContents, "snapshots"> }
  | { error: { backend: boolean; message: string } };

/** The worker's module: the built one in an installed package, the source in a checkout. */
function workerUrl(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("./read-worker.ts", import.meta.url) : pathToFileURL(join(packageRoot, "dist", "sources", "read-worker.js"));
}

/** The worker ran out of its bounded heap. */
class OutOfMemory extends Error {}

/**
 * Reads a file:// or s3:// backend in a worker; `show` false for no progress, true for a line on
 * stderr, or a sink (which sees the count start again if the read must be repeated).
 */
export async function readInWorker(request: ReadRequest, show: ProgressSink | boolean, oldGenerationMb = READ_OLD_GENERATION_MB): Promise<BackendContents> {
  try {
    return await attempt(request, show, oldGenerationMb);
  } catch (err) {
    if (!(err instanceof OutOfMemory)) throw err;
    process.stderr.write(`vendorgate: a checkpoint of ${request.spec.url} needs more than the reader's ${oldGenerationMb} MiB of heap: reading the backend again without that bound\n`);
    return attempt(request, show, undefined);
  }
}

function attempt(request: ReadRequest, show: ProgressSink | boolean, oldGenerationMb: number | undefined): Promise<BackendContents> {
  let progress = typeof show === "object" ? show : undefined;
  return new Promise((resolve, reject) => {
    let settled = false;
    const resourceLimits = { maxYoungGenerationSizeMb: READ_YOUNG_GENERATION_MB, ...(oldGenerationMb ? { maxOldGenerationSizeMb: oldGenerationMb } : {}) };
    const worker = new Worker(workerUrl(), { workerData: request, resourceLimits });
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      progress?.finish();
      fn();
    };
    const lists = new Map<number, RecordedFlow[]>();
    const stacks: Snapshot[][] = [];
    worker.on("message", (reply: ReadReply) => {
      if ("stack" in reply) {
        for (const [id, flows] of reply.lists) lists.set(id, flows);
        const { project, name } = reply;
        stacks[reply.stack] = reply.snapshots.map((s) => ({ project, stack: name, file: s.file, kind: s.kind, time: s.time, flows: lists.get(s.flows)! }));
      } else if ("progress" in reply) {
        if (reply.progress === "start") progress ??= show === true ? new Progress({ label: reply.label }) : undefined;
        else if (reply.progress === "total") progress?.total(reply.n);
        else progress?.tick();
      } else if ("done" in reply) done(() => resolve({ ...reply.done, snapshots: stacks.flat() }));
      else done(() => reject(reply.error.backend ? new BackendError(reply.error.message) : new Error(reply.error.message)));
    });
    worker.once("error", (err: NodeJS.ErrnoException) =>
      done(() => reject(err.code === "ERR_WORKER_OUT_OF_MEMORY" && oldGenerationMb ? new OutOfMemory(err.message) : new BackendError(`backend ${request.spec.url} cannot be read: ${err.message}`))),
    );
    worker.once("exit", (code) => done(() => reject(new BackendError(`backend ${request.spec.url} cannot be read: the reader stopped (exit ${code}) before it finished`))));
  });
}
