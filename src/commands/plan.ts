import { Option, type Command } from "commander";
import type { Report } from "../engine/violation.ts";
import { planManifest, planStack, type PlanResult } from "../plan/plan.ts";
import { backendDirOf, pulumiProjectDir } from "../project/index.ts";
import { projectInfo } from "../pulumi/project.ts";
import { formats, inOrder, type FormatName, type ReportContext } from "../report/index.ts";
import { reportDocument } from "../report/json.ts";
import { cwdFromRoot } from "../report/repository.ts";
import type { RemoteComponentLevel } from "../stack/remote-components.ts";
import { addFormatOption, addPolicyOptions, reportFormat } from "./options.ts";
import { loadPolicyContext, type PolicyOptions } from "../policy/context.ts";
import { addOutputOptions, emit, type OutputOptions, useColor, verdictCode } from "./output.ts";
import { UsageError } from "../errors.ts";
import { toolInfo } from "./tool.ts";
import { normalizeResource, type WasmDestination } from "../engine/normalize.ts";

interface PlanOptions extends PolicyOptions, OutputOptions {
  stack: string;
  format?: FormatName;
  color?: boolean;
  /** commander's negation of --no-decrypt */
  decrypt: boolean;
  backend?: string;
  remoteComponents?: RemoteComponentLevel;
  timeout?: string;
}


function shownDestination(d: WasmDestination): Record<string, unknown> {
  return {
    via: d.via,
    ...(d.endpoint !== undefined ? { endpoint: d.endpoint } : d.host !== undefined ? { host: d.host } : {}),
    ...(d.account !== undefined ? { account: d.account } : {}),
    ...(d.problem !== undefined ? { problem: d.problem } : {}),
  };
}

/**
 * check's JSON plus what a later `diff` needs: the stack, the declarations as a manifest, and the
 * egress resources with their owners. A superset, so scripts written for check keep working.
 */
export function formatPlanJson(report: Report, ctx: ReportContext, plan: PlanResult): string {
  const doc = {
    ...reportDocument(inOrder(report), ctx),
    stack: plan.stack,
    manifest: planManifest(plan),
    // Destinations as the policy saw them: a URL only as scheme and host (its path or query may carry a token).
    resources: plan.egress.map((e) => ({ urn: e.urn, type: e.type, name: e.name, integration: e.integration, destinations: normalizeResource(e).destinations.map(shownDestination) })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function parseTimeout(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new UsageError(`--timeout ${text}: expected seconds between 1 and 3600`);
  return n * 1000;
}

/** Plans one stack; resolves to the exit code (0 pass, 1 blocked), like check. */
export async function runPlan(opts: PlanOptions, out: (s: string) => void, warn: (s: string) => void = () => {}): Promise<number> {
  const ctx = await loadPolicyContext(opts);
  const format = reportFormat(opts.format, ctx.project);
  const backend = opts.backend ?? (ctx.project ? backendDirOf(ctx.project.config.backend) : undefined);
  const plan = await planStack(ctx, {
    stack: opts.stack,
    decrypt: opts.decrypt !== false,
    project: projectInfo(pulumiProjectDir({ ...(opts.project ? { projectDir: opts.project } : {}), ...(ctx.project ? { configRoot: ctx.project.root } : {}) })),
    ...(backend ? { backend } : {}),
    ...(opts.remoteComponents ? { remoteComponents: opts.remoteComponents } : {}),
    ...(opts.timeout ? { limits: { timeoutMs: parseTimeout(opts.timeout) } } : {}),
    output: warn,
  });
  if (plan.placeholders) {
    warn(`vendorgate: ${plan.configFile}: secure values were not decrypted (${plan.notDecrypted ?? "--no-decrypt"}); the program saw placeholders, and the verdict judges the stack without its secrets' values\n`);
  }
  for (const code of plan.exitCalls) warn(`vendorgate: ${plan.program}: the program called process.exit(${code}); plan ran it to the end and judged all it registered\n`);
  const integrations = plan.declarations.filter((d) => d.enabled !== false).map((d) => d.name);
  const reportCtx: ReportContext = {
    catalogue: ctx.engine.catalogue,
    tool: toolInfo(),
    source: plan.program,
    cwdFromRoot: cwdFromRoot(),
    color: opts.color === true,
    title: `${toolInfo().name} plan (stack ${plan.stack.name})`,
    integrations,
    policy: plan.policy,
  };
  await emit(format === "json" ? formatPlanJson(plan.report, reportCtx, plan) : formats[format](plan.report, reportCtx), opts, out);
  return verdictCode(plan.report, opts.failOn);
}

export function registerPlan(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("plan")
    .description("run the project's Pulumi program under mocks (no engine, plugins or credentials) and judge every resource it declares")
    .option("--stack <name>", "stack whose config to use (Pulumi.<stack>.yaml in the project's stackConfigDir)", "dev")
    .option("--no-decrypt", "do not decrypt `secure:` config values (no passphrase in CI); the program gets secret placeholders")
    .option("--backend <dir>", "local state backend (default: vendorgate.yaml's backend)")
    .addOption(
      new Option("--remote-components <level>", "remote components plan cannot see into (awsx, ...): advisory, or mandatory to block")
        .choices(["advisory", "mandatory"])
        .default("advisory"),
    )
    .option("--timeout <seconds>", "how long the program may run", "120");
  addPolicyOptions(cmd);
  addFormatOption(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    "after",
    "\nThe program sees the config key vendorgate:plan = \"true\", so it can add resources (such as AWS ones)\n" +
      "whose provider plugin a real preview would need.\n" +
      "--format json is check's JSON plus `stack`, `manifest` (the declarations) and `resources` (egress), for `diff`.\n" +
      "Exit codes: 0 no violation at the --fail-on level, 1 at least one, 2 input error, program failure or policy fault.\n" +
      "Example: npx vendorgate plan --stack prod --format sarif > plan.sarif",
  );
  cmd.action(async (opts: PlanOptions, command: Command) => {
    process.exitCode = await runPlan({ ...opts, color: useColor(command, opts) }, out, (s) => process.stderr.write(s));
  });
}
