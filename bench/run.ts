/*
 * `npm run bench`: what the gate costs, side by side with the obvious alternatives.
 *
 *   1. verdict throughput: our engine (WASM) against OPA's Go evaluator (`opa bench`), same Rego,
 *      data and input, N = 1, 100, 10,000 integrations;
 *   2. gate overhead on a real `pulumi preview` of 1,000 Integrations, with and without the pack;
 *   3. cold start of `vendorgate check` against bare `node`, and WASM load time;
 *   4. resident memory over 1,000,000 judged integrations, and peak memory for 10,000;
 *   5. scaling of `check`, `plan` and judgeStack against N, with the fitted log-log slope;
 *   6. the run-time guard (vendorgate/runtime) on a 20-property event against JSON.stringify of
 *      it, and the runtime's size as a browser bundle;
 *   7. `exposure` over a generated backend of 1,000 stacks × 10 checkpoints on a local S3 server
 *      (gofakes3): wall time, against the AWS SDK downloading the same objects, and peak RSS at
 *      N/10, N and 3N stacks.
 *
 * Prints progress on stderr, the table on stdout, and writes bench/results.json. Options:
 *   --quick            smaller sizes and fewer runs (a smoke test of the script itself)
 *   --only=a,b         run only these sections: throughput, preview, cold, memory, scaling, runtime, backend
 *   --out=FILE         where to write the results (default bench/results.json)
 *   --preview-n=N, --preview-runs=R   size and runs of the preview section (default 1000, 5)
 *   --preview-variants=none,pack,nullPack,nullPackMany   some of the preview's configurations (exploring)
 *   --backend-stacks=N, --backend-runs=R  size and runs of the backend section (default 1000, 3)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildBundle, isFresh } from "../src/engine/bundle.ts";
import { inputLimits, loadRegistry } from "../src/model/index.ts";
import { backendBench, type BackendRun } from "./backend.ts";
import { generateManifest, manifestText, NOW, SEED } from "./generate.ts";
import { userProject, type PreviewResult } from "./preview.ts";
import type { ExceptionsResult, MemoryResult, PeakResult, ThroughputRow, WasmLoadResult } from "./worker.ts";
import { benchDir, linearFit, logLogFit, machine, median, oneCore, progress, repoRoot, round, timeCommand, toolVersions, worker } from "./lib.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",");

const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const out = flag("out") ?? join(benchDir, "results.json");
const wanted = (s: string) => !only || only.includes(s);

const REGISTRY = "examples/shop/policy/vendors.yaml";
// The product's rules only (VG001-VG012), as its bundle holds them: the example project's own rule
// (ACME001) is in its project bundle, which the shipped bundle does not judge with.
const POLICY_DIRS = ["policies/lib", "policies/rules"];
const ENTRY = "data.vendorgate.main.report";
const started = performance.now();
const work = mkdtempSync(join(tmpdir(), "vendorgate-bench-"));
const results: Record<string, unknown> = {};
const table: string[][] = [];
const row = (section: string, what: string, value: string, goal = "", verdict = "") => table.push([section, what, value, goal, verdict]);
const pass = (ok: boolean) => (ok ? "met" : "NOT met");
const fmt = (x: number, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

if (!isFresh()) {
  progress("policy bundle is stale: building it");
  buildBundle();
}
const { registry } = await loadRegistry(REGISTRY);
results.machine = machine();
results.tools = toolVersions();
results.seed = SEED;
results.now = NOW;
results.quick = quick;
progress(`machine: ${JSON.stringify(results.machine)}`);
progress(`tools: ${JSON.stringify(results.tools)}`);

/**
 * Runs one section when it is wanted. A section that fails is recorded (and shown in the table)
 * rather than losing the figures of the others; results.json is rewritten after each section.
 */
async function section(name: string, fn: () => Promise<void>): Promise<void> {
  if (!wanted(name)) return;
  const t = performance.now();
  try {
    await fn();
  } catch (err) {
    const message = (err as Error).message ?? String(err);
    progress(`section ${name} failed: ${message}`);
    (results.errors ??= {} as Record<string, string>);
    (results.errors as Record<string, string>)[name] = message;
    row(name, "FAILED", message.slice(0, 200));
  }
  (results.sectionSeconds ??= {} as Record<string, number>);
  (results.sectionSeconds as Record<string, number>)[name] = round((performance.now() - t) / 1000, 0);
  save();
}

