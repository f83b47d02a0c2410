// Fault drills through the policy pack. Every case runs the pack's gate policy in this process
// (the code the engine calls, with the resources it would hand over), and a selection runs in a
// real `pulumi preview` (engine, file backend, pack started through its launcher): a preview costs
// some 10 s on the reference machine, so the cases that exercise the same code path twice are run
// in-process only. See harness.ts and docs/fault-injection.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackValidationArgs } from "@pulumi/policy";
import { afterAll, describe, expect, it } from "vitest";
import { PACK_LAUNCHER, policyPackConfig, runDeploy, type DeployResult, type PolicyFinding } from "../../src/commands/preview.ts";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import type { GateConfig } from "../../src/pack/config.ts";
import { InputError } from "../../src/model/errors.ts";
import { gatePolicy } from "../../src/pack/pack.ts";
import { runEngine } from "../../src/runner/engine.ts";
import {
  type Bounds,
  defaultBounds,
  drillProject,
  drillStack,
  EXCEPTIONS,
  type FaultSetup,
  forChannel,
  NOW,
  probeEnv,
  probeNodeOptions,
  readProbes,
  reasonLine,
  record,
  REGISTRY,
  STACK_FRAME,
  writeOutcomes,
} from "./harness.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-faults-pack-"));
afterAll(() => {
  writeOutcomes("pack");
  rmSync(scratch, { recursive: true, force: true });
});

const GATE = "vendorgate-gate";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const FAIL_CLOSED = "vendorgate could not judge this stack, so it is blocked (fail closed): ";

// ---------------------------------------------------------------------------------------------
// The gate policy in this process

interface Declared {
  urn: string;
  type: string;
  name: string;
  props: Record<string, unknown>;
}

const declaration = (name: string, region = "eu"): Declared => ({
  urn: `urn:pulumi:drill::vg-faults::${INTEGRATION_TYPE}::${name}`,
  type: INTEGRATION_TYPE,
  name,
  props: {
    name,
    vendor: "mixpanel",
    purpose: "analytics.reporting",
    subjects: ["customer"],
    enabled: true,
    destination: { url: region === "eu" ? "https://api-eu.mixpanel.com/track" : "https://api.mixpanel.com/track", region },
    fields: [{ path: "properties.$os", category: "user.device", transform: "none" }],
  },
});

/** What the drill program's `clean` mode declares. */
const clean = (): Declared[] => [declaration("analytics"), declaration("analytics-us", "us")];

interface GateRun {
  reports: { message: string; urn: string | undefined }[];
  ms: number;
}

