import { relative } from "node:path";
import type { Command } from "commander";
import { judge } from "../engine/judge.ts";
import type { Report } from "../engine/violation.ts";
import { loadManifest, locationKey, parseManifest, readStdinText, STDIN_NAME } from "../model/index.ts";
import { formats, type FormatName } from "../report/index.ts";
import { cwdFromRoot } from "../report/repository.ts";
import { addFormatOption, addPolicyOptions, reportFormat } from "./options.ts";
import { loadPolicyContext, locateExceptionFindings, type PolicyOptions } from "../policy/context.ts";
import { addOutputOptions, emit, type OutputOptions, useColor, verdictCode } from "./output.ts";
import { toolInfo } from "./tool.ts";

interface CheckOptions extends PolicyOptions, OutputOptions {
  /** A file, or "-" for standard input. */
  manifest: string;
  format?: FormatName;
  color?: boolean;
}

/** Judges a manifest file; resolves to the exit code (0 pass, 1 blocked). */
export async function runCheck(opts: CheckOptions, out: (s: string) => void): Promise<number> {
  const ctx = await loadPolicyContext(opts);
  const stdin = opts.manifest === "-";
  const loaded = stdin ? parseManifest(await readStdinText(), STDIN_NAME, ctx.taxonomy) : await loadManifest(opts.manifest, ctx.taxonomy);
  const report: Report = judge(ctx.engine, {
    now: ctx.now,
    stack: loaded.manifest.stack,
    integrations: loaded.manifest.integrations,
    exceptions: ctx.exceptions,
    enforcement: ctx.enforcement,
  });
  // Standard input has no file for code scanning or annotations to point at.
  const file = stdin ? undefined : relative(process.cwd(), opts.manifest) || opts.manifest;
  if (file !== undefined) {
    for (const v of report.violations) {
      const at = loaded.locations.get(locationKey(v.integration, v.field)) ?? loaded.locations.get(v.integration);
      if (at) v.location = { file, line: at.line, column: at.column };
    }
  }
  locateExceptionFindings(ctx, report.violations);
  const integrations = loaded.manifest.integrations.filter((i) => i.enabled !== false).map((i) => i.name);
  const text = formats[reportFormat(opts.format, ctx.project)](report, {
    catalogue: ctx.engine.catalogue,
    tool: toolInfo(),
    ...(file !== undefined && { source: file }),
    cwdFromRoot: cwdFromRoot(),
    integrations,
    policy: ctx.policy.summary,
    color: opts.color === true,
  });
  await emit(text, opts, out);
  return verdictCode(report, opts.failOn);
}

export function registerCheck(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("check")
    .description("judge the integrations of a manifest against the vendor registry")
    .requiredOption("--manifest <file>", "integration manifest (YAML or JSON); - reads standard input");
  addPolicyOptions(cmd);
  addFormatOption(cmd);
  addOutputOptions(cmd);
  cmd.addHelpText(
    "after",
    "\nExit codes: 0 no violation at the --fail-on level, 1 at least one, 2 input error or policy fault.\n" +
      "Example: npx vendorgate check --manifest flows.yaml --now 2026-11-29",
  );
  cmd.action(async (opts: CheckOptions, command: Command) => {
    process.exitCode = await runCheck({ ...opts, color: useColor(command, opts) }, out);
  });
}
