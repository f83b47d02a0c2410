import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { readBundle } from "../engine/bundle.ts";
import { checkProjectRules } from "../model/index.ts";
import { loadStackConfig } from "../plan/config.ts";
import { readStackPolicy } from "../policy/stack.ts";
import { GATE_POLICY, type GateConfig } from "../pack/config.ts";
import { packageRoot } from "../paths.ts";
import { backendDirOf, pulumiProjectDir } from "../project/index.ts";
import { projectBundlePaths } from "../policy/compiled-bundle.ts";
import { projectInfo, type ProjectInfo } from "../pulumi/project.ts";
import { addPolicyOptions } from "./options.ts";
import { describeLoadedPolicy, parseNow, type PolicyInputs, type PolicyOptions, readRegistryInput, resolvePolicyInputs } from "../policy/context.ts";

export const PACK_LAUNCHER = join(packageRoot, "policies", "pack", "run-pack");

export interface DeployOptions extends PolicyOptions {
  stack: string;
  backend?: string;
  /** Stream the engine's own output (default true on the CLI). */
  stream?: boolean;
  /** The Pulumi project, already read (tests, benchmarks); default: --project, else found from the working directory. */
  pulumiProject?: ProjectInfo;
  /** Extra environment for the engine and the policy pack it starts. */
  env?: Record<string, string>;
}

export interface PolicyFinding {
  policy: string;
  level: string;
  urn: string | undefined;
  message: string;
}

export interface DeployResult {
  ok: boolean;
  findings: PolicyFinding[];
  error?: string;
  summary?: Record<string, number>;
  /** Secure config values the engine saw as placeholders, and why. */
  notDecrypted?: string;
}

/**
 * The Pulumi policy-pack config for one run: the gate's inputs plus the enforcement levels in
 * force: security's (the registry's policy) with the stack's own (`vendorgate:enforcement` in its
 * stack file) over them, which may only tighten. A stack file that tries to lower or disable a
 * rule is an input error at its line, before the engine starts.
 */
export async function policyPackConfig(project: ProjectInfo, opts: DeployOptions, inputs?: PolicyInputs): Promise<Record<string, unknown>> {
  inputs ??= await resolvePolicyInputs(opts);
  const { project: vg, registry, exceptions, bundle } = inputs;
  const catalogue = readBundle(projectBundlePaths(vg, bundle)).catalogue;
  const byId = new Map(catalogue.map((r) => [r.id, r]));
  if (vg) checkProjectRules(vg.loaded, [...byId.keys()]);
  const loadedRegistry = await readRegistryInput(inputs);
  const stackFile = await loadStackConfig(project, opts.stack, { decrypt: false });
  const stackPolicy = readStackPolicy(opts.stack, stackFile, vg, [...byId.keys()]);
  const policy = describeLoadedPolicy(catalogue, inputs, loadedRegistry, [stackPolicy.enforcement], { wasm: "" });
  const overrides = policy.resolved.levels;
  const residency = stackPolicy.residency;
  const gate: GateConfig = {
    ...(vg ? { configFile: vg.configFile } : {}),
    // With a signed bundle the pack reads vendorgate.yaml and verifies the bundle itself; a path
    // here would be a second registry.
    ...(bundle ? {} : { registry: resolve(registry), ...(exceptions ? { exceptions: resolve(exceptions) } : {}) }),
    now: parseNow(opts.now),
    ...(Object.keys(overrides).length ? { enforcement: overrides } : {}),
    ...(residency ? { residency: [...residency] } : {}),
  };
  const config: Record<string, unknown> = { [GATE_POLICY]: gate };
  for (const [id, level] of Object.entries(overrides)) {
    const rule = byId.get(id);
    if (!rule) continue;
    config[rule.name] = level;
    if (rule.advisoryCases) config[`${rule.name}-advisory`] = level === "disabled" ? "disabled" : "advisory";
  }
  return config;
}

