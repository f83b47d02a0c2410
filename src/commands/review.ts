import { type Command, Option } from "commander";
import { addSourceOptions, current, loadFlows, type SourceOptions } from "../sources/flows.ts";
import { assuranceWarningDays } from "../engine/bundle.ts";
import { judgeFlows } from "../audit/judge-flows.ts";
import { buildReview } from "../audit/review/review.ts";
import { reviewFormats, reviewFormatters, type ReviewFormat } from "../audit/review/format.ts";
import { type Out, toStderr } from "../text/output.ts";
import { addOutputOptions, emit, type OutputOptions } from "./output.ts";
import { addPolicyOptions } from "./options.ts";
import { loadPolicyContext, type PolicyOptions } from "../policy/context.ts";

interface ReviewOptions extends PolicyOptions, SourceOptions, OutputOptions {
  format: ReviewFormat;
}

export async function runReview(opts: ReviewOptions, out: Out, warn: Out = toStderr): Promise<number> {
  const ctx = await loadPolicyContext(opts);
  // Each stack's own settings read as plan reads them, so review judges its state as plan does.
  opts = { ...opts, projectConfig: ctx.project, stackRules: ctx.engine.catalogue.map((r) => r.id) };
  const { registry, taxonomy, now } = ctx;
  // The expiry window is VG009's, read from the bundle that judges, not a copy of it.
  const warningDays = assuranceWarningDays(ctx.engine.catalogue);
  const set = await loadFlows(opts, taxonomy);
  const flows = current(set);
  const judged = judgeFlows(ctx, flows);
  for (const w of [...set.warnings, ...judged.warnings]) warn(`vendorgate: warning: ${w}\n`);
  // A backend read is a source even when it holds no stacks: "nothing deployed" is an answer.
  const sources = [...set.manifests, ...(set.backend ? [`Pulumi state in ${set.backend}${set.unreadable ? ` (${set.unreadable} checkpoint(s) unreadable: see the warnings)` : ""}`] : [])];
  await emit(reviewFormatters[opts.format](buildReview(registry, taxonomy, flows, judged.violations, now, sources, warningDays)), opts, out);
  return 0;
}

export function registerReview(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("review")
    .description("review every vendor: status, DPA and SOC 2 expiry, approvals, and approvals broader than the flows need");
  // The policy options of `check`: whether a flow is blocked is the gate's verdict, exceptions and enforcement levels included.
  addPolicyOptions(cmd).addOption(new Option("--format <format>", "output format").choices([...reviewFormats]).default("text"));
  addSourceOptions(cmd, "integrations are the flows in use");
  addOutputOptions(cmd, { failOn: false, what: "review" });
  cmd.addHelpText(
    "after",
    "\nFindings: blocked flows, missing/expired/expiring DPA and SOC 2, approved categories no integration\n" +
      "uses, approvals at a parent key where only one child is used, identifiers sent without a transform,\n" +
      "vendors with approvals but no integration. Vendors are sorted by risk, highest first.\n" +
      "Exit codes: 0 done (findings do not fail), 2 input error.\n" +
      "Example: npx vendorgate review --backend 's3://acme-pulumi-state?region=eu-west-1' --now 2026-11-29",
  );
  cmd.action(async (opts: ReviewOptions) => {
    process.exitCode = await runReview(opts, out);
  });
}
