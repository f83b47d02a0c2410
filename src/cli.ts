import { Command, CommanderError, type Option } from "commander";
import { config as zodConfig } from "zod";
import { refuseRepeatedOptions } from "./commands/repeated-options.ts";
import { toolInfo } from "./commands/tool.ts";
import { UsageError } from "./errors.ts";
import { PolicyFault } from "./engine/errors.ts";
import { InputError } from "./model/errors.ts";

/*
 * Wiring only: each command lives in src/commands/<name>.ts. Every failure a user can cause ends
 * here as one clear message and exit code 2, never a stack trace (VENDORGATE_DEBUG=1 shows it).
 */

// A command validates each input once. zod's fast path compiles a function (new Function) per
// object schema on first use, which costs a one-shot process more than it saves, and is code V8's
// code cache cannot keep (see bin/vendorgate.js).
zodConfig({ jitless: true });

type Out = (s: string) => void;
type Register = (program: Command, out: Out) => void;

/**
 * Command modules by the command names they register, loaded on demand: `vendorgate check` should
 * not pay for loading the Pulumi engine client that `preview` needs.
 */
const commandModules: Readonly<Record<string, () => Promise<Register>>> = {
  check: async () => (await import("./commands/check.ts")).registerCheck,
  build: async () => (await import("./commands/build.ts")).registerBuild,
  init: async () => (await import("./commands/init.ts")).registerInit,
  preview: async () => (await import("./commands/preview.ts")).registerDeploy,
  vendor: async () => (await import("./commands/vendor.ts")).registerVendor,
  exposure: async () => (await import("./commands/exposure.ts")).registerExposure,
  review: async () => (await import("./commands/review.ts")).registerReview,
  inventory: async () => (await import("./commands/inventory.ts")).registerInventory,
  report: async () => (await import("./commands/report.ts")).registerReport,
  plan: async () => (await import("./commands/plan.ts")).registerPlan,
  diff: async () => (await import("./commands/diff.ts")).registerDiff,
  allowlist: async () => (await import("./commands/allowlist.ts")).registerAllowlist,
};
/** Commands registered by a module listed under another name. */
const aliases: Readonly<Record<string, string>> = { up: "preview" };

/**
 * Set once the reader of standard output has gone (`vendorgate check … | head -1`): the rest of
 * the report has nowhere to go, and that is no reason to change the verdict's exit code.
 */
let stdoutClosed = false;

function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code === "EPIPE") {
    stdoutClosed = true;
    return;
  }
  process.stderr.write(`vendorgate: cannot write to standard output: ${err.message}\n`);
  process.exitCode = 2;
}

const out: Out = (s) => {
  if (!stdoutClosed) process.stdout.write(s);
};

/**
 * commander checks required options before unknown ones, so `check --formt json` would complain
 * about a missing --manifest instead of naming the typo. Required options are therefore checked
 * in a hook that runs after commander has refused unknown options.
 */
function requireAfterUnknownOptions(program: Command): void {
  const required = new Map<Command, Option[]>();
  const walk = (cmd: Command) => {
    const mandatory = cmd.options.filter((o) => o.mandatory);
    for (const o of mandatory) o.mandatory = false;
    if (mandatory.length) required.set(cmd, mandatory);
    cmd.commands.forEach(walk);
  };
  walk(program);
  program.hook("preAction", (_program, action) => {
    for (const o of required.get(action) ?? []) {
      if (action.getOptionValue(o.attributeName()) === undefined) {
        action.error(`error: required option '${o.flags}' not specified`, { code: "commander.missingMandatoryOptionValue" });
      }
    }
  });
}

export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("vendorgate")
    .description("Blocks deploys that would share personal data with vendors that were never approved to receive it.")
    .version(toolInfo().version)
    .option("--no-color", "no ANSI colour in text output (also when NO_COLOR is set)")
    .showHelpAfterError()
    .exitOverride();
  const first = argv.find((a) => !a.startsWith("-"));
  const wanted = first && (commandModules[first] ? first : aliases[first]);
  // Unknown commands and top-level help need every command; a known one needs only its own.
  const names = wanted ? [wanted] : Object.keys(commandModules);
  for (const name of names) (await commandModules[name]!())(program, out);
  requireAfterUnknownOptions(program);
  refuseRepeatedOptions(program);
  return program;
}

export function describeError(err: unknown): { message: string; code: number } {
  if (err instanceof InputError) return { message: `vendorgate: input error\n${err.message}`, code: 2 };
  if (err instanceof UsageError) return { message: `vendorgate: ${err.message}`, code: 2 };
  if (err instanceof PolicyFault) return { message: `vendorgate: policy fault, nothing can be judged (fail closed): ${err.message}`, code: 2 };
  const e = err as NodeJS.ErrnoException;
  if (e?.code && e.path) return { message: `vendorgate: ${e.path}: ${e.message}`, code: 2 };
  return { message: `vendorgate: internal error: ${e?.message ?? String(err)}`, code: 2 };
}

export async function main(argv: readonly string[]): Promise<void> {
  if (process.stdout.listenerCount("error") === 0) process.stdout.on("error", onStdoutError);
  try {
    await (await buildProgram(argv)).parseAsync([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const { message, code } = describeError(err);
    process.stderr.write(`${message}\n`);
    if (process.env.VENDORGATE_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ""}\n`);
    process.exitCode = code;
  }
}
