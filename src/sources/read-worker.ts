import { parentPort, workerData } from "node:worker_threads";
import type { RecordedFlow, Snapshot } from "./checkpoint.ts";
import { readDiyBackend } from "./diy-backend.ts";
import { BackendError } from "./errors.ts";
import { FileStore } from "./object-store.ts";
import type { ProgressSink } from "./progress.ts";
import type { ReadReply, ReadRequest, SentSnapshot } from "./read-in-worker.ts";
import { S3Store } from "./s3-store.ts";

/*
 * The worker side of readInWorker: reads one diy backend and posts each stack's snapshots as soon
 * as they are settled, so that the worker keeps nothing of the stacks it has read. A list of flows
 * crosses once, the first time a snapshot has it, and is named by a number afterwards: the stacks
 * of a fleet repeat the same declarations. Progress goes as counts; the main thread draws the
 * line, since a worker's stderr is not the terminal.
 */

const port = parentPort!;
const send = (reply: ReadReply) => port.postMessage(reply);
const { spec, history, concurrency, progress } = workerData as ReadRequest;

const sink: ProgressSink = {
  total: (n) => send({ progress: "total", n }),
  tick: () => send({ progress: "tick" }),
  finish: () => {},
};

const listIds = new Map<readonly RecordedFlow[], number>();
function onStack(index: number, snapshots: Snapshot[]): void {
  if (snapshots.length === 0) return;
  const lists: [number, RecordedFlow[]][] = [];
  const sent: SentSnapshot[] = snapshots.map((s) => {
    let id = listIds.get(s.flows);
    if (id === undefined) {
      listIds.set(s.flows, (id = listIds.size));
      lists.push([id, s.flows]);
    }
    return { file: s.file, kind: s.kind, time: s.time, flows: id };
  });
  // A stack's snapshots share its project and name: sent once, so the main thread holds one copy.
  send({ stack: index, project: snapshots[0]!.project, name: snapshots[0]!.stack, snapshots: sent, lists });
}

const store = spec.kind === "file" ? new FileStore(spec.dir) : new S3Store(spec, concurrency ? { maxSockets: concurrency } : {});
send({ progress: "start", label: store.label });
try {
  const { label, warnings, unreadable } = await readDiyBackend(store, { history, ...(concurrency ? { concurrency } : {}), progress: progress ? sink : false, onStack });
  send({ done: { label, warnings, unreadable } });
} catch (err) {
  // The message only, as the CLI prints any error: never a stack trace.
  send({ error: { backend: err instanceof BackendError, message: err instanceof Error ? err.message : String(err) } });
} finally {
  if (store instanceof S3Store) store.destroy();
}
