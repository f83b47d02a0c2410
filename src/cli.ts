import { Command, CommanderError } from "commander";
import { registerCheck } from "./commands/check.ts";
import { UsageError } from "./commands/context.ts";
import { registerDeploy } from "./commands/preview.ts";
import { toolInfo } from "./commands/tool.ts";
import { registerVendor } from "./commands/vendor.ts";
import { PolicyFault } from "./engine/errors.ts";
import { InputError } from "./model/index.ts";

/*
 * Wiring only: each command lives in src/commands/<name>.ts. Every failure a user can cause ends
 * here as one clear message and exit code 2, never a stack trace (VENDORGATE_DEBUG=1 shows it).
 */

const out = (s: string) => {
  process.stdout.write(s);
};

export function buildProgram(): Command {
  const program = new Command("vendorgate")
    .description("Blocks deploys that would share personal data with vendors that were never approved to receive it.")
    .version(toolInfo().version)
    .showHelpAfterError()
    .exitOverride();
  registerCheck(program, out);
  registerDeploy(program, out);
  registerVendor(program, out);
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
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
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
