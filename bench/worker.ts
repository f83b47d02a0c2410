/*
 * The measuring half of the benchmarks. `bench/run.ts` starts it as a child process (on one core
 * where taskset exists) so that each measurement gets a fresh process: no JIT, heap or WASM memory
 * left over from another one. Every mode prints one JSON line last on stdout.
 *
 *   node bench/worker.ts throughput <dir> <N,N,...>   engine verdicts per second; writes OPA inputs to <dir>
 *   node bench/worker.ts exceptions <N> <count>       judge() without and with <count> exceptions, alternating
 *   node bench/worker.ts wasm-load                    bundle read + compile + instantiate + data, cold
 *   node bench/worker.ts memory <total> <batch>       RSS over <total> integrations judged in batches
 *   node bench/worker.ts peak <N>                     peak RSS judging one manifest of N integrations
 *   node bench/worker.ts judge-stack <N,N,...>        judgeStack (plan / pack path) against N
 *   node bench/worker.ts preview <N> <runs> <dir> [variants]   pulumi preview without a pack, with the pack and with empty packs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { getHeapSpaceStatistics } from "node:v8";
import { join } from "node:path";
import { loadPolicy } from "@open-policy-agent/opa-wasm";
import { loadPolicyContext } from "../src/policy/context.ts";
import { INTEGRATION_TYPE } from "../src/model/declaration.ts";
import { readBundle } from "../src/engine/bundle.ts";
import { Engine, MEMORY_PAGES, policyData } from "../src/engine/engine.ts";
import { judge } from "../src/engine/judge.ts";
import { sortViolations } from "../src/engine/summarize.ts";
import { normalizeInput, normalizeRegistry, type JudgeRequest } from "../src/engine/normalize.ts";
import { loadExceptions, loadRegistry } from "../src/model/index.ts";
import { judgeStack } from "../src/stack/judge-stack.ts";
import type { StackResource } from "../src/stack/resource.ts";
import { generateExceptions, generateManifest, NOW, type GeneratedManifest } from "./generate.ts";
import { median, quantile, round } from "./lib.ts";
import type { previewBench as previewBenchType } from "./preview.ts";

// The preview section's module graph (the Pulumi Automation API, the pack) is loaded only by the
// mode that runs it: imported at the top it added about 90 MiB to the RSS that `peak` reports.
type PreviewBench = typeof previewBenchType;
const previewBench = async (...args: Parameters<PreviewBench>): ReturnType<PreviewBench> => (await import("./preview.ts")).previewBench(...args);

export const REGISTRY = "examples/shop/policy/vendors.yaml";
export const EXCEPTIONS = "examples/shop/policy/exceptions.yaml";

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function setup() {
  const { registry } = await loadRegistry(REGISTRY);
  const engine = await Engine.load({ rebuild: false });
  const { exceptions } = await loadExceptions(EXCEPTIONS, engine.catalogue.map((r) => r.id));
  const wasmRegistry = normalizeRegistry(registry);
  engine.setRegistry(wasmRegistry);
  const request = (m: GeneratedManifest): JudgeRequest => ({ now: NOW, stack: m.stack, integrations: m.integrations, exceptions, enforcement: {} });
  return { registry, engine, wasmRegistry, request };
}

/** Repeats `fn` until it has run `minRuns` times and for at least `minMs`; per-run wall and CPU ms. */
function repeat(fn: () => void, minRuns: number, minMs: number): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (wall.length < minRuns || performance.now() - start < minMs) {
    const c = cpuMs();
    const t = performance.now();
    fn();
    wall.push(performance.now() - t);
    cpu.push(cpuMs() - c);
  }
  return { wall, cpu };
}

