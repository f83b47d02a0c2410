import { type Command, Option } from "commander";
import { judge } from "../engine/judge.ts";
import type { DeclaredIntegration } from "../engine/normalize.ts";
import { chooseBackend, defaultBackendDir, parseBackendUrl } from "../sources/backend-url.ts";
import { readBackend } from "../sources/backend.ts";
import { integrationSchema } from "../model/index.ts";
import { planStack } from "../plan/plan.ts";
import { backendDirOf, pulumiProjectDir } from "../project/index.ts";
import { projectInfo, type ProjectInfo } from "../pulumi/project.ts";
import { loadStackConfig } from "../plan/config.ts";
import { readStackPolicy } from "../policy/stack.ts";
import { allowlistText, buildAllowlist } from "../stack/allowlist.ts";
import { addOutputOptions, emit, type OutputOptions } from "./output.ts";
import { addPolicyOptions } from "./options.ts";
import { loadPolicyContext, type PolicyContext, type PolicyOptions, withStackEnforcement } from "../policy/context.ts";
import { UsageError } from "../errors.ts";

interface AllowlistOptions extends PolicyOptions, OutputOptions {
  stack: string;
  from: "plan" | "state";
  project?: string;
  backend?: string;
  /** commander's negation of --no-decrypt */
  decrypt: boolean;
}

/** The Pulumi project: --project, else found from the working directory, else beside vendorgate.yaml. */
function projectFor(dir: string | undefined, ctx: PolicyContext): ProjectInfo {
  return projectInfo(pulumiProjectDir({ ...(dir === undefined ? {} : { projectDir: dir }), ...(ctx.project ? { configRoot: ctx.project.root } : {}) }));
}

/** The declarations a stack's deployed state records, validated as a manifest's would be. */
async function deployedDeclarations(ctx: PolicyContext, project: ProjectInfo, stack: string, backend: string | undefined): Promise<{ declarations: DeclaredIntegration[]; file: string }> {
  // Any backend URL the incident commands read (file://, s3://, Pulumi Cloud), failing closed alike.
  const setting = chooseBackend(backend !== undefined ? { flag: backend } : {}) ?? { value: defaultBackendDir(), from: "the default backend", baseDir: process.cwd() };
  const contents = await readBackend(parseBackendUrl(setting), { history: false });
  const snap = contents.snapshots.find((s) => s.kind === "state" && s.project === project.name && s.stack === stack);
  if (!snap) {
    const why = contents.warnings.length ? ` (${contents.warnings.join("; ")})` : "";
    throw new UsageError(`--from state: no deployed state of stack "${stack}" of project ${project.name} in ${contents.label}${why}`);
  }
  const schema = integrationSchema(ctx.taxonomy);
  const declarations = snap.flows.map((flow, n) => {
    const parsed = schema.safeParse(flow);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UsageError(`${snap.file}: integration "${flow.name}" (resource ${n}) as recorded is not a valid declaration: ${issue.path.join(".")}: ${issue.message}`);
    }
    return parsed.data;
  });
  return { declarations, file: snap.file };
}

/** Writes the stack's allow-list; resolves to 0 when the gate passed it, 1 when it is blocked. */
export async function runAllowlist(opts: AllowlistOptions, out: (s: string) => void): Promise<number> {
  const ctx = await loadPolicyContext(opts);
  const project = projectFor(opts.project, ctx);
  opts = { ...opts, ...(opts.backend === undefined && ctx.project ? { backend: backendDirOf(ctx.project.config.backend) } : {}) };
  let declarations: DeclaredIntegration[];
  let report;
  if (opts.from === "plan") {
    const plan = await planStack(ctx, {
      stack: opts.stack,
      decrypt: opts.decrypt !== false,
      project,
      ...(opts.backend ? { backend: opts.backend } : {}),
    });
    declarations = plan.declarations;
    report = plan.report;
  } else {
    declarations = (await deployedDeclarations(ctx, project, opts.stack, opts.backend ?? ctx.project?.config.backend)).declarations;
    // The stack's settings as plan reads them (one reader): residency, and enforcement that may only tighten.
    const stackFile = await loadStackConfig(project, opts.stack, { decrypt: false });
    const settings = readStackPolicy(opts.stack, stackFile, ctx.project, ctx.engine.catalogue.map((r) => r.id));
    const stackCtx = withStackEnforcement(ctx, settings.enforcement);
    report = judge(stackCtx.engine, {
      now: stackCtx.now,
      stack: { name: opts.stack, ...(settings.residency ? { residency: settings.residency } : {}) },
      integrations: declarations.filter((d) => d.enabled !== false),
      exceptions: stackCtx.exceptions,
      enforcement: stackCtx.enforcement,
    });
  }
  const doc = buildAllowlist({ source: opts.from, stack: opts.stack, wasmDigest: ctx.engine.wasmDigest, declarations, report });
  await emit(allowlistText(doc), opts, out);
  return doc.verdict === "pass" ? 0 : 1;
}

export function registerAllowlist(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("allowlist")
    .description("write the allow-list the run-time guard (vendorgate/runtime) enforces: the judged declarations, the verdict and the policy bundle digest")
    .option("--stack <name>", "the stack", "dev")
    .addOption(new Option("--from <source>", "plan: run the program under mocks and judge it; state: judge the declarations the stack's deployed state records").choices(["plan", "state"]).default("plan"))
    .option("--backend <url>", "Pulumi backend (state: any backend URL, file:// or s3://, where the deployed state is; plan: the local one config is decrypted against)")
    .option("--no-decrypt", "plan: do not decrypt `secure:` config values; the program gets secret placeholders");
  addPolicyOptions(cmd);
  addOutputOptions(cmd, { failOn: false, what: "allow-list" });
  cmd.addHelpText(
    "after",
    "\nPrints JSON (schemas/allowlist.schema.json) on standard output: hand it to the application (an\n" +
      "environment variable, a parameter store) and guard its sends with vendorgate/runtime. A guard refuses\n" +
      "an allow-list whose verdict is blocked. --from state judges the declarations recorded in state; egress\n" +
      "resources no Integration owns (VG010) are judged only --from plan, which runs the program.\n" +
      "Exit codes: 0 written, verdict pass; 1 written, verdict blocked; 2 input error or policy fault.\n" +
      "Example: npx vendorgate allowlist --stack prod --output allowlist.json",
  );
  cmd.action(async (opts: AllowlistOptions) => {
    process.exitCode = await runAllowlist(opts, out);
  });
}
