import type { BackendSpec } from "./backend-url.ts";
import type { BackendContents } from "./diy-backend.ts";
import type { ProgressSink } from "./progress.ts";
import { readViaPulumiCli } from "./pulumi-cli.ts";
import { readInWorker } from "./read-in-worker.ts";

export type { BackendContents } from "./diy-backend.ts";
export { recordedFlow, REDACTED, type RecordedFlow, type Snapshot } from "./checkpoint.ts";

/**
 * Every stack's current state and, with `history`, every checkpoint, from a backend of any kind.
 * Snapshots come sorted by project and stack, each stack's state first and then its checkpoints
 * in time order, so everything built from them is deterministic. A backend that does not exist
 * or cannot be read throws BackendError.
 */
export async function readBackend(spec: BackendSpec, opts: { history: boolean; progress?: ProgressSink | false; concurrency?: number }): Promise<BackendContents> {
  if (spec.kind === "cloud") return readViaPulumiCli({ url: spec.url, ...opts });
  const { progress, ...rest } = opts;
  return readInWorker({ spec, ...rest, progress: progress !== false }, progress ?? true);
}