export interface ThroughputRow {
  n: number;
  fields: number;
  inputBytes: number;
  violations: number;
  summary: { mandatory: number; advisory: number; waived: number };
  integrationsFailing: number;
  violationsByRule: Record<string, number>;
  runs: number;
  judgeMs: { median: number; p10: number; p90: number };
  judgeCpuMs: number;
  normalizeMs: number;
  wasmEvaluateMs: number;
  integrationsPerSec: number;
  integrationsPerCpuSec: number;
  wasmOnlyIntegrationsPerSec: number;
  wasmMemoryMiB: number;
}

async function throughput(dir: string, sizes: number[]): Promise<{ rows: ThroughputRow[] }> {
  const { registry, engine, wasmRegistry, request } = await setup();
  writeFileSync(join(dir, "data.json"), JSON.stringify(policyData(wasmRegistry)));
  // The bare policy, for the evaluation alone: input already serialised, no result validation.
  const bare = await loadPolicy(readBundle(undefined, { rebuild: false }).wasm, { ...MEMORY_PAGES });
  bare.setData(policyData(wasmRegistry));
  const rows: ThroughputRow[] = [];
  for (const n of sizes) {
    const m = generateManifest(registry, n);
    const req = request(m);
    const input = normalizeInput(req);
    const inputText = JSON.stringify(input);
    writeFileSync(join(dir, `input-${n}.json`), inputText);
    const inputBytes = new TextEncoder().encode(inputText).buffer;
    const fields = m.integrations.reduce((s, i) => s + i.fields.length, 0);
    // Warm-up: the first evaluations pay for JIT and for growing the WASM memory.
    let report = judge(engine, req);
    repeat(() => judge(engine, req), 2, n >= 10_000 ? 0 : 300);
    const full = repeat(() => (report = judge(engine, req)), 3, n >= 10_000 ? 2000 : 1500);
    const normalize = repeat(() => normalizeInput(req), 3, 200);
    const bareRuns = repeat(() => bare.evaluate(inputBytes), 3, n >= 10_000 ? 2000 : 1000);
    const failing = new Set(report.violations.filter((v) => v.severity === "mandatory" && !v.waivedBy).map((v) => v.integration));
    const byRule: Record<string, number> = {};
    for (const v of report.violations) byRule[v.rule] = (byRule[v.rule] ?? 0) + 1;
    const ms = median(full.wall);
    rows.push({
      n,
      fields,
      inputBytes: inputText.length,
      violations: report.violations.length,
      summary: report.summary,
      integrationsFailing: failing.size,
      violationsByRule: byRule,
      runs: full.wall.length,
      judgeMs: { median: round(ms, 3), p10: round(quantile(full.wall, 0.1), 3), p90: round(quantile(full.wall, 0.9), 3) },
      judgeCpuMs: round(median(full.cpu), 3),
      normalizeMs: round(median(normalize.wall), 3),
      wasmEvaluateMs: round(median(bareRuns.wall), 3),
      integrationsPerSec: round((n / ms) * 1000, 0),
      integrationsPerCpuSec: round((n / median(full.cpu)) * 1000, 0),
      wasmOnlyIntegrationsPerSec: round((n / median(bareRuns.wall)) * 1000, 0),
      wasmMemoryMiB: round(bare.mem.buffer.byteLength / 2 ** 20, 1),
    });
    process.stderr.write(`  engine N=${n}: ${round(ms, 2)} ms per manifest, ${rows.at(-1)!.integrationsPerSec} integrations/s\n`);
  }
  return { rows };
}

/**
 * What a shared exceptions file costs: judge() on one manifest of N integrations without
 * exceptions and with `count` of them (generateExceptions), alternating, CPU time per judgement.
 */