export async function runDeploy(op: "preview" | "up", opts: DeployOptions, log: (s: string) => void): Promise<DeployResult> {
  const inputs = await resolvePolicyInputs(opts);
  const project =
    opts.pulumiProject ??
    projectInfo(pulumiProjectDir({ ...(opts.project ? { projectDir: opts.project } : {}), ...(inputs.project ? { configRoot: inputs.project.root } : {}) }));
  const backend = opts.backend ?? (inputs.project ? backendDirOf(inputs.project.config.backend) : undefined);
  // One config file per run, so concurrent previews of the same stack cannot read each other's.
  const configDir = mkdtempSync(join(tmpdir(), "vendorgate-policy-config-"));
  const configFile = join(configDir, `${opts.stack}.json`);
  try {
    writeFileSync(configFile, JSON.stringify(await policyPackConfig(project, opts, inputs), null, 2) + "\n");
    // The pack learns which vendorgate.yaml (and so which bundle's rules) before its first stack.
    const env = inputs.project ? { VENDORGATE_CONFIG_FILE: inputs.project.configFile, ...opts.env } : opts.env;
    return await deployWith(op, { ...opts, ...(backend ? { backend } : {}), ...(env ? { env } : {}) }, project, configFile, log);
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}

async function deployWith(op: "preview" | "up", opts: DeployOptions, project: ProjectInfo, configFile: string, log: (s: string) => void): Promise<DeployResult> {
  // The program runs in a process of its own; the verdict is read from the engine's event log.
  const { runEngine } = await import("../runner/engine.ts");
  const r = await runEngine({
    op,
    stack: opts.stack,
    project,
    policyPack: PACK_LAUNCHER,
    policyPackConfig: configFile,
    ...(opts.backend ? { backend: opts.backend } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.stream === false ? {} : { onOutput: log }),
  });
  const findings: PolicyFinding[] = [];
  let summary: Record<string, number> | undefined;
  for (const e of r.events) {
    const p = e.policyEvent;
    if (p) findings.push({ policy: p.policyName, level: p.enforcementLevel, urn: p.resourceUrn, message: p.message });
    if (e.summaryEvent) summary = e.summaryEvent.resourceChanges ?? {};
  }
  const blocked = findings.some((f) => f.level === "mandatory");
  const notes = r.notDecrypted ? { notDecrypted: r.notDecrypted } : {};
  if (r.exitCode === 0 && !r.programError) return { ok: !blocked, findings, ...(summary ? { summary } : {}), ...notes };
  if (blocked) return { ok: false, findings, ...notes };
  return { ok: false, findings, error: r.programError ?? engineError({ message: r.stderr }), ...notes };
}

/** The engine's own error lines, without the command line and output the Automation API wraps them in. */
export function engineError(err: unknown): string {
  const e = err as { commandResult?: { stderr?: string }; message?: string };
  const text = e.commandResult?.stderr || e.message || String(err);
  const lines = [...new Set(text.split("\n").map((l) => l.trim()).filter((l) => /^error:/i.test(l)))];
  return lines.length ? lines.join("\n") : text.trim();
}

export function describeFindings(result: DeployResult): string {
  const mandatory = result.findings.filter((f) => f.level === "mandatory");
  const advisory = result.findings.filter((f) => f.level === "advisory");
  if (result.error) return `vendorgate: the preview failed before policies could pass it (blocked):\n${result.error.trim()}\n`;
  const verdict = mandatory.length ? "deploy blocked" : "deploy allowed";
  const note = result.notDecrypted ? `vendorgate: the stack's secure values were not decrypted (${result.notDecrypted}); judged with placeholders\n` : "";
  if (note) return `${note}vendorgate: ${mandatory.length} mandatory, ${advisory.length} advisory policy violation(s) — ${verdict}\n`;
  return `vendorgate: ${mandatory.length} mandatory, ${advisory.length} advisory policy violation(s) — ${verdict}\n`;
}

export function registerDeploy(program: Command, log: (s: string) => void): void {
  for (const op of ["preview", "up"] as const) {
    const cmd = program
      .command(op)
      .description(
        op === "preview"
          ? "preview the project's Pulumi stack with the vendorgate policy pack (real engine, local backend)"
          : "deploy the project's Pulumi stack with the vendorgate policy pack (blocked on mandatory violations)",
      )
      .option("--stack <name>", "stack to run (config in the project's Pulumi.<stack>.yaml)", "dev")
      .option("--backend <dir>", "local state backend directory (default: vendorgate.yaml's backend)");
    addPolicyOptions(cmd)
      .addHelpText("after", "\nExit codes: 0 allowed, 1 blocked by a mandatory policy, 2 input error or the engine failed.");
    cmd.action(async (opts: DeployOptions) => {
      const result = await runDeploy(op, opts, log);
      log(describeFindings(result));
      process.exitCode = result.error ? 2 : result.ok ? 0 : 1;
    });
  }
}
