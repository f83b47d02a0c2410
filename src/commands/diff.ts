import { Option, type Command } from "commander";
import { diffSides } from "../diff/diff.ts";
import { diffFormatNames, formatDiffJson, formatDiffMarkdown, formatDiffText, type DiffFormatName } from "../diff/format.ts";
import { loadSide } from "../diff/load.ts";
import { addPolicyOptions } from "./options.ts";
import { loadPolicyContext, type PolicyOptions } from "../policy/context.ts";
import { addOutputOptions, emit, type OutputOptions } from "./output.ts";
import { toolInfo } from "./tool.ts";

interface DiffOptions extends PolicyOptions, OutputOptions {
  base: string;
  head: string;
  format: DiffFormatName;
}

/** Compares two sides; resolves to the exit code of the head side (0 passes, 1 blocked). */
export async function runDiff(opts: DiffOptions, out: (s: string) => void): Promise<number> {
  const ctx = await loadPolicyContext(opts);
  const base = await loadSide(opts.base, ctx);
  const head = await loadSide(opts.head, ctx);
  const d = diffSides(base, head);
  const vendorName = (key: string) => ctx.registry.vendors[key]?.name ?? key;
  const text =
    opts.format === "json"
      ? formatDiffJson(d)
      : opts.format === "markdown"
        ? formatDiffMarkdown(d, { vendorName, title: toolInfo().name, policy: head.policy })
        : formatDiffText(d, { vendorName });
  await emit(text, opts, out);
  return d.head.verdict === "blocked" ? 1 : 0;
}

export function registerDiff(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("diff")
    .description("what a change does to the personal data a stack shares: integrations, vendors, fields, categories, transforms, destinations")
    .requiredOption("--base <file>", "the side before the change: a manifest, or `vendorgate plan --format json` output")
    .requiredOption("--head <file>", "the side after the change (same kinds)");
  addPolicyOptions(cmd);
  cmd.addOption(new Option("--format <format>", "output format").choices([...diffFormatNames]).default("text"));
  addOutputOptions(cmd, { failOn: false, what: "comparison" });
  cmd.addHelpText(
    "after",
    "\nA manifest is judged with the policy options given here; a plan output keeps the verdict it was planned with.\n" +
      "--format markdown is a pull-request comment with a Mermaid chart of the flows that change.\n" +
      "Exit codes: 0 the head side passes, 1 it is blocked, 2 input error or policy fault.\n" +
      "Example: npx vendorgate diff --base base.json --head head.json --format markdown",
  );
  cmd.action(async (opts: DiffOptions) => {
    process.exitCode = await runDiff(opts, out);
  });
}