async function exceptionsCost(n: number, count: number) {
  const { registry, engine, request } = await setup();
  const m = generateManifest(registry, n);
  const without: JudgeRequest = { ...request(m), exceptions: [] };
  const first = judge(engine, without);
  // In the documented order, not the engine's: which violations the generated exceptions waive
  // must not move with the policy's internals (the engine's order is whatever its sets give).
  const exceptions = generateExceptions(m, sortViolations(first.violations), count);
  const withThem: JudgeRequest = { ...without, exceptions };
  let report = judge(engine, withThem);
  const cpu: { without: number[]; with: number[] } = { without: [], with: [] };
  const start = performance.now();
  for (let round = 0; round < 9 || (performance.now() - start < 4000 && round < 60); round++) {
    // Alternate which goes first, so that neither always runs right after a collection the other caused.
    for (const which of round % 2 ? (["with", "without"] as const) : (["without", "with"] as const)) {
      const c = cpuMs();
      const r = judge(engine, which === "with" ? withThem : without);
      cpu[which].push(cpuMs() - c);
      if (which === "with") report = r;
    }
  }
  const a = median(cpu.without);
  const b = median(cpu.with);
  return {
    n,
    exceptions: count,
    forThisStack: exceptions.filter((e) => e.stacks?.includes(m.stack.name)).length,
    rounds: cpu.with.length,
    withoutCpuMs: round(a, 2),
    withCpuMs: round(b, 2),
    addedPct: round((b / a - 1) * 100, 1),
    violationsWithout: first.violations.length,
    violationsWith: report.violations.length,
    waived: report.summary.waived,
    staleReported: report.violations.filter((v) => v.rule === "VG012").length,
  };
}
export type ExceptionsResult = Awaited<ReturnType<typeof exceptionsCost>>;

/** Cold: a fresh process reads, checks and compiles the bundle, then sets the registry. */
async function wasmLoad() {
  const t0 = performance.now();
  const bundle = readBundle(undefined, { rebuild: false });
  const t1 = performance.now();
  const { registry } = await loadRegistry(REGISTRY);
  const wasmRegistry = normalizeRegistry(registry);
  const t2 = performance.now();
  const policy = await loadPolicy(bundle.wasm, { ...MEMORY_PAGES });
  const t3 = performance.now();
  policy.setData(policyData(wasmRegistry));
  const t4 = performance.now();
  // And the engine's own path, as `check` runs it (bundle read + digest checks + compile).
  const t5 = performance.now();
  const engine = await Engine.load({ rebuild: false });
  engine.setRegistry(wasmRegistry);
  const t6 = performance.now();
  return {
    readBundleMs: round(t1 - t0, 2),
    compileInstantiateMs: round(t3 - t2, 2),
    setDataMs: round(t4 - t3, 2),
    wasmLoadMs: round(t1 - t0 + (t3 - t2) + (t4 - t3), 2),
    engineLoadWarmModuleMs: round(t6 - t5, 2),
    wasmBytes: bundle.wasm.byteLength,
  };
}

const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

export type MemoryResult = Awaited<ReturnType<typeof memory>>;
export type PeakResult = Awaited<ReturnType<typeof peak>>;
export type WasmLoadResult = Awaited<ReturnType<typeof wasmLoad>>;

/** Anonymous and file-backed resident pages (Linux), from /proc/self/smaps_rollup; undefined elsewhere. */
function residentKinds(): { anonMiB: number; fileMiB: number } | undefined {
  let text: string;
  try {
    text = readFileSync("/proc/self/smaps_rollup", "utf8");
  } catch {
    return undefined;
  }
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { anonMiB: round(kib("Anonymous") / 1024, 1), fileMiB: round((kib("Rss") - kib("Anonymous")) / 1024, 1) };
}

/** Committed size of V8's young generation: where short-lived garbage is allocated, empty after a full GC. */
const youngGenerationMiB = () => round((getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0) / 2 ** 20, 1);

const spread = (xs: number[]) => {
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { min, max, last: xs.at(-1)!, spreadPct: round(((max - min) / min) * 100, 2) };
};

