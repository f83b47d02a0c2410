import { resolve } from "node:path";
import { Option, type Command } from "commander";
import type { Report } from "../engine/violation.ts";
import { UsageError } from "../errors.ts";
import { writeAtomically } from "../registry/edit.ts";

/*
 * The options every report-writing command shares, after the tools people already use in CI:
 * `--output FILE` (Trivy, Checkov), `--quiet` (print nothing, the exit code is the verdict),
 * `--fail-on` (a severity threshold), and colour that follows the terminal, NO_COLOR and --no-color.
 */

export const failOnLevels = ["mandatory", "advisory"] as const;
export type FailOn = (typeof failOnLevels)[number];

export interface OutputOptions {
  output?: string;
  quiet?: boolean;
  failOn?: FailOn;
}

/**
 * `failOn: false` for commands without a severity verdict; `what` names what they print, for the
 * help text.
 */
export function addOutputOptions(cmd: Command, { failOn = true, what = "report" }: { failOn?: boolean; what?: string } = {}): Command {
  cmd.option("-o, --output <file>", `write the ${what} to FILE instead of standard output (- is standard output)`);
  cmd.option(
    "-q, --quiet",
    failOn
      ? "print nothing on standard output: the exit code is the verdict (--output still writes; errors still go to standard error)"
      : "print nothing on standard output: only the exit code (--output still writes; errors and warnings still go to standard error)",
  );
  // Only a stricter threshold than the policy's: what blocks a deploy is security's call, never a flag's.
  if (failOn) {
    cmd.addOption(
      new Option("--fail-on <level>", "lowest severity that fails (exit 1): mandatory, or advisory to fail on warnings as well")
        .choices([...failOnLevels])
        .default("mandatory"),
    );
  }
  return cmd;
}

/** Exit 1 when a violation at or above the threshold stands (waived ones never count). */
export function verdictCode(report: Report, failOn: FailOn = "mandatory"): 0 | 1 {
  const { mandatory, advisory } = report.summary;
  return mandatory > 0 || (failOn === "advisory" && advisory > 0) ? 1 : 0;
}

/** True when --output names a file (not absent, not "-"). */
export function writesFile(opts: OutputOptions): opts is OutputOptions & { output: string } {
  return opts.output !== undefined && opts.output !== "-";
}

/** Options that name a file the command reads. */
const inputOptions: Readonly<Record<string, string>> = { manifest: "--manifest", registry: "--registry", exceptions: "--exceptions", configFile: "--config-file", base: "--base", head: "--head" };

/**
 * A report written over one of its own inputs (`--manifest m.yaml --output m.yaml`) would destroy
 * a user's file that no report command exists to edit: refused before anything is written.
 */
function refuseOverwritingInput(opts: OutputOptions & Record<string, unknown>, output: string): void {
  const target = resolve(output);
  for (const [key, flag] of Object.entries(inputOptions)) {
    const given = opts[key];
    for (const value of Array.isArray(given) ? given : [given]) {
      if (typeof value === "string" && value !== "-" && resolve(value) === target) {
        throw new UsageError(`--output ${output}: is also the ${flag} this command reads; write the report to another file`);
      }
    }
  }
}

/** Writes the report where the options say: the file, standard output, or nowhere (--quiet). */
export async function emit(text: string, opts: OutputOptions, out: (s: string) => void): Promise<void> {
  if (writesFile(opts)) {
    refuseOverwritingInput(opts as OutputOptions & Record<string, unknown>, opts.output);
    try {
      await writeAtomically(opts.output, text);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UsageError(`--output ${opts.output}: cannot write it (${e.code ?? e.message}); nothing was written`);
    }
  } else if (opts.quiet !== true) out(text);
}

/**
 * Colour only for a person at a terminal: never in a file or a pipe, never with NO_COLOR set to
 * anything (no-color.org) or --no-color; FORCE_COLOR asks for it anyway.
 */
export function useColor(program: Command | null, opts: OutputOptions, env: NodeJS.ProcessEnv = process.env, tty = process.stdout.isTTY === true): boolean {
  let root = program;
  while (root?.parent) root = root.parent;
  if (root?.opts<{ color?: boolean }>().color === false) return false;
  if (writesFile(opts)) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "") return true;
  return tty;
}
