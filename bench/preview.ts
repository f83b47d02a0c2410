/*
 * Gate overhead on a real preview: a program of N Integrations previewed by the real Pulumi engine
 * (inline program, temporary project and file backend) without a policy pack, with vendorgate's
 * pack, and with empty packs started the same way (what any pack costs), interleaved run by run.
 * The temporary project is laid out as a user's: its own vendorgate.yaml, and a node_modules in
 * which vendorgate is the built package (package.json, dist, the pack's folder), so the pack runs
 * from node_modules/vendorgate/policies/pack on the compiled code, never from this repository's
 * sources or with its development settings.
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import { policyPackConfig } from "../src/commands/preview.ts";
import { packPolicies } from "../src/pack/pack.ts";
import { Engine } from "../src/engine/engine.ts";
import { judge } from "../src/engine/judge.ts";
import { normalizeRegistry } from "../src/engine/normalize.ts";
import { loadExceptions, loadRegistry } from "../src/model/index.ts";
import { openStack, type ProjectInfo } from "../src/pulumi/workspace.ts";
import { cleanMix, generateManifest, NOW, SEED, type GeneratedManifest } from "./generate.ts";
import { benchDir, cpuWithChildrenMs, median, repoRoot, round } from "./lib.ts";

const REGISTRY = "examples/shop/policy/vendors.yaml";
const EXCEPTIONS = "examples/shop/policy/exceptions.yaml";
/** The stack config key (in the project's namespace) of the secret the program's credentials come from. */
export const TOKEN_KEY = "token";

/**
 * A project folder as `npm install vendorgate` leaves it: node_modules holds the project's
 * dependencies (links to this checkout's, so there is one copy of each @pulumi package) and
 * vendorgate as its built package. The pack's folder is copied, not linked: its launcher resolves
 * @pulumi/pulumi from where it sits, as it does in a user's project. The empty pack sits beside it.
 */
export function userProject(projectDir: string): { packLauncher: string; nullPackLauncher: string } {
  const modules = join(projectDir, "node_modules");
  mkdirSync(modules, { recursive: true });
  for (const name of readdirSync(join(repoRoot, "node_modules"))) {
    if (name !== "vendorgate" && !name.startsWith(".")) symlinkSync(join(repoRoot, "node_modules", name), join(modules, name));
  }
  const pkg = join(modules, "vendorgate");
  mkdirSync(join(pkg, "policies"), { recursive: true });
  copyFileSync(join(repoRoot, "package.json"), join(pkg, "package.json"));
  for (const dir of ["dist", "bin", "schemas"]) symlinkSync(join(repoRoot, dir), join(pkg, dir));
  cpSync(join(repoRoot, "policies", "pack"), join(pkg, "policies", "pack"), { recursive: true });
  cpSync(join(benchDir, "null-pack"), join(projectDir, "null-pack"), { recursive: true });
  return { packLauncher: join(pkg, "policies", "pack", "run-pack"), nullPackLauncher: join(projectDir, "null-pack", "run-pack") };
}

/** N flows the gate lets through (advisories allowed), so every preview runs to its end. */
async function passingFlows(n: number): Promise<GeneratedManifest["integrations"]> {
  const { registry } = await loadRegistry(REGISTRY);
  const engine = await Engine.load({ rebuild: false });
  engine.setRegistry(normalizeRegistry(registry));
  const { exceptions } = await loadExceptions(EXCEPTIONS, engine.catalogue.map((r) => r.id));
  const m = generateManifest(registry, n * 2, SEED, cleanMix);
  const report = judge(engine, { now: NOW, integrations: m.integrations, exceptions, enforcement: {} });
  const blocked = new Set(report.violations.filter((v) => v.severity === "mandatory" && !v.waivedBy).map((v) => v.integration));
  const flows = m.integrations.filter((i) => !blocked.has(i.name)).slice(0, n);
  if (flows.length < n) throw new Error(`only ${flows.length} passing flows generated`);
  return flows;
}

/** No pack; vendorgate's pack; an empty pack with one policy; an empty pack with as many policies as vendorgate's. */
type Variant = "none" | "pack" | "nullPack" | "nullPackMany";

export interface PreviewRun {
  ms: number;
  /** CPU of this process (the inline program) plus the engine and pack processes it waited for. */
  cpuMs: number;
  /** CPU of this process alone: the inline program and the Automation API's language server. */
  programCpuMs: number;
  /** CPU of the policy pack's process alone (bench/pack-cpu.cjs), when a pack ran. */
  packProcessCpuMs?: number;
  ok: boolean;
  mandatory: number;
  /** The first mandatory findings, when the preview was blocked. */
  blocked?: string[];
  advisory: number;
  resources: number;
}