/**
 * RSS while judging `total` integrations as manifests of `batch`. Run with --expose-gc: at each
 * sample a full collection runs first, so the figures are what the process keeps, not garbage
 * that has yet to be collected. The peak between samples is reported too.
 *
 * RSS alone cannot tell what the process keeps from pages it holds for reuse, so each sample also
 * takes what is kept (the live JS heap, the WASM instance's memory, the buffers V8 counts as
 * external) and what is only held: the young generation's committed size, which V8 grows under a
 * high allocation rate and which holds nothing after the collection.
 */
async function memory(total: number, batch: number) {
  const { registry, engine, request } = await setup();
  const req = request(generateManifest(registry, batch));
  const evaluations = Math.ceil(total / batch);
  const warmup = Math.ceil(evaluations / 10);
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const samples: {
    evaluated: number;
    rssMiB: number;
    heapMiB: number;
    heapTotalMiB: number;
    youngGenerationMiB: number;
    externalMiB: number;
    arrayBuffersMiB: number;
    wasmMiB: number;
    anonMiB?: number;
    fileMiB?: number;
  }[] = [];
  const every = Math.max(1, Math.floor(evaluations / 100));
  const start = performance.now();
  for (let i = 1; i <= evaluations; i++) {
    judge(engine, req);
    if (i % every === 0 || i === evaluations) {
      gc();
      const u = process.memoryUsage();
      const mib = (x: number) => round(x / 2 ** 20, 1);
      samples.push({
        evaluated: i * batch,
        rssMiB: mib(u.rss),
        heapMiB: mib(u.heapUsed),
        heapTotalMiB: mib(u.heapTotal),
        youngGenerationMiB: youngGenerationMiB(),
        externalMiB: mib(u.external),
        arrayBuffersMiB: mib(u.arrayBuffers),
        wasmMiB: round(engine.memoryPages / 16, 1),
        ...residentKinds(),
      });
    }
    if (i % Math.ceil(evaluations / 10) === 0) process.stderr.write(`  memory: ${i * batch} integrations judged, RSS ${round(rssMiB(), 0)} MiB\n`);
  }
  const seconds = (performance.now() - start) / 1000;
  const kept = samples.filter((s) => s.evaluated > warmup * batch);
  const after = kept.map((s) => s.rssMiB);
  const heap = kept.map((s) => s.heapMiB);
  const first = after[0]!;
  const min = Math.min(...after);
  const max = Math.max(...after);
  const anon = kept.flatMap((s) => (s.anonMiB === undefined ? [] : [s.anonMiB]));
  const file = kept.flatMap((s) => (s.fileMiB === undefined ? [] : [s.fileMiB]));
  return {
    integrations: evaluations * batch,
    batch,
    evaluations,
    warmupEvaluations: warmup,
    forcedGcAtSamples: typeof (globalThis as { gc?: unknown }).gc === "function",
    execArgv: process.execArgv,
    seconds: round(seconds, 1),
    integrationsPerSec: round((evaluations * batch) / seconds, 0),
    rssAfterWarmupMiB: first,
    rssMinMiB: min,
    rssMaxMiB: max,
    rssLastMiB: after.at(-1)!,
    spreadPct: round(((max - min) / min) * 100, 2),
    driftPct: round(((after.at(-1)! - first) / first) * 100, 2),
    heapAfterGcMiB: { min: Math.min(...heap), max: Math.max(...heap), last: heap.at(-1)! },
    kept: {
      heapMiB: spread(heap),
      wasmMiB: spread(kept.map((s) => s.wasmMiB)),
      externalMiB: spread(kept.map((s) => s.externalMiB)),
      arrayBuffersMiB: spread(kept.map((s) => s.arrayBuffersMiB)),
    },
    held: {
      heapTotalMiB: spread(kept.map((s) => s.heapTotalMiB)),
      youngGenerationMiB: spread(kept.map((s) => s.youngGenerationMiB)),
      ...(anon.length ? { anonMiB: spread(anon), fileMiB: spread(file) } : {}),
    },
    peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    samples,
  };
}

