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
