import { createReadStream } from "node:fs";
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import pLimit from "p-limit";
import type { Readable } from "node:stream";
import { displayPath } from "../text/order.ts";
import { BackendError } from "./errors.ts";

/** A key under the backend's root and its stored size in bytes (compressed, when gzipped). */
export interface StoredObject {
  key: string;
  size: number;
}

/**
 * The two places Pulumi's diy backend keeps its files, seen the same way: keys relative to the
 * backend's root (".pulumi/stacks/shop/prod.json"), each read as a stream.
 */
export interface ObjectStore {
  /** The backend as people name it (URL, without credentials). */
  readonly label: string;
  /**
   * Every key under `.pulumi/`. Throws BackendError when the store cannot be listed or holds no
   * Pulumi state: a backend that cannot be looked at must never read as one with no flows.
   */
  listPulumiKeys(): Promise<StoredObject[]>;
  open(key: string): Promise<Readable>;
  /** A key as printed in reports and warnings. */
  display(key: string): string;
}

export class FileStore implements ObjectStore {
  readonly label: string;
  readonly dir: string;
  constructor(dir: string, label?: string) {
    this.dir = dir;
    this.label = label ?? displayPath(dir);
  }

  async listPulumiKeys(): Promise<StoredObject[]> {
    const root = join(this.dir, ".pulumi");
    try {
      if (!(await stat(this.dir)).isDirectory()) throw new BackendError(`backend ${this.label} is not a directory`);
    } catch (err) {
      if (err instanceof BackendError) throw err;
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new BackendError(`backend ${this.label} does not exist`);
      throw new BackendError(`backend ${this.label} cannot be read: ${reason(err)}`);
    }
    let entries: Dirent[];
    try {
      entries = await readdir(root, { recursive: true, withFileTypes: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === "ENOENT") throw new BackendError(`backend ${this.label} holds no Pulumi state (no .pulumi directory): check the path, or pass --no-state`);
      throw new BackendError(`backend ${this.label} cannot be read: ${reason(err)}`);
    }
    const limit = pLimit(64);
    const files = entries.filter((e) => !e.isDirectory());
    return Promise.all(
      files.map((e) =>
        limit(async () => {
          const path = join(e.parentPath, e.name);
          const key = `.pulumi/${relative(root, path).split(sep).join("/")}`;
          try {
            return { key, size: (await stat(path)).size };
          } catch (err) {
            throw new BackendError(`backend ${this.label}: cannot read ${key}: ${reason(err)}`);
          }
        }),
      ),
    );
  }

  async open(key: string): Promise<Readable> {
    const stream = createReadStream(join(this.dir, key));
    // Surface a missing or unreadable file as a rejected open, not as a later stream error.
    await new Promise<void>((res, rej) => {
      stream.once("open", () => res());
      stream.once("error", rej);
    });
    return stream;
  }

  display(key: string): string {
    return displayPath(join(this.dir, key));
  }
}

export function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  let name = e?.code ?? (e?.name && e.name !== "Error" ? e.name : undefined);
  const message = e?.message && e.message !== "UnknownError" ? e.message : undefined;
  if (name && message?.startsWith(name)) name = undefined;
  return [name, message, status ? `(HTTP ${status})` : undefined].filter(Boolean).join(": ").replace(/: \(HTTP/, " (HTTP") || String(err);
}