export interface PreviewResult {
  integrations: number;
  runs: number;
  packPolicies: number;
  medianMs: Record<Variant, number>;
  allMs: Record<Variant, number[]>;
  allCpuMs: Record<Variant, number[]>;
  nullPackManyCpuOverheadPct: number;
  /** CPU the pack adds over what an empty single-policy pack adds, from the medians (goal <= 1.25). */
  packAddedCpuOverNullPack: number;
  /** The same ratio taken round by round (every configuration runs in every round), its median. */
  packAddedCpuOverNullPackRoundMedian: number;
  medianCpuMs: Record<Variant, number>;
  /** CPU of the pack's own process, medians (no engine or program time in it). */
  medianPackProcessCpuMs: Partial<Record<Variant, number>>;
  allPackProcessCpuMs: Partial<Record<Variant, number[]>>;
  packCpuOverheadPct: number;
  nullPackCpuOverheadPct: number;
  packOverheadPct: number;
  packOverheadPairMedianPct: number;
  nullPackOverheadPct: number;
  lastRun: Partial<Record<Variant, PreviewRun>>;
  packModuleImportMs?: number;
  packJudgeStackMs?: number;
}

const VARIANTS: readonly Variant[] = ["none", "pack", "nullPack", "nullPackMany"];

/** `variants`: a subset to explore with (--preview-variants); the committed run has all four. */
export async function previewBench(n: number, runs: number, dir: string, variants: readonly Variant[] = VARIANTS): Promise<PreviewResult> {
  const flows = await passingFlows(n);
  const projectDir = join(dir, "project");
  mkdirSync(projectDir, { recursive: true });
  const { packLauncher, nullPackLauncher } = userProject(projectDir);
  const flowsFile = join(dir, "flows.json");
  writeFileSync(flowsFile, JSON.stringify(flows));
  process.env.VENDORGATE_BENCH_FLOWS = flowsFile;
  const project: ProjectInfo = { root: projectDir, name: "vendorgate-bench", main: join(benchDir, "preview-program.ts"), stackConfigDir: projectDir };
  writeFileSync(join(projectDir, "Pulumi.yaml"), `name: ${project.name}\nruntime: nodejs\ndescription: vendorgate preview benchmark\n`);
  writeFileSync(join(projectDir, "vendorgate.yaml"), `apiVersion: vendorgate/v1\nregistry: ${resolve(REGISTRY)}\nexceptions: ${resolve(EXCEPTIONS)}\n`);
  const stackName = "bench";
  const packConfig = join(dir, "pack-config.json");
  const config = await policyPackConfig(project, { stack: stackName, project: projectDir, now: NOW });
  writeFileSync(packConfig, JSON.stringify(config, null, 2));
  const { stack } = await openStack(stackName, { project, backendDir: join(dir, "backend") });
  // The credentials come from the stack's encrypted config, as VG011 asks (a literal in the
  // program is itself a violation): the flows the gate passes must pass in the preview too.
  await stack.setConfig(TOKEN_KEY, { value: "bench-credential-from-encrypted-config", secret: true });
  const packPolicyCount = (await packPolicies()).length;
  // Every pack process the CLI starts reports its own CPU time into this file as it ends.
  const packCpuFile = join(dir, "pack-cpu.txt");
  process.env.VENDORGATE_BENCH_PACK_CPU = packCpuFile;
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--import ${JSON.stringify(pathToFileURL(join(benchDir, "pack-cpu.js")).href)}`].filter(Boolean).join(" ");

  const once = async (variant: Variant): Promise<PreviewRun> => {
    const events = { mandatory: 0, advisory: 0, resources: 0 };
    const blocked: string[] = [];
    const onEvent = (e: EngineEvent) => {
      if (e.policyEvent) events[e.policyEvent.enforcementLevel === "mandatory" ? "mandatory" : "advisory"]++;
      // A blocked preview measures less than a full one: keep why, to show in the results.
      if (e.policyEvent?.enforcementLevel === "mandatory" && blocked.length < 3) blocked.push(`${e.policyEvent.policyName}: ${e.policyEvent.message.replace(/\s+/g, " ").slice(0, 300)}`);
      if (e.resourcePreEvent) events.resources++;
    };
    const packs = variant === "pack" ? { policyPacks: [packLauncher], policyPackConfigs: [packConfig] } : variant === "none" ? {} : { policyPacks: [nullPackLauncher] };
    // The empty pack's process inherits this through the pulumi CLI.
    process.env.VENDORGATE_BENCH_POLICIES = String(variant === "nullPackMany" ? packPolicyCount : 1);
    const c = cpuWithChildrenMs();
    const self = process.cpuUsage();
    const t = performance.now();
    let ok = true;
    try {
      await stack.preview({ color: "never", onEvent, ...packs });
    } catch {
      ok = false;
    }
    const own = process.cpuUsage(self);
    const ms = performance.now() - t;
    const cpuMs = cpuWithChildrenMs() - c;
    const packCpu = existsSync(packCpuFile) ? readFileSync(packCpuFile, "utf8").trim().split("\n").map(Number) : [];
    rmSync(packCpuFile, { force: true });
    return { ms, cpuMs, programCpuMs: (own.user + own.system) / 1000, ...(packCpu.length ? { packProcessCpuMs: packCpu.reduce((a, b) => a + b, 0) } : {}), ok, ...events, ...(blocked.length ? { blocked } : {}) };
  };

  // No separate warm-up: a preview of this size takes long enough that the first run's extra cost
  // (creating the stack) is one outlier among the runs whose median is taken.
  const times: Record<Variant, number[]> = { none: [], pack: [], nullPack: [], nullPackMany: [] };
  const cpu: Record<Variant, number[]> = { none: [], pack: [], nullPack: [], nullPackMany: [] };
  const packCpu: Partial<Record<Variant, number[]>> = {};
  const last: Partial<Record<Variant, PreviewRun>> = {};
  const all = VARIANTS.filter((v) => variants.includes(v));
  for (let i = 0; i < runs; i++) {
    // Every configuration in every round, the order rotated each round, so that no configuration
    // has the slow first round to itself or always follows the same neighbour.
    const variants = all.map((_, k) => all[(k + i) % all.length]!);
    for (const v of variants) {
      const r = await once(v);
      times[v].push(r.ms);
      cpu[v].push(r.cpuMs);
      if (r.packProcessCpuMs !== undefined) (packCpu[v] ??= []).push(r.packProcessCpuMs);
      last[v] = r;
      const own = r.packProcessCpuMs === undefined ? "" : ` (the pack's process ${round(r.packProcessCpuMs / 1000, 2)} s)`;
      process.stderr.write(`  preview run ${i + 1}/${runs} ${v}: ${round(r.ms / 1000, 2)} s wall, ${round(r.cpuMs / 1000, 2)} s CPU${own}, ${r.ok ? "ok" : `FAILED ${r.blocked?.join("; ") ?? ""}`}\n`);
    }
  }
  const med = (v: Variant) => median(times[v]);
  const medCpu = (v: Variant) => median(cpu[v]);
  // Ratio run by run (A B pairs), so a machine whose speed drifts still compares fairly.
  const pairRatios = times.pack.map((t, i) => t / times.none[i]!);
  return {
    integrations: n,
    runs,
    packPolicies: packPolicyCount,
    medianMs: { none: round(med("none"), 0), pack: round(med("pack"), 0), nullPack: round(med("nullPack"), 0), nullPackMany: round(med("nullPackMany"), 0) },
    allMs: Object.fromEntries(Object.entries(times).map(([k, v]) => [k, v.map((x) => round(x, 0))])) as Record<Variant, number[]>,
    allCpuMs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v.map((x) => round(x, 0))])) as Record<Variant, number[]>,
    medianCpuMs: { none: round(medCpu("none"), 0), pack: round(medCpu("pack"), 0), nullPack: round(medCpu("nullPack"), 0), nullPackMany: round(medCpu("nullPackMany"), 0) },
    medianPackProcessCpuMs: Object.fromEntries(Object.entries(packCpu).map(([k, v]) => [k, round(median(v), 0)])),
    allPackProcessCpuMs: Object.fromEntries(Object.entries(packCpu).map(([k, v]) => [k, v.map((x) => round(x, 0))])),
    packOverheadPct: round((med("pack") / med("none") - 1) * 100, 1),
    packCpuOverheadPct: round((medCpu("pack") / medCpu("none") - 1) * 100, 1),
    nullPackCpuOverheadPct: round((medCpu("nullPack") / medCpu("none") - 1) * 100, 1),
    nullPackManyCpuOverheadPct: round((medCpu("nullPackMany") / medCpu("none") - 1) * 100, 1),
    packOverheadPairMedianPct: round((median(pairRatios) - 1) * 100, 1),
    nullPackOverheadPct: round((med("nullPack") / med("none") - 1) * 100, 1),
    packAddedCpuOverNullPack: round((medCpu("pack") - medCpu("none")) / (medCpu("nullPack") - medCpu("none")), 2),
    packAddedCpuOverNullPackRoundMedian: round(median(cpu.pack.map((p, i) => (p - cpu.none[i]!) / (cpu.nullPack[i]! - cpu.none[i]!))), 2),
    lastRun: last,
  };
}