function save(): void {
  results.totalSeconds = round((performance.now() - started) / 1000, 0);
  // With --only, the other sections keep the figures of the run that last measured them.
  let merged = results;
  if (only && existsSync(out)) {
    const previous = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    merged = { ...previous, ...results, sectionsOfThisRun: only };
  }
  writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
}

/** `opa` on one core (GOMAXPROCS=1 and pinned), like our engine's single thread. */
function opa(argv: string[]) {
  const r = timeCommand(oneCore[0] ?? "opa", oneCore.length ? [...oneCore.slice(1), "opa", ...argv] : argv, { env: { ...process.env, GOMAXPROCS: "1" } });
  if (r.status !== 0) throw new Error(`opa ${argv[0]} failed: ${r.stderr.trim()}`);
  return r;
}
const opaData = (dir: string, n: number) => [...POLICY_DIRS.flatMap((d) => ["-d", d]), "--ignore", "*_test.rego", "-d", join(dir, "data.json"), "-i", join(dir, `input-${n}.json`)];

// ── 1. Verdict throughput ────────────────────────────────────────────────────────────────────────
await section("throughput", async () => {
  const sizes = quick ? [1, 100, 1000] : [1, 100, 1000, 10_000];
  progress(`1/5 throughput: engine (WASM) on N = ${sizes.join(", ")}`);
  const dir = join(work, "throughput");
  rmSync(dir, { recursive: true, force: true });
  timeCommand("mkdir", ["-p", dir]);
  const engine = worker<{ rows: ThroughputRow[] }>("throughput", [dir, sizes.join(",")]);
  const rows = [];
  for (const e of engine.rows) {
    const n = e.n;
    progress(`1/5 throughput: OPA's Go evaluator on N = ${n} (opa eval for the count, opa bench for the time)`);
    const evalRun = opa(["eval", ...opaData(dir, n), "--format", "raw", "--metrics", `count(${ENTRY}.violations)`]);
    const opaCount = Number(evalRun.stdout.trim().split("\n")[0]);
    const bench = opa(["bench", ...opaData(dir, n), "-f", "json", "--count", "1", "--benchmem=false", "--metrics=false", ENTRY]);
    const b = JSON.parse(bench.stdout) as { N: number; T: number };
    const opaNsPerOp = b.T / b.N;
    const opaPerSec = n / (opaNsPerOp / 1e9);
    const enginePerSec = e.integrationsPerCpuSec;
    rows.push({
      ...e,
      opa: { nsPerOp: round(opaNsPerOp, 0), ops: b.N, integrationsPerSec: round(opaPerSec, 0), violations: opaCount, evalProcessMs: round(evalRun.ms, 0) },
      sameViolationCount: opaCount === e.violations,
      ratioVsOpa: round(enginePerSec / opaPerSec, 2),
      ratioVsOpaWasmOnly: round(e.wasmOnlyIntegrationsPerSec / opaPerSec, 2),
    });
    progress(`   N=${n}: engine ${fmt(enginePerSec)}/s (CPU), OPA Go ${fmt(opaPerSec)}/s, ${opaCount === e.violations ? "same" : "DIFFERENT"} violation count (${e.violations} vs ${opaCount})`);
  }
  results.throughput = { measured: "judge() per manifest: normalise, one evaluate, validate and sort; integrations per CPU second on one pinned core", rows };
  for (const r of rows) {
    // The goal is read at N = 1,000 (issue 21): 50,000 integrations per CPU second, 35,000 at the least.
    const goal = r.n === 1000;
    const verdict = r.integrationsPerCpuSec >= 50_000 ? "met" : r.integrationsPerCpuSec >= 35_000 ? "floor met" : "NOT met";
    row("1 throughput", `N=${fmt(r.n)} (${fmt(r.fields)} fields, ${r.violations} violations, ${r.integrationsFailing} blocked)`, `${fmt(r.integrationsPerCpuSec)}/s engine (wall ${fmt(r.integrationsPerSec)}/s, WASM alone ${fmt(r.wasmOnlyIntegrationsPerSec)}/s); OPA Go ${fmt(r.opa.integrationsPerSec)}/s; ratio ${r.ratioVsOpa}x; counts ${r.sameViolationCount ? "equal" : "DIFFER"}`, goal ? ">= 50,000/s (floor 35,000), counts equal" : "", goal ? (r.sameViolationCount ? verdict : "NOT met") : "");
  }
  const excN = quick ? 100 : 1000;
  const excCount = quick ? 400 : 4000;
  progress(`1/5 throughput: judge() at N = ${excN} without and with ${excCount} exceptions (alternating)`);
  const exc = worker<ExceptionsResult>("exceptions", [String(excN), String(excCount)]);
  results.exceptions = { ...exc, workload: "a shared file: 1 in 20 for the judged stack, each waiving one of its violations; the rest for 50 other stacks" };
  row(
    "1 throughput",
    `${fmt(exc.exceptions)} exceptions at N=${fmt(exc.n)} (${exc.forThisStack} for this stack: ${exc.waived} waived, ${exc.staleReported} VG012), median of ${exc.rounds} alternating rounds`,
    `${fmt(exc.withoutCpuMs, 1)} ms -> ${fmt(exc.withCpuMs, 1)} ms CPU: +${exc.addedPct} %`,
    "<= +20 %",
    pass(exc.addedPct <= 20),
  );
});

