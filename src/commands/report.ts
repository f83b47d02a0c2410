import { randomBytes } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Command } from "commander";
import { addSourceOptions, current, loadFlows, type SourceOptions } from "../incident/flows.ts";
import { renderHtml } from "../incident/html-report.ts";
import { buildReportModel } from "../incident/report-model.ts";
import { displayPath, type Out, toStderr } from "../incident/text.ts";
import { addPolicyOptions, loadPolicyContext, type PolicyOptions } from "./context.ts";
import { toolInfo } from "./tool.ts";

interface ReportOptions extends PolicyOptions, SourceOptions {
  out?: string;
}

export async function runReport(opts: ReportOptions, out: Out, warn: Out = toStderr): Promise<number> {
  const ctx = await loadPolicyContext(opts);
  const set = await loadFlows({ ...opts, projectConfig: ctx.project }, ctx.taxonomy);
  const sources = [...set.manifests, ...(set.backend ? [`Pulumi state in ${set.backend}`] : [])];
  const model = buildReportModel(ctx, current(set), sources, toolInfo());
  for (const w of [...set.warnings, ...model.warnings]) warn(`vendorgate: warning: ${w}\n`);
  const html = renderHtml(model);
  if (opts.out === undefined) {
    out(html);
    return 0;
  }
  // Beside the target and renamed into place, so a browser never opens half a page.
  const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(tmp, html, "utf8");
  await rename(tmp, opts.out);
  warn(`vendorgate: report written to ${displayPath(opts.out)}\n`);
  return 0;
}

export function registerReport(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("report")
    .description("one self-contained HTML page: data-flow graph, vendors by category, violations, expiring assurances")
    .option("--out <file>", "write the page here (default: standard output)");
  addPolicyOptions(cmd);
  addSourceOptions(cmd, "integrations are shown");
  cmd.addHelpText(
    "after",
    "\nThe page has no external resources and its Content-Security-Policy forbids any request, so it\n" +
      "can be opened offline or attached to a ticket. Exit codes: 0 written (violations do not fail), 2 input error.\n" +
      "Example: npx vendorgate report --manifest examples/incident.manifest.yaml --now 2026-11-29 --out report.html",
  );
  cmd.action(async (opts: ReportOptions) => {
    process.exitCode = await runReport(opts, out);
  });
}
