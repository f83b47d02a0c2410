import { relative } from "node:path";
import type { Command } from "commander";
import { blocks, judge } from "../engine/judge.ts";
import type { Report } from "../engine/violation.ts";
import { loadManifest, locationKey } from "../model/index.ts";
import { formats, type FormatName } from "../report/index.ts";
import { addFormatOption, addPolicyOptions, loadPolicyContext, type PolicyOptions, reportFormat } from "./context.ts";
import { toolInfo } from "./tool.ts";

interface CheckOptions extends PolicyOptions {
  manifest: string;
  format?: FormatName;
}

/** Judges a manifest file; resolves to the exit code (0 pass, 1 blocked). */
export async function runCheck(opts: CheckOptions, out: (s: string) => void): Promise<number> {
  const ctx = await loadPolicyContext(opts);
  const loaded = await loadManifest(opts.manifest, ctx.taxonomy);
  const report: Report = judge(ctx.engine, {
    now: ctx.now,
    stack: loaded.manifest.stack,
    integrations: loaded.manifest.integrations,
    exceptions: ctx.exceptions,
    enforcement: ctx.enforcement,
  });
  const file = relative(process.cwd(), opts.manifest) || opts.manifest;
  for (const v of report.violations) {
    const at = loaded.locations.get(locationKey(v.integration, v.field)) ?? loaded.locations.get(v.integration);
    if (at) v.location = { file, line: at.line, column: at.column };
  }
  const integrations = loaded.manifest.integrations.filter((i) => i.enabled !== false).map((i) => i.name);
  out(formats[reportFormat(opts.format, ctx.project)](report, { catalogue: ctx.engine.catalogue, tool: toolInfo(), source: file, integrations }));
  return blocks(report) ? 1 : 0;
}

export function registerCheck(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("check")
    .description("judge the integrations of a manifest against the vendor registry")
    .requiredOption("--manifest <file>", "integration manifest (YAML or JSON)");
  addPolicyOptions(cmd);
  addFormatOption(cmd);
  cmd.addHelpText(
    "after",
    "\nExit codes: 0 no mandatory violation, 1 at least one, 2 input error or policy fault.\n" +
      "Example: npx vendorgate check --manifest examples/incident.manifest.yaml --now 2026-11-29",
  );
  cmd.action(async (opts: CheckOptions) => {
    process.exitCode = await runCheck(opts, out);
  });
}
