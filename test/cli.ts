import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../src/paths.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would (`npx vendorgate …` resolves to this bin), from the project root. */
export function vendorgate(args: readonly string[], env: Record<string, string> = {}, opts: { cwd?: string; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(packageRoot, "bin", "vendorgate.js"), ...args], {
    cwd: opts.cwd ?? packageRoot,
    ...(opts.input !== undefined && { input: opts.input }),
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A stack trace line, which no user-facing error may contain. */
export const STACK_FRAME = /^\s+at .+[(:]\d+/m;

/**
 * The same command run in this process (src/cli.ts main, as bin/vendorgate.js calls it), its
 * standard output and error captured and its exit code taken from process.exitCode: a case that
 * is about what a command says costs no Node start-up. Cases about the binary itself (its exit
 * codes as a shell sees them, start-up failures) spawn it with `vendorgate`. Runs from the project
 * root, like `vendorgate`; `env` is set for the run and put back after.
 */
export async function vendorgateInProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const { main } = await import("../src/cli.ts");
  let stdout = "";
  let stderr = "";
  const write = { out: process.stdout.write, err: process.stderr.write };
  const before = { exitCode: process.exitCode, cwd: process.cwd(), env: Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]])) };
  const capture =
    (sink: (s: string) => void) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      sink(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
      done?.();
      return true;
    };
  process.stdout.write = capture((s) => (stdout += s)) as typeof process.stdout.write;
  process.stderr.write = capture((s) => (stderr += s)) as typeof process.stderr.write;
  process.exitCode = undefined;
  Object.assign(process.env, env);
  process.chdir(packageRoot);
  try {
    await main(args);
    return { code: typeof process.exitCode === "number" ? process.exitCode : Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = before.exitCode;
    process.chdir(before.cwd);
    for (const [k, v] of Object.entries(before.env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