async function peak(n: number) {
  const { registry, engine, request } = await setup();
  const req = request(generateManifest(registry, n));
  const before = rssMiB();
  const t = performance.now();
  const report = judge(engine, req);
  const ms = performance.now() - t;
  const afterFirst = rssMiB();
  const t2 = performance.now();
  judge(engine, req);
  const warm = performance.now() - t2;
  return {
    n,
    warmEvaluationMs: round(warm, 1),
    rssAfterFirstMiB: round(afterFirst, 1),
    rssBeforeMiB: round(before, 1),
    rssAfterMiB: round(rssMiB(), 1),
    peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    firstEvaluationMs: round(ms, 1),
    violations: report.violations.length,
  };
}

/** What the pack and `plan` hand to judgeStack: one component per flow, some owning an API destination. */
export function stackResources(m: GeneratedManifest): StackResource[] {
  const stackUrn = "urn:pulumi:bench::vendorgate-bench::pulumi:pulumi:Stack::vendorgate-bench-bench";
  const out: StackResource[] = [{ urn: stackUrn, type: "pulumi:pulumi:Stack", name: "vendorgate-bench-bench", props: {} }];
  m.integrations.forEach((i, k) => {
    const urn = `urn:pulumi:bench::vendorgate-bench::${INTEGRATION_TYPE}::${i.name}`;
    out.push({ urn, type: INTEGRATION_TYPE, name: i.name, parent: stackUrn, props: { ...i, enabled: true } });
    if (k % 2 === 0) {
      const type = "aws:cloudwatch/eventApiDestination:EventApiDestination";
      out.push({
        urn: `urn:pulumi:bench::vendorgate-bench::${INTEGRATION_TYPE}$${type}::${i.name}-dest`,
        type,
        name: `${i.name}-dest`,
        parent: urn,
        props: { invocationEndpoint: i.destination.url, httpMethod: "POST" },
      });
    }
  });
  return out;
}

async function judgeStackScaling(sizes: number[]) {
  const ctx = await loadPolicyContext({ registry: REGISTRY, exceptions: EXCEPTIONS, now: NOW });
  const { registry } = await loadRegistry(REGISTRY);
  const rows = [];
  for (const n of sizes) {
    const m = generateManifest(registry, n);
    const resources = stackResources(m);
    let verdict = judgeStack(ctx, resources, { stack: m.stack });
    const runs = repeat(() => (verdict = judgeStack(ctx, resources, { stack: m.stack })), n >= 10_000 ? 2 : 3, n >= 3000 ? 0 : 500);
    // CPU time: on a shared machine wall time measures the neighbours too.
    rows.push({ n, resources: resources.length, ms: round(median(runs.cpu), 2), wallMs: round(median(runs.wall), 2), violations: verdict.report.violations.length, problems: verdict.problems.length });
    process.stderr.write(`  judgeStack N=${n}: ${round(median(runs.cpu), 1)} ms CPU\n`);
  }
  return { rows };
}

const [mode, ...args] = process.argv.slice(2);
const list = (s: string | undefined) => (s ?? "").split(",").filter(Boolean).map(Number);
let result: unknown;
switch (mode) {
  case "throughput":
    result = await throughput(args[0]!, list(args[1]));
    break;
  case "wasm-load":
    result = await wasmLoad();
    break;
  case "memory":
    result = await memory(Number(args[0]), Number(args[1]));
    break;
  case "peak":
    result = await peak(Number(args[0]));
    break;
  case "judge-stack":
    result = await judgeStackScaling(list(args[0]));
    break;
  case "exceptions":
    result = await exceptionsCost(Number(args[0]), Number(args[1]));
    break;
  case "preview":
    result = await previewBench(Number(args[0]), Number(args[1]), args[2]!, ...(args[3] ? [args[3].split(",") as Parameters<typeof previewBench>[3]] : []));
    break;
  default:
    process.stderr.write(`unknown mode ${mode}\n`);
    process.exit(2);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
