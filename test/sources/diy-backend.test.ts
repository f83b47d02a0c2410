// How the diy backend reader holds memory, checked on an in-memory object store that counts what is
// open: a fixed number of objects read at once, a byte budget that a few huge checkpoints cannot
// exceed, and results that keep the flows of a checkpoint and nothing of its body. Sizes and counts, never time: these hold on any machine.
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { readDiyBackend } from "../../src/sources/diy-backend.ts";
import type { ObjectStore, StoredObject } from "../../src/sources/object-store.ts";

class CountingStore implements ObjectStore {
  readonly label = "memory://fleet";
  readonly objects = new Map<string, Buffer>();
  open_ = 0;
  maxOpen = 0;
  bytesOpen = 0;
  maxBytesOpen = 0;
  opened = 0;

  put(key: string, body: string | Buffer): void {
    this.objects.set(key, Buffer.isBuffer(body) ? body : Buffer.from(body));
  }
  async listPulumiKeys(): Promise<StoredObject[]> {
    return [...this.objects].map(([key, body]) => ({ key, size: body.length }));
  }
  async open(key: string): Promise<Readable> {
    const body = this.objects.get(key)!;
    this.opened++;
    this.open_++;
    this.bytesOpen += body.length;
    this.maxOpen = Math.max(this.maxOpen, this.open_);
    this.maxBytesOpen = Math.max(this.maxBytesOpen, this.bytesOpen);
    const done = () => {
      this.open_--;
      this.bytesOpen -= body.length;
    };
    // Yields between chunks so that reads overlap as they do over a network.
    async function* chunks() {
      try {
        for (let i = 0; i < body.length; i += 4096) {
          await new Promise((r) => setImmediate(r));
          yield body.subarray(i, i + 4096);
        }
      } finally {
        done();
      }
    }
    return Readable.from(chunks());
  }
  display(key: string): string {
    return `memory://fleet/${key}`;
  }
}

const flow = (stack: string, vendor: string) => ({
  urn: `urn:pulumi:${stack}::shop::${INTEGRATION_TYPE}::${vendor}-flow`,
  type: INTEGRATION_TYPE,
  outputs: {
    name: `${vendor}-flow`,
    vendor,
    purpose: "analytics.reporting",
    subjects: ["customer"],
    enabled: true,
    destination: { url: `https://api.${vendor}.example/track`, region: "eu" },
    fields: [{ path: "email", category: "user.contact.email", transform: "none" }],
  },
});

/** A checkpoint with two flows and `bulk` bytes of other resources' outputs. */
function checkpoint(stack: string, day: number, bulk: number): string {
  const filler = { urn: `urn:pulumi:${stack}::shop::aws:s3/bucket:Bucket::b`, type: "aws:s3/bucket:Bucket", outputs: { policy: "p".repeat(bulk) } };
  return JSON.stringify({ version: 3, checkpoint: { latest: { manifest: { time: `2026-01-${String(day).padStart(2, "0")}T00:00:00Z` }, resources: [flow(stack, "mixpanel"), filler, flow(stack, "zendesk")] } } });
}

function fleet(stacks: number, checkpoints: number, bulk: number): CountingStore {
  const store = new CountingStore();
  store.put(".pulumi/meta.yaml", "version: 1\n");
  for (let i = 0; i < stacks; i++) {
    const stack = `svc-${String(i).padStart(3, "0")}`;
    for (let k = 1; k <= checkpoints; k++) {
      const text = checkpoint(stack, k, bulk);
      const gz = (i + k) % 2 === 1;
      store.put(`.pulumi/history/shop/${stack}/${stack}-${1767225600000000000 + k * 86_400_000_000_000}.checkpoint.json${gz ? ".gz" : ""}`, gz ? gzipSync(text) : text);
    }
    store.put(`.pulumi/stacks/shop/${stack}.json`, checkpoint(stack, checkpoints, bulk));
  }
  return store;
}

describe("the diy backend reader", () => {
  it("reads at most `concurrency` objects at once", async () => {
    const store = fleet(40, 5, 20_000);
    const read = await readDiyBackend(store, { history: true, progress: false, concurrency: 4 });
    expect(read.snapshots).toHaveLength(40 * 6);
    expect(store.opened).toBe(1 + 40 * 6);
    expect(store.maxOpen).toBeLessThanOrEqual(4);
    expect(store.maxOpen).toBeGreaterThan(1);
  });

  it("keeps the stored bytes being read within the byte budget, and reads a larger object alone", async () => {
    const store = fleet(12, 3, 100_000);
    const size = Math.max(...[...store.objects.values()].map((b) => b.length));
    await readDiyBackend(store, { history: true, progress: false, concurrency: 16, byteBudget: 3 * size });
    expect(store.maxBytesOpen).toBeLessThanOrEqual(3 * size);
    expect(store.maxOpen).toBeGreaterThan(1);

    const alone = fleet(6, 3, 100_000);
    await readDiyBackend(alone, { history: true, progress: false, concurrency: 16, byteBudget: 1000 });
    expect(alone.maxOpen).toBe(1);
  });

  it("keeps each checkpoint's flows and nothing of its body: the result does not grow with the checkpoints' size", async () => {
    const small = await readDiyBackend(fleet(10, 4, 10), { history: true, progress: false });
    const big = await readDiyBackend(fleet(10, 4, 200_000), { history: true, progress: false });
    expect(big.snapshots).toHaveLength(50);
    expect(JSON.stringify(big)).toBe(JSON.stringify(small));
    // Identical declarations are held once: every snapshot of the fleet shares one list of flows.
    const lists = new Set(big.snapshots.map((s) => s.flows));
    expect(lists.size).toBe(1);
    const flows = new Set(big.snapshots.flatMap((s) => s.flows));
    expect(flows.size).toBe(2);
  });
});
