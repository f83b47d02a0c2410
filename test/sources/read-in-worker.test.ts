// A file:// or s3:// backend is read in a worker thread: what comes back is what the reader found
// in this thread, errors keep their kind and words, and progress still counts every stack.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { parseBackendUrl } from "../../src/sources/backend-url.ts";
import { readBackend } from "../../src/sources/backend.ts";
import { readDiyBackend } from "../../src/sources/diy-backend.ts";
import { BackendError } from "../../src/sources/errors.ts";
import { FileStore } from "../../src/sources/object-store.ts";
import { readInWorker } from "../../src/sources/read-in-worker.ts";
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

  it("reads again without the heap's bound when a checkpoint is too large for it, and finds the same", async () => {
    const big = join(scratch, "big");
    const state = join(big, ".pulumi/stacks/shop/prod.json");
    mkdirSync(dirname(state), { recursive: true });
    writeFileSync(join(big, ".pulumi/meta.yaml"), "version: 1\n");
    const flow = { urn: `urn:pulumi:prod::shop::${INTEGRATION_TYPE}::analytics`, type: INTEGRATION_TYPE, outputs: { name: "analytics", vendor: "mixpanel", purpose: "analytics.reporting", subjects: ["customer"], destination: { url: "https://api.mixpanel.com", region: "eu" }, fields: [{ path: "os", category: "user.device", transform: "none" }] } };
    // 40 MB of a bucket policy's text: more than a worker with 16 MiB of old generation can hold.
    const bulky = { urn: "urn:pulumi:prod::shop::aws:s3/bucketPolicy:BucketPolicy::p", type: "aws:s3/bucketPolicy:BucketPolicy", outputs: { policy: "x".repeat(40 * 1024 * 1024) } };
    writeFileSync(state, JSON.stringify({ version: 3, checkpoint: { stack: "organization/shop/prod", latest: { manifest: { time: "2026-11-01T10:00:00Z" }, resources: [flow, bulky] } } }));
    const said: string[] = [];
    const write = vi.spyOn(process.stderr, "write").mockImplementation((s) => said.push(String(s)) > 0);
    try {
      const request = { spec: spec(`file://${big}`) as Extract<ReturnType<typeof spec>, { kind: "file" }>, history: false, progress: false };
      const read = await readInWorker(request, false, 16);
      expect(read).toEqual(await readDiyBackend(new FileStore(big), { history: false, progress: false }));
      expect(read.snapshots.map((s) => s.flows.map((f) => f.vendor))).toEqual([["mixpanel"]]);
    } finally {
      write.mockRestore();
    }
    expect(said.join("")).toMatch(/vendorgate: a checkpoint of file:\/\/.*big needs more than the reader's 16 MiB of heap: reading the backend again without that bound\n/);
  });
});
