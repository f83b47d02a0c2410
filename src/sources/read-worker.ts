import { parentPort, workerData } from "node:worker_threads";
import type { BackendSpec } from "./backend-url.ts";
import { readDiyBackend } from "./diy-backend.ts";
import { BackendError } from "./errors.ts";
import { FileStore } from "./object-store.ts";
import type { ProgressSink } from "./progress.ts";
import { S3Store } from "./s3-store.ts";
import type { ReadReply, ReadRequest } from "./read-in-worker.ts";

/*
 * The worker side of readInWorker: reads one diy backend and posts back what it found, or why it
 * could not. Progress goes to the main thread as counts, which draws the line: a worker's stderr is
 * not the terminal.
 */

const port = parentPort!;
const send = (reply: ReadReply) => port.postMessage(reply);
const { spec, history, concurrency, progress } = workerData as ReadRequest;

const sink: ProgressSink = {
  total: (n) => send({ progress: "total", n }),
  tick: () => send({ progress: "tick" }),
  finish: () => {},
};

const store = spec.kind === "file" ? new FileStore(spec.dir) : new S3Store(spec as Extract<BackendSpec, { kind: "s3" }>, concurrency ? { maxSockets: concurrency } : {});
send({ progress: "start", label: store.label });
try {
  const contents = await readDiyBackend(store, { history, ...(concurrency ? { concurrency } : {}), progress: progress ? sink : false });
  send({ contents });
} catch (err) {
  send({ error: err instanceof BackendError ? { backend: true, message: err.message } : { backend: false, message: (err as Error).stack ?? String(err) } });
} finally {
  if (store instanceof S3Store) store.destroy();
}