async function runGate(resources: readonly Declared[], setup: FaultSetup, extra: Record<string, unknown> = {}): Promise<GateRun> {
  const saved = Object.fromEntries(Object.keys(setup.env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, setup.env);
  try {
    const config: GateConfig = { registry: setup.registry ?? REGISTRY, exceptions: setup.exceptions ?? EXCEPTIONS, now: NOW, ...extra };
    const args = {
      resources: resources.map((r) => ({ ...r, opts: {}, dependencies: [], propertyDependencies: {} })),
      getConfig: () => config,
    } as unknown as StackValidationArgs;
    const reports: GateRun["reports"] = [];
    const started = performance.now();
    await gatePolicy().validateStack(args, (message, urn) => void reports.push({ message, urn }));
    return { reports, ms: performance.now() - started };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function expectOneBlock(run: GateRun, reason: RegExp, bounds: Bounds = defaultBounds): void {
  expect(run.reports).toHaveLength(1);
  expect(run.reports[0]!.message).toMatch(reason);
  expect(run.reports[0]!.message).not.toMatch(STACK_FRAME);
  expect(run.ms).toBeLessThan(bounds.ms);
}

const caseDir = (id: string) => {
  const dir = join(scratch, id);
  mkdirSync(dir, { recursive: true });
  return dir;
};

describe("the pack's gate policy (in process) fails closed", () => {
  it("passes the control stack when nothing is broken", async () => {
    const run = await runGate(clean(), { env: {} });
    record({ channel: "pack (in process)", case: "control", title: "nothing broken", exit: "pass", reason: "no report", ms: run.ms, rssMb: undefined });
    expect(run.reports).toEqual([]);
  });

  it("blocks on a gate config its schema refuses, naming the key (Pulumi's own check is the same schema, but the pack does not rely on it)", async () => {
    const run = await runGate(clean(), { env: {} }, { accounts: ["12"] });
    expectOneBlock(run, new RegExp(`^${escape(FAIL_CLOSED)}the vendorgate-gate policy config is not valid: accounts\\[0\\]: `));
  });

  describe("policy faults: one mandatory report saying why", () => {
    for (const c of forChannel("pack")) {
      it(c.id, async () => {
        const dir = caseDir(`gate-${c.id}`);
        const run = await runGate(clean(), c.setup(dir));
        record({ channel: "pack (in process)", case: c.id, title: c.title, exit: "blocked", reason: reasonLine(run.reports[0]?.message ?? ""), ms: run.ms, rssMb: undefined });
        expectOneBlock(run, new RegExp(`^${escape(FAIL_CLOSED)}.*${c.reason.source}`, "s"), c.bounds);
      }, 120_000);
    }
  });

  describe("what the engine hands over (programs that bypass the Integration component)", () => {
    const deep = (levels: number) => {
      let v: unknown = "leaf";
      for (let i = 0; i < levels; i++) v = { v };
      return v;
    };
    const cases: { id: string; title: string; resources: () => Declared[]; reason: RegExp }[] = [
      {
        id: "raw-100k-integrations",
        title: "100 000 bare Integration components (past the component's checks)",
        resources: () => Array.from({ length: 100_000 }, (_, i) => declaration(`flow-${i}`)),
        reason: /^the stack declares 100000 integrations, over the limit of 5000 that vendorgate judges in one stack/,
      },
      {
        id: "raw-50mb",
        title: "bare Integration component declaring 50 MB",
        resources: () => {
          const big = declaration("big");
          big.props.fields = [{ path: `properties.${"x".repeat(50_000_000)}`, category: "user.device", transform: "none" }];
          return [declaration("analytics"), big];
        },
        reason: /^the stack's declarations pass 10485760 bytes at integration big, over the limit vendorgate judges in one stack/,
      },
      {
        id: "raw-deep",
        title: "bare Integration component with outputs nested 10 000 levels deep (past the component's checks)",
        resources: () => {
          const d = declaration("deep");
          (d.props.destination as Record<string, unknown>).region = deep(10_000);
          return [declaration("analytics"), d];
        },
        reason: /^integration deep is not a valid declaration: destination\.region(\.v)+…: nested deeper than 64 levels$/,
      },
    ];
    for (const c of cases) {
      it(c.id, async () => {
        const resources = c.resources();
        const run = await runGate(resources, { env: {} });
        record({ channel: "pack (in process)", case: c.id, title: c.title, exit: "blocked", reason: reasonLine(run.reports[0]?.message ?? ""), ms: run.ms, rssMb: undefined });
        expectOneBlock(run, c.reason);
        expect(run.reports[0]!.urn).toMatch(/::vendorgate:index:Integration::/);
      }, 120_000);
    }
  });
});


// ---------------------------------------------------------------------------------------------
// Real previews

const project = drillProject(join(scratch, "project"));

interface Preview {
  result: DeployResult;
  ms: number;
  packRssMb: number | undefined;
}

async function preview(stack: string, setup: FaultSetup): Promise<Preview> {
  const prefix = join(caseDir("probes"), stack);
  const started = performance.now();
  const result = await runDeploy(
    "preview",
    {
      stack,
      backend: join(scratch, "backend"),
      registry: setup.registry ?? REGISTRY,
      ...(setup.exceptions ? { exceptions: setup.exceptions } : {}),
      now: NOW,
      stream: false,
      pulumiProject: project,
      env: { ...setup.env, NODE_OPTIONS: probeNodeOptions, ...probeEnv(prefix) },
    },
    () => {},
  );
  const ms = performance.now() - started;
  const rss = readProbes(prefix).map((s) => s.maxRssKb / 1024);
  return { result, ms, packRssMb: rss.length ? Math.max(...rss) : undefined };
}

/**
 * A real preview as `pulumi preview --policy-pack <launcher> --policy-pack-config <file>` runs it,
 * without `vendorgate preview` in front: the gate's config names `setup.registry` although
 * nothing read it first. (`vendorgate preview` reads the registry for the enforcement levels
 * before the engine starts, so there a broken registry is an input error of its own.)
 */
async function packPreview(stack: string, setup: FaultSetup): Promise<Preview> {
  const config = await policyPackConfig(project, { stack, registry: REGISTRY, now: NOW });
  (config[GATE] as GateConfig).registry = setup.registry ?? REGISTRY;
  const file = join(caseDir("configs"), `${stack}.json`);
  writeFileSync(file, JSON.stringify(config));
  const prefix = join(caseDir("probes"), stack);
  const started = performance.now();
  const r = await runEngine({
    op: "preview",
    stack,
    project,
    backend: join(scratch, "backend"),
    policyPack: PACK_LAUNCHER,
    policyPackConfig: file,
    env: { ...setup.env, NODE_OPTIONS: probeNodeOptions, ...probeEnv(prefix) },
  });
  const ms = performance.now() - started;
  const findings: PolicyFinding[] = r.events.flatMap((e) =>
    e.policyEvent ? [{ policy: e.policyEvent.policyName, level: e.policyEvent.enforcementLevel, urn: e.policyEvent.resourceUrn, message: e.policyEvent.message }] : [],
  );
  const blocked = findings.some((f) => f.level === "mandatory");
  const result: DeployResult =
    (r.exitCode === 0 && !r.programError) || blocked ? { ok: r.exitCode === 0 && !blocked, findings } : { ok: false, findings, error: r.programError ?? r.stderr };
  const rss = readProbes(prefix).map((s) => s.maxRssKb / 1024);
  return { result, ms, packRssMb: rss.length ? Math.max(...rss) : undefined };
}

/** Faults in the registry, which `vendorgate preview` itself reads before the engine starts. */
const registryFaults = new Set(["registry-invalid", "registry-fifo"]);

/** The policy faults a real preview runs: each a different way for the pack to be unable to judge. */
const inRealPreview = new Set(["missing-bundle", "truncated-wasm", "trap", "oom-burst", "empty-result", "wrong-shape", "rule-without-violation", "registry-invalid", "registry-fifo"]);
const previewBounds: Bounds = { ms: 120_000, rssMb: 600 };

describe("a real preview with the policy pack fails", () => {
  it("passes the control stack when nothing is broken", async () => {
    const p = await preview(drillStack(project, "control"), { env: {} });
    record({ channel: "preview", case: "control", title: "nothing broken", exit: "passed", reason: "no finding", ms: p.ms, rssMb: p.packRssMb });
    expect(p.result.error).toBeUndefined();
    expect(p.result.ok).toBe(true);
    expect(p.result.findings).toEqual([]);
  }, 240_000);

  describe("the gate policy reports a policy fault as one mandatory violation", () => {
    for (const c of forChannel("pack").filter((f) => inRealPreview.has(f.id))) {
      it(c.id, async () => {
        const dir = caseDir(`preview-${c.id}`);
        const stack = drillStack(project, c.id);
        const p = registryFaults.has(c.id) ? await packPreview(stack, c.setup(dir)) : await preview(stack, c.setup(dir));
        const gate = p.result.findings.filter((f) => f.policy === GATE);
        record({ channel: "preview", case: c.id, title: c.title, exit: p.result.ok ? "passed" : "failed", reason: reasonLine(gate[0]?.message.split("\n").slice(1).join(" ") ?? p.result.error ?? ""), ms: p.ms, rssMb: p.packRssMb });
        expect(p.result.ok).toBe(false);
        expect(p.result.error).toBeUndefined();
        expect(gate.map((f) => f.level)).toEqual(["mandatory"]);
        expect(gate[0]!.message).toMatch(new RegExp(`${escape(FAIL_CLOSED)}.*${c.reason.source}`, "s"));
        expect(gate[0]!.message).not.toMatch(STACK_FRAME);
        // Nothing was judged, so no rule reports anything of its own.
        expect(p.result.findings.filter((f) => f.policy !== GATE).every((f) => /no verdict/.test(f.message))).toBe(true);
        expect(p.ms).toBeLessThan(previewBounds.ms);
        expect(p.packRssMb).toBeDefined();
        expect(p.packRssMb!).toBeLessThan(previewBounds.rssMb);
      }, 2 * previewBounds.ms);
    }
  });

  describe("vendorgate preview refuses a broken registry before the engine starts, naming it", () => {
    for (const c of forChannel("pack").filter((f) => registryFaults.has(f.id))) {
      it(c.id, async () => {
        const dir = caseDir(`cli-${c.id}`);
        const err = await preview(drillStack(project, `cli-${c.id}`), c.setup(dir)).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(InputError);
        expect((err as Error).message).toMatch(c.reason);
      }, 60_000);
    }
  });

  describe("a declaration past the limits fails the program itself", () => {
    const cases: { id: string; title: string; settings: Record<string, string | number>; reason: RegExp }[] = [
      { id: "program-50mb", title: "one declaration of 50 MB", settings: { mode: "big", bytes: 50_000_000 }, reason: /Integration "big": the stack's declarations pass 10485760 bytes/ },
      {
        id: "program-deep",
        title: "a declaration nested 10 000 levels deep",
        settings: { mode: "deep", depth: 10_000 },
        reason: /Integration "deep" is not a valid declaration: destination\.region\.v…: nested deeper than 64 levels/,
      },
    ];
    for (const c of cases) {
      it(c.id, async () => {
        const p = await preview(drillStack(project, c.id, c.settings), { env: {} });
        record({ channel: "preview", case: c.id, title: c.title, exit: p.result.ok ? "passed" : "failed", reason: reasonLine(p.result.error ?? ""), ms: p.ms, rssMb: p.packRssMb });
        expect(p.result.ok).toBe(false);
        expect(p.result.error).toMatch(c.reason);
        expect(p.result.error).not.toMatch(STACK_FRAME);
        expect(p.ms).toBeLessThan(previewBounds.ms);
      }, 2 * previewBounds.ms);
    }
  });
});
