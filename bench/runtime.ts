/*
 * The run-time guard (vendorgate/runtime) against its peer, JSON.stringify of the same event:
 * both walk every property once, and an application serialises each event it sends anyway.
 * Also the size of the runtime as a browser bundle (esbuild, minified, gzipped).
 *
 *   node bench/runtime.ts [--quick]     (npm run bench runs it as its "runtime" section)
 */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { createGuards } from "../src/runtime/index.ts";
import { median, repoRoot, round } from "./lib.ts";

const fields = [
  ["event", "user.behavior", "none"],
  ["properties.distinct_id", "user.unique_id", "pseudonymize"],
  ["properties.time", "user.behavior", "none"],
  ["properties.$os", "user.device", "none"],
  ["properties.$browser", "user.device", "none"],
  ["properties.$browser_version", "user.device", "none"],
  ["properties.$screen_width", "user.device", "none"],
  ["properties.$screen_height", "user.device", "none"],
  ["properties.$referrer", "user.behavior.browsing_history", "none"],
  ["properties.$current_url", "user.behavior.browsing_history", "none"],
  ["properties.$city", "user.location.imprecise", "none"],
  ["properties.ip", "user.device.ip_address", "truncate"],
  ["properties.plan", "user.behavior", "none"],
] as const;

export const allowlist = {
  kind: "vendorgate/allowlist",
  schemaVersion: 1,
  source: "plan",
  policy: { bundleDigest: `sha256:${"0".repeat(64)}` },
  verdict: "pass",
  integrations: [
    {
      name: "product-analytics",
      vendor: "mixpanel",
      verdict: "pass",
      destination: { url: "https://api-eu.mixpanel.com/track" },
      fields: fields.map(([path, category, transform]) => ({ path, category, transform })),
    },
  ],
};

/** A Mixpanel event of 20 properties as identify() left it: 12 declared, 8 not (name, email, org...). */
export function typicalEvent(userId: string): Record<string, unknown> {
  return {
    event: "Checkout Completed",
    properties: {
      distinct_id: userId,
      time: 1764680000123,
      $os: "Mac OS X",
      $browser: "Chrome",
      $browser_version: 131,
      $screen_width: 1512,
      $screen_height: 982,
      $referrer: "https://www.example.com/pricing",
      $current_url: "https://shop.example.com/checkout/complete",
      $city: "Berlin",
      ip: "203.0.113.77",
      plan: "team",
      $name: "Ann Lee",
      $email: "ann.lee@example.com",
      org_id: "org_5f2c9a",
      org_name: "Example GmbH",
      cart_total: 129.9,
      currency: "EUR",
      coupon: null,
      items: ["sku-1", "sku-2"],
    },
  };
}

interface Timing {
  nsPerEvent: { stringify: number; filter: number; filterThenStringify: number };
  ratio: number;
  ratioWithSerialisation: number;
}

/** Interleaved rounds (so machine load hits both alike), median per-event time of each. */
function measure(events: Record<string, unknown>[], rounds: number, perRound: number): Timing {
  let sink = 0;
  const guard = createGuards(allowlist, { key: "bench-pseudonym-key-0123456789", onDrop: () => {} }).for("product-analytics");
  const runs = { stringify: [] as number[], filter: [] as number[], filterThenStringify: [] as number[] };
  const time = (fn: (e: Record<string, unknown>) => number) => {
    const t = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) sink += fn(events[i % events.length]!);
    return Number(process.hrtime.bigint() - t) / perRound;
  };
  for (let r = 0; r < rounds; r++) {
    runs.stringify.push(time((e) => JSON.stringify(e).length));
    runs.filter.push(time((e) => (guard.filter(e) === e ? 1 : 0)));
    runs.filterThenStringify.push(time((e) => JSON.stringify(guard.filter(e)).length));
  }
  if (sink === -1) console.log(sink);
  const m = { stringify: median(runs.stringify), filter: median(runs.filter), filterThenStringify: median(runs.filterThenStringify) };
  return {
    nsPerEvent: { stringify: round(m.stringify, 0), filter: round(m.filter, 0), filterThenStringify: round(m.filterThenStringify, 0) },
    ratio: round(m.filter / m.stringify, 2),
    ratioWithSerialisation: round(m.filterThenStringify / m.stringify, 2),
  };
}

async function bundleSize(entry: string, platform: "browser" | "node") {
  const result = await build({
    entryPoints: [`${repoRoot}/${entry}`],
    bundle: true,
    minify: true,
    format: "esm",
    platform,
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  return { minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, inputs: Object.keys(result.metafile.inputs).sort() };
}

export async function benchRuntime(quick = false) {
  const rounds = quick ? 5 : 25;
  const perRound = quick ? 20_000 : 100_000;
  // Typical: one user's session, so the same identifier in every event (its pseudonym is cached).
  const sameUser = measure([typicalEvent("user-1001")], rounds, perRound);
  // Worst case: a new identifier in every event, each one hashed afresh (HMAC-SHA-256 in JavaScript).
  const distinct = Array.from({ length: 50_000 }, (_, i) => typicalEvent(`user-${i}`));
  const everyUserNew = measure(distinct, rounds, Math.min(perRound, 50_000));
  const size = {
    runtime: await bundleSize("src/runtime/index.ts", "browser"),
    undiciDispatcher: await bundleSize("src/runtime/undici.ts", "node"),
  };
  return { event: { properties: 20, declared: fields.length - 1, undeclared: 8 }, sameUser, everyUserNew, size };
}

if (import.meta.main) {
  const r = await benchRuntime(process.argv.includes("--quick"));
  console.log(JSON.stringify({ ...r, size: { runtime: { ...r.size.runtime, inputs: r.size.runtime.inputs.length }, undiciDispatcher: { ...r.size.undiciDispatcher, inputs: undefined } } }, null, 2));
}
