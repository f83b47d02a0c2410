import type { BackendSpec } from "./backend-url.ts";
import { type BackendContents, readDiyBackend } from "./diy-backend.ts";
import { FileStore } from "./object-store.ts";
import type { Progress } from "./progress.ts";
import { readViaPulumiCli } from "./pulumi-cli.ts";
import { S3Store } from "./s3-store.ts";

export type { BackendContents } from "./diy-backend.ts";
export { recordedFlow, REDACTED, type RecordedFlow, type Snapshot } from "./checkpoint.ts";

/**
 * Every stack's current state and, with `history`, every checkpoint, from a backend of any kind.
 * Snapshots come sorted by project and stack, each stack's state first and then its checkpoints
 * in time order, so everything built from them is deterministic. A backend that does not exist
 * or cannot be read throws BackendError.
 */
export async function readBackend(spec: BackendSpec, opts: { history: boolean; progress?: Progress | false; concurrency?: number }): Promise<BackendContents> {
  if (spec.kind === "cloud") return readViaPulumiCli({ url: spec.url, ...opts });
  if (spec.kind === "file") return readDiyBackend(new FileStore(spec.dir), opts);
  const store = new S3Store(spec, opts.concurrency ? { maxSockets: opts.concurrency } : {});
  try {
    return await readDiyBackend(store, opts);
  } finally {
    store.destroy();
  }
}