// ── 2. Gate overhead on a real preview ───────────────────────────────────────────────────────────
await section("preview", async () => {
  const n = Number(flag("preview-n") ?? (quick ? 100 : 1000));
  const runs = Number(flag("preview-runs") ?? (quick ? 1 : 5));
  progress(`2/5 preview: ${n} Integrations, ${runs} rounds of: no pack, the pack, an empty 1-policy pack, an empty many-policy pack (interleaved)`);
  const dir = join(work, "preview");
  timeCommand("mkdir", ["-p", dir]);
  const variants = flag("preview-variants");
  const p = worker<PreviewResult>("preview", [String(n), String(runs), dir, ...(variants ? [variants] : [])], { oneCore: false });
  // Where the pack's time goes: its module graph loading, and the verdict itself (judgeStack).
  // The built pack (what node_modules/vendorgate/policies/pack runs), after @pulumi/policy, which
  // every pack loads (the empty ones too): what vendorgate's own modules add.
  const importRuns = Array.from({ length: quick ? 2 : 5 }, () =>
    timeCommand(process.execPath, ["--input-type=module", "-e", `await import("@pulumi/policy"); const c = process.cpuUsage(); await import(${JSON.stringify(join(repoRoot, "dist/pack/pack.js"))}); const u = process.cpuUsage(c); console.log((u.user + u.system) / 1000)`], { cwd: repoRoot }),
  );
  const js = worker<{ rows: { n: number; ms: number }[] }>("judge-stack", [String(n)]);
  p.packModuleImportMs = round(median(importRuns.map((r) => Number(r.stdout.trim()))), 0);
  p.packJudgeStackMs = js.rows[0]!.ms;
  results.preview = p;
  const m = p.medianMs;
  const c = p.medianCpuMs;
  row("2 preview", `pulumi preview, ${n} Integrations, median of ${runs}`, `wall ${fmt(m.none)} ms without pack, ${fmt(m.pack)} ms with (+${p.packOverheadPct} %); CPU ${fmt(c.none)} ms, ${fmt(c.pack)} ms (+${p.packCpuOverheadPct} %)`, "pack adds <= 5 %", pass(p.packOverheadPct <= 5 && p.packCpuOverheadPct <= 5));
  row("2 preview", `empty pack with 1 policy (any pack's plumbing), median of ${runs}`, `wall ${fmt(m.nullPack)} ms (+${p.nullPackOverheadPct} %); CPU ${fmt(c.nullPack)} ms (+${p.nullPackCpuOverheadPct} %)`);
  row("2 preview", `empty pack with ${p.packPolicies} no-op stack policies, median of ${runs}`, `wall ${fmt(m.nullPackMany)} ms; CPU ${fmt(c.nullPackMany)} ms (+${p.nullPackManyCpuOverheadPct} %)`);
  row(
    "2 preview",
    "CPU the pack adds / CPU an empty 1-policy pack adds",
    `${p.packAddedCpuOverNullPack}x from the medians (+${fmt(c.pack - c.none)} / +${fmt(c.nullPack - c.none)} ms); ${p.packAddedCpuOverNullPackRoundMedian}x median of rounds`,
    "<= 1.25x",
    pass(p.packAddedCpuOverNullPack <= 1.25),
  );
  const own = p.medianPackProcessCpuMs;
  if (own.pack !== undefined && own.nullPack !== undefined) {
    row(
      "2 preview",
      "CPU of the pack's own process (no engine or program time), medians",
      `vendorgate's ${fmt(own.pack)} ms; empty, 1 policy ${fmt(own.nullPack)} ms; empty, ${p.packPolicies} policies ${fmt(own.nullPackMany ?? Number.NaN)} ms: vendorgate's is ${round(own.pack / own.nullPack, 2)}x the empty 1-policy pack's`,
    );
  }
  row("2 preview", "where the pack's CPU goes", `plumbing, 1 policy +${fmt(c.nullPack - c.none)} ms; ${p.packPolicies} policies +${fmt(c.nullPackMany - c.none)} ms; vendorgate's pack +${fmt(c.pack - c.none)} ms, of which loading its modules ${p.packModuleImportMs} ms and the verdict (judgeStack) ${p.packJudgeStackMs} ms`);
});

