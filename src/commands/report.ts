import { type Command, Option } from "commander";
import { addSourceOptions, current, loadFlows, type SourceOptions } from "../sources/flows.ts";
import { renderHtml } from "../audit/report/html.ts";
import { buildReportModel } from "../audit/report/model.ts";
import { displayPath, type Out, toStderr } from "../text/output.ts";
import { addPolicyOptions } from "./options.ts";
import { loadPolicyContext, type PolicyOptions } from "../policy/context.ts";
import { addOutputOptions, emit, type OutputOptions, writesFile } from "./output.ts";
import { toolInfo } from "./tool.ts";
import { UsageError } from "../errors.ts";

interface ReportOptions extends PolicyOptions, SourceOptions, OutputOptions {
  /** The option's first name, kept so that existing scripts keep working. */
  out?: string;
}

export async function runReport(opts: ReportOptions, out: Out, warn: Out = toStderr): Promise<number> {
  if (opts.out !== undefined) {
    if (opts.output !== undefined && opts.output !== opts.out) throw new UsageError("--out and --output name different files; give one (--out is the old name of --output)");
    opts = { ...opts, output: opts.out };
  }
  const ctx = await loadPolicyContext(opts);
  const set = await loadFlows({ ...opts, projectConfig: ctx.project, stackRules: ctx.engine.catalogue.map((r) => r.id) }, ctx.taxonomy);
  const sources = [...set.manifests, ...(set.backend ? [`Pulumi state in ${set.backend}`] : [])];
  const model = buildReportModel(ctx, current(set), sources, toolInfo());
  for (const w of [...set.warnings, ...model.warnings]) warn(`vendorgate: warning: ${w}\n`);
  const html = renderHtml(model);
  // Written whole or not at all (emit renames it into place), so a browser never opens half a page.
  await emit(html, opts, out);
  if (writesFile(opts) && opts.quiet !== true) warn(`vendorgate: report written to ${displayPath(opts.output)}\n`);
  return 0;
}

export function registerReport(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("report")
    .description("one self-contained HTML page: data-flow graph, vendors by category, violations, expiring assurances")
    .addOption(new Option("--out <file>", "the old name of --output").hideHelp());
  addPolicyOptions(cmd);
  addSourceOptions(cmd, "integrations are shown");
  addOutputOptions(cmd, { failOn: false, what: "page" });
  cmd.addHelpText(
    "after",
    "\nThe page has no external resources and its Content-Security-Policy forbids any request, so it\n" +
      "can be opened offline or attached to a ticket. Exit codes: 0 written (violations do not fail), 2 input error.\n" +
      "Example: npx vendorgate report --manifest flows.yaml --now 2026-11-29 --output report.html",
  );
  cmd.action(async (opts: ReportOptions) => {
    process.exitCode = await runReport(opts, out);
  });
}
