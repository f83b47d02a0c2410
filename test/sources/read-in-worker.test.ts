// A file:// or s3:// backend is read in a worker thread: what comes back is what the reader found
// in this thread, errors keep their kind and words, and progress still counts every stack.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseBackendUrl } from "../../src/sources/backend-url.ts";
import { readBackend } from "../../src/sources/backend.ts";
import { readDiyBackend } from "../../src/sources/diy-backend.ts";
import { BackendError } from "../../src/sources/errors.ts";
import { FileStore } from "../../src/sources/object-store.ts";
import { generateBackend } from "../support/generated-backend.ts";

let scratch: string;
let fleet: string;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "vendorgate-worker-"));
  fleet = join(scratch, "fleet");
  await generateBackend({
    stacks: 12,
    checkpoints: 3,
    put: async (key, body) => {
      mkdirSync(dirname(join(fleet, key)), { recursive: true });
      writeFileSync(join(fleet, key), body);
    },
  });
  // svc-0000's first checkpoint overwritten with what is not JSON: a warning, counted as
  // unreadable, from the worker as here.
  writeFileSync(join(fleet, ".pulumi/history/project-0/svc-0000/svc-0000-1767225600000000000.checkpoint.json"), "{ not json");
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const spec = (value: string) => parseBackendUrl({ value, from: "--backend", baseDir: scratch });

describe("reading a backend in a worker thread", () => {
  it("returns what the reader finds in this thread: every snapshot, warning and count, in the same order", async () => {
    const here = await readDiyBackend(new FileStore(fleet), { history: true, progress: false });
    const there = await readBackend(spec(`file://${fleet}`), { history: true, progress: false });
    expect(there).toEqual(here);
    expect(there.snapshots).toHaveLength(12 * 4 - 1);
    expect(there.unreadable).toBe(1);
    // Flows interned in the worker stay shared after the copy: one object per distinct list.
    const lists = new Set(there.snapshots.map((s) => s.flows));
    expect(lists.size).toBeLessThan(there.snapshots.length / 4);
  });

  it("keeps a backend error's kind and words, so the command still exits 2 with the reason", async () => {
    const empty = join(scratch, "empty");
    mkdirSync(empty);
    const err = await readBackend(spec(`file://${empty}`), { history: false, progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/holds no Pulumi state \(no \.pulumi directory\)/);
  });

  it("reports progress to this thread: the total, then a tick per stack", async () => {
    const events: string[] = [];
    await readBackend(spec(`file://${fleet}`), { history: false, progress: { total: (n) => events.push(`total ${n}`), tick: () => events.push("tick"), finish: () => events.push("finish") } });
    expect(events).toEqual(["total 12", ...Array<string>(12).fill("tick"), "finish"]);
  });
});