// ── 3. Cold start ────────────────────────────────────────────────────────────────────────────────
await section("cold", async () => {
  const runs = quick ? 3 : 21;
  progress(`3/5 cold start: node bin/vendorgate.js check (the built package) vs node -e 0, ${runs} runs each (interleaved)`);
  const dir = join(work, "cold");
  timeCommand("mkdir", ["-p", dir]);
  const file = join(dir, "one.manifest.json");
  writeFileSync(file, manifestText(generateManifest(registry, 1)));
  const bare: number[] = [];
  const check: number[] = [];
  const bareCpu: number[] = [];
  const checkCpu: number[] = [];
  const noCache: number[] = [];
  let status: number | null = null;
  // The package's bin runs the CLI through V8's code cache (and Node's compile cache for what it
  // loads from outside dist/cli.js); this series, with both off, shows what they save.
  const noCacheEnv = { env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" } };
  timeCommand(process.execPath, ["bin/vendorgate.js", "check", "--manifest", file, "--registry", REGISTRY, "--now", NOW, "--format", "json"]);
  for (let i = 0; i < runs; i++) {
    const b = timeCommand(process.execPath, ["-e", "0"]);
    bare.push(b.ms);
    bareCpu.push(b.cpuMs ?? Number.NaN);
    const r = timeCommand(process.execPath, ["bin/vendorgate.js", "check", "--manifest", file, "--registry", REGISTRY, "--now", NOW, "--format", "json"]);
    status = r.status;
    check.push(r.ms);
    checkCpu.push(r.cpuMs ?? Number.NaN);
    noCache.push(timeCommand(process.execPath, ["bin/vendorgate.js", "check", "--manifest", file, "--registry", REGISTRY, "--now", NOW, "--format", "json"], noCacheEnv).ms);
  }
  const loads = Array.from({ length: quick ? 2 : 7 }, () => worker<WasmLoadResult>("wasm-load"));
  const pick = (k: Exclude<keyof WasmLoadResult, "wasmBytes">) => round(median(loads.map((l) => l[k])), 2);
  const cold = {
    runs,
    bareNodeMs: round(median(bare), 1),
    checkMs: round(median(check), 1),
    beyondNodeMs: round(median(check) - median(bare), 1),
    ratioToNode: round(median(check) / median(bare), 2),
    // The fastest run of each: what the start costs when no other process takes the CPU from it.
    fastestBeyondNodeMs: round(Math.min(...check) - Math.min(...bare), 1),
    withoutCompileCacheBeyondNodeMs: round(median(noCache) - median(bare), 1),
    cpu: { bareNodeMs: round(median(bareCpu), 1), checkMs: round(median(checkCpu), 1), beyondNodeMs: round(median(checkCpu) - median(bareCpu), 1) },
    allMs: { bare: bare.map((x) => round(x, 1)), check: check.map((x) => round(x, 1)) },
    checkExitCode: status,
    wasmLoad: { readBundleMs: pick("readBundleMs"), compileInstantiateMs: pick("compileInstantiateMs"), setDataMs: pick("setDataMs"), totalMs: pick("wasmLoadMs"), engineLoadMs: pick("engineLoadWarmModuleMs"), wasmBytes: loads[0]!.wasmBytes },
  };
  results.coldStart = cold;
  row("3 cold start", "check (1 integration) beyond node -e 0, medians", `wall ${cold.checkMs} - ${cold.bareNodeMs} = ${cold.beyondNodeMs} ms; CPU ${cold.cpu.checkMs} - ${cold.cpu.bareNodeMs} = ${cold.cpu.beyondNodeMs} ms`, "<= 150 ms", pass(cold.beyondNodeMs <= 150));
  row("3 cold start", "the same, fastest run of each (least disturbed by other load)", `${round(Math.min(...check), 1)} - ${round(Math.min(...bare), 1)} = ${cold.fastestBeyondNodeMs} ms; median ratio ${cold.ratioToNode}x node -e 0`);
  row("3 cold start", "the same without the code cache (NODE_DISABLE_COMPILE_CACHE=1), medians", `${round(median(noCache), 1)} - ${cold.bareNodeMs} = ${cold.withoutCompileCacheBeyondNodeMs} ms`);
  row("3 cold start", "WASM load (read+verify, compile+instantiate, set data)", `${cold.wasmLoad.totalMs} ms (${cold.wasmLoad.readBundleMs} + ${cold.wasmLoad.compileInstantiateMs} + ${cold.wasmLoad.setDataMs})`, "<= 50 ms", pass(cold.wasmLoad.totalMs <= 50));
});

/** MiB per semi-space for the memory run that holds V8's young generation at one size. */
const SEMI_SPACE_MIB = 16;

// ── 4. Memory ────────────────────────────────────────────────────────────────────────────────────
await section("memory", async () => {
  const total = quick ? 100_000 : 1_000_000;
  progress(`4/5 memory: RSS over ${fmt(total)} integrations judged in batches of 1,000`);
  const mem = worker<MemoryResult>("memory", [String(total), "1000"], { nodeArgs: ["--expose-gc"] });
  // The same with V8's young generation held at one size: what RSS does when the only thing V8
  // still resizes on its own is taken out (see the held figures of the first run).
  progress(`4/5 memory: the same with the young generation fixed (--min/--max-semi-space-size=${SEMI_SPACE_MIB})`);
  const fixed = worker<MemoryResult>("memory", [String(total), "1000"], { nodeArgs: ["--expose-gc", `--min-semi-space-size=${SEMI_SPACE_MIB}`, `--max-semi-space-size=${SEMI_SPACE_MIB}`] });
  const peakN = quick ? 1000 : 5_000;
  progress(`4/5 memory: peak RSS judging one manifest of ${fmt(peakN)} integrations`);
  const peak = worker<PeakResult>("peak", [String(peakN)]);
  results.memory = { steady: mem, steadyFixedYoungGeneration: fixed, peak };
  const k = mem.kept;
  const range = (x: { min: number; max: number; spreadPct: number }) => `${x.min}-${x.max} MiB (${x.spreadPct} %)`;
  const beyond = (r: MemoryResult) => `${round(r.kept.externalMiB.min - r.kept.wasmMiB.max, 1)}-${round(r.kept.externalMiB.max - r.kept.wasmMiB.max, 1)} MiB beyond the WASM memory`;
  row("4 memory", `what the process keeps over ${fmt(mem.integrations)} integrations (${fmt(mem.evaluations)} evaluations) after warm-up, after a full GC: live JS heap, WASM memory`, `live JS heap ${range(k.heapMiB)}; WASM memory ${range(k.wasmMiB)}`, "each within 5 %", pass(k.heapMiB.spreadPct <= 5 && k.wasmMiB.spreadPct <= 5));
  row("4 memory", "memory outside V8's heap (process.memoryUsage().external, WASM memory included), the same samples", `${range(k.externalMiB)}: ${beyond(mem)}; array buffers at most ${k.arrayBuffersMiB.max} MiB; with the young generation fixed ${range(fixed.kept.externalMiB)}`, "within 5 %", pass(k.externalMiB.spreadPct <= 5));
  row("4 memory", "RSS over the same, V8's default heap sizing", `${mem.rssMinMiB}-${mem.rssMaxMiB} MiB, spread ${mem.spreadPct} %, drift ${mem.driftPct} %; of it V8's young generation, empty after the GC, ${mem.held.youngGenerationMiB.min}-${mem.held.youngGenerationMiB.max} MiB committed; peak ${mem.peakRssMiB} MiB`, "within 5 %", `${pass(mem.spreadPct <= 5)}${mem.spreadPct <= 5 ? "" : " (bounded by V8 growing its young generation, §4)"}`);
  row("4 memory", `RSS over the same, young generation fixed (--min/--max-semi-space-size=${SEMI_SPACE_MIB})`, `${fixed.rssMinMiB}-${fixed.rssMaxMiB} MiB, spread ${fixed.spreadPct} %, drift ${fixed.driftPct} %; live JS heap ${range(fixed.kept.heapMiB)}; peak ${fixed.peakRssMiB} MiB`, "within 5 %", pass(fixed.spreadPct <= 5));
  const firstToWarm = peak.firstEvaluationMs / peak.warmEvaluationMs;
  row("4 memory", `first evaluation against a warm one, one manifest of ${fmt(peakN)}`, `${fmt(peak.firstEvaluationMs)} ms / ${fmt(peak.warmEvaluationMs)} ms = ${firstToWarm.toFixed(2)}x`, "<= 1.5x", pass(firstToWarm <= 1.5));
  row("4 memory", `peak RSS, one manifest of ${fmt(peakN)}`, `${peak.peakRssMiB} MiB (${peak.rssBeforeMiB} MiB before evaluating, ${peak.rssAfterFirstMiB} MiB after the first)`, "<= 300 MiB", pass(peak.peakRssMiB <= 300));
});

// ── 5. Scaling ───────────────────────────────────────────────────────────────────────────────────
await section("scaling", async () => {
  // The product refuses a manifest over inputLimits.maxEntries (lines plus commas: ~2,600
  // integrations of compact JSON) and a manifest or stack over inputLimits.maxIntegrations, so the
  // series stay below those; N = 10,000 is then run once to time the refusal.
  const checkSizes = quick ? [1, 10, 100, 1000] : [1, 10, 100, 1000, 2500];
  const stackSizes = quick ? [1, 10, 100, 1000] : [1, 10, 100, 1000, Math.min(5000, inputLimits.maxIntegrations)];
  const runsFor = (n: number) => (n >= 2500 ? 1 : n >= 1000 ? 2 : 3);
  const dir = join(work, "scaling");
  timeCommand("mkdir", ["-p", join(dir, "project")]);
  // A user's project: its program imports @pulumi/pulumi and vendorgate from its own node_modules.
  userProject(join(dir, "project"));
  // plan runs a Pulumi program: the preview benchmark's, reading its flows from a file.
  writeFileSync(join(dir, "project", "Pulumi.yaml"), "name: vendorgate-bench\nruntime: nodejs\nmain: program.ts\n");
  // The program's secret credentials come from a `secure:` value, which plan with --no-decrypt
  // (how CI runs it, without the passphrase) hands the program as a secret placeholder.
  writeFileSync(join(dir, "project", "Pulumi.bench.yaml"), "config:\n  vendorgate:residency: [eu, us]\n  vendorgate-bench:token:\n    secure: v1:bm90LWRlY3J5cHRlZA==\n");
  // plan judges with the project's vendorgate.yaml, found beside Pulumi.yaml as in a user's project.
  writeFileSync(join(dir, "project", "vendorgate.yaml"), `apiVersion: vendorgate/v1\nregistry: ${join(repoRoot, REGISTRY)}\nexceptions: ${join(repoRoot, "examples/shop/policy/exceptions.yaml")}\n`);
  writeFileSync(join(dir, "project", "program.ts"), `export { default } from ${JSON.stringify(new URL("./preview-program.ts", import.meta.url).href)};\n`);
  type Point = { n: number; ms: number; cpuMs?: number; maxRssMiB?: number; violations?: number; exit?: number | null };
  const series: Record<"check" | "plan", Point[]> = { check: [], plan: [] };
  const refused: Record<string, unknown> = {};
  const argvFor = (cmd: "check" | "plan", file: string) =>
    cmd === "check"
      ? ["bin/vendorgate.js", "check", "--manifest", file, "--registry", REGISTRY, "--now", NOW, "--format", "json"]
      : ["bin/vendorgate.js", "plan", "--project", join(dir, "project"), "--stack", "bench", "--registry", REGISTRY, "--no-decrypt", "--now", NOW, "--format", "json"];
  for (const n of [...new Set([...checkSizes, ...stackSizes, ...(quick ? [] : [10_000])])].sort((a, b) => a - b)) {
    const m = generateManifest(registry, n);
    const file = join(dir, `manifest-${n}.json`);
    writeFileSync(file, manifestText(m));
    const flows = join(dir, `flows-${n}.json`);
    writeFileSync(flows, JSON.stringify(m.integrations));
    for (const cmd of ["check", "plan"] as const) {
      const env = { ...process.env, VENDORGATE_BENCH_FLOWS: flows };
      if (n === 10_000) {
        const r = timeCommand(process.execPath, argvFor(cmd, file), { env });
        // The message names the temporary file: keep the reason, not this machine's path.
        const message = r.stderr.trim().split("\n").slice(0, 2).join(" ").replace(/\S*vendorgate-bench-[^/\s]+\//g, "<tmp>/").slice(0, 300);
        refused[cmd] = { n, exit: r.status, ms: round(r.ms, 0), cpuMs: round(r.cpuMs ?? Number.NaN, 0), message };
        progress(`5/5 scaling: ${cmd} N=10000 exits ${r.status} in ${fmt(r.ms)} ms (over the input limits)`);
        continue;
      }
      if (!(cmd === "check" ? checkSizes : stackSizes).includes(n)) continue;
      const times: number[] = [];
      const cpu: number[] = [];
      let last;
      for (let i = 0; i < runsFor(n); i++) {
        last = timeCommand(process.execPath, argvFor(cmd, file), { env });
        if (last.status !== 0 && last.status !== 1) throw new Error(`${cmd} N=${n} failed (exit ${last.status}): ${last.stderr.slice(0, 500)}`);
        times.push(last.ms);
        cpu.push(last.cpuMs ?? Number.NaN);
      }
      const violations = (JSON.parse(last!.stdout) as { violations: unknown[] }).violations.length;
      series[cmd].push({ n, ms: round(median(times), 0), cpuMs: round(median(cpu), 0), maxRssMiB: round((last!.maxRssKiB ?? 0) / 1024, 0), violations, exit: last!.status });
      progress(`5/5 scaling: ${cmd} N=${n}: ${fmt(median(times))} ms wall, ${fmt(median(cpu))} ms CPU, ${violations} violations`);
    }
  }
  progress("5/5 scaling: judgeStack (the pack's and plan's verdict) against N");
  const js = worker<{ rows: { n: number; ms: number; resources: number; violations: number }[] }>("judge-stack", [stackSizes.join(",")]);
  const fitOf = (pts: { n: number; ms: number }[]) => {
    // The slope is read where N dominates (N >= 100); below that, start-up is the whole cost.
    const big = pts.filter((p) => p.n >= 100);
    const ll = logLogFit(big.map((p) => p.n), big.map((p) => p.ms));
    const lin = linearFit(pts.map((p) => p.n), pts.map((p) => p.ms));
    return { logLogSlope: round(ll.slope, 3), logLogR2: round(ll.r2, 4), msPerIntegration: round(lin.slope, 4), fixedMs: round(lin.intercept, 0), linearR2: round(lin.r2, 4) };
  };
  const all = { check: series.check, plan: series.plan, judgeStack: js.rows };
  const cpuSeries = { check: series.check.map((p) => ({ n: p.n, ms: p.cpuMs ?? Number.NaN })), plan: series.plan.map((p) => ({ n: p.n, ms: p.cpuMs ?? Number.NaN })) };
  const fits = Object.fromEntries(Object.entries(all).map(([k, pts]) => [k, fitOf(pts)]));
  const cpuFits = Object.fromEntries(Object.entries(cpuSeries).map(([k, pts]) => [k, fitOf(pts)]));
  results.scaling = {
    series: all,
    fits,
    cpuFits,
    refusedAt10000: refused,
    limits: { maxEntries: inputLimits.maxEntries, maxIntegrations: inputLimits.maxIntegrations, maxFileBytes: inputLimits.maxFileBytes },
    note: "slope of log(time) on log(N) over N >= 100 (1.0 is linear), and a linear fit of time on N; wall time, and CPU time for the commands",
  };
  for (const [k, f] of Object.entries(fits)) {
    const pts = all[k as keyof typeof all];
    const c = cpuFits[k];
    const label = k === "judgeStack" ? "pack (its verdict, judgeStack)" : k;
    row("5 scaling", `${label}: ${pts.map((p) => `${fmt(p.n)}→${fmt(p.ms)} ms`).join(", ")}`, `log-log slope over N >= 100: ${f.logLogSlope} (R² ${f.logLogR2})${c ? `, CPU ${c.logLogSlope}` : ""}; ${f.msPerIntegration} ms per integration + ${f.fixedMs} ms`, "linear (slope <= 1.05)", pass(f.logLogSlope <= 1.05 && (!c || c.logLogSlope <= 1.05)));
  }
  for (const [k, r] of Object.entries(refused) as [string, { exit: number | null; ms: number }][]) {
    row("5 scaling", `${k}: N=10,000 (over the input limits)`, `refused, exit ${r.exit}, in ${fmt(r.ms)} ms`);
  }
});

await section("runtime", async () => {
  progress("6/6 runtime: the guard against JSON.stringify of the same event; bundle size");
  const { benchRuntime } = await import("./runtime.ts");
  const r = await benchRuntime(quick);
  results.runtime = {
    ...r,
    size: { runtime: { minifiedBytes: r.size.runtime.minifiedBytes, gzipBytes: r.size.runtime.gzipBytes }, undiciDispatcher: { minifiedBytes: r.size.undiciDispatcher.minifiedBytes, gzipBytes: r.size.undiciDispatcher.gzipBytes } },
    note: "ns per event, medians of interleaved rounds; sameUser: one session's events (the pseudonym cached); everyUserNew: a new identifier in every event (HMAC computed each time)",
  };
  const t = r.sameUser;
  row("6 runtime", `guard.filter, 20-property event (12 declared, pseudonym cached) vs JSON.stringify`, `${fmt(t.nsPerEvent.filter)} vs ${fmt(t.nsPerEvent.stringify)} ns: ${t.ratio}x (filter then stringify ${t.ratioWithSerialisation}x)`, "<= 2x", pass(t.ratio <= 2));
  const c = r.everyUserNew;
  row("6 runtime", "same, a new user ID in every event (HMAC each time)", `${fmt(c.nsPerEvent.filter)} vs ${fmt(c.nsPerEvent.stringify)} ns: ${c.ratio}x`);
  row("6 runtime", "vendorgate/runtime, browser bundle (esbuild, minified)", `${fmt(r.size.runtime.minifiedBytes)} B, ${fmt(r.size.runtime.gzipBytes)} B gzipped; undici dispatcher ${fmt(r.size.undiciDispatcher.gzipBytes)} B gzipped`);
});

// ── 7. Incident sources: a backend of N stacks × 10 checkpoints on a local S3 server ──────────────
await section("backend", async () => {
  const stacks = Number(flag("backend-stacks") ?? (quick ? 100 : 1000));
  const b = await backendBench({ stacks, checkpoints: 10, runs: Number(flag("backend-runs") ?? (quick ? 1 : 3)) });
  results.backend = b;
  const [short, big, bigger] = b.runs as [BackendRun, BackendRun, BackendRun];
  row(
    "7 backend",
    `exposure, ${fmt(big.stacks)} stacks × 10 checkpoints on local S3 (${fmt(big.objects)} objects, ${big.megabytes} MB), median of ${big.exposureMs.length}`,
    `${fmt(big.medianMs)} ms (runs ${big.exposureMs.map((x) => fmt(x)).join(", ")}); ${b.ratioVsRawDownload}x the AWS SDK alone downloading the same objects (${fmt(b.rawDownloadMs)} ms)`,
    "<= 30 s",
    pass(big.medianMs <= 30_000 && big.stacksInReport === big.stacks && big.checkpointsInReport === big.checkpoints),
  );
  row(
    "7 backend",
    `peak RSS of the read: exposure for the vendor one stack sends to, at ${fmt(short.stacks)}, ${fmt(big.stacks)} and ${fmt(bigger.stacks)} stacks, medians of ${big.readPeaksMiB.length}`,
    `${short.readPeakRssMiB}, ${big.readPeakRssMiB} and ${bigger.readPeakRssMiB} MiB: x${b.readPeakRatioShort} for 10x the checkpoints, x${b.readPeakRatio} for 3x more`,
    "flat (<= 1.2x for 10x, and for 3x more)",
    pass(b.readPeakRatioShort <= 1.2 && b.readPeakRatio <= 1.2),
  );
  row(
    "7 backend",
    "peak RSS with the report of every stack (exposure for Mixpanel), medians",
    `${short.peakRssMiB}, ${big.peakRssMiB} and ${bigger.peakRssMiB} MiB (x${b.peakRatio} for 10x); the report ${(short.reportBytes / 1e6).toFixed(1)}, ${(big.reportBytes / 1e6).toFixed(1)} and ${(bigger.reportBytes / 1e6).toFixed(1)} MB of JSON`,
  );
});

save();
rmSync(work, { recursive: true, force: true });

const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...[["section", "measure", "result", "goal", "verdict"], ...table].map((r) => r[i]!.length)));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
process.stdout.write(`\n${line(["section", "measure", "result", "goal", "verdict"])}\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n${table.map(line).join("\n")}\n`);
process.stdout.write(`\nwrote ${relative(process.cwd(), out) || out} in ${results.totalSeconds} s\n`);
