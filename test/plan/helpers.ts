import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { loadPolicyContext, type PolicyContext } from "../../src/policy/context.ts";
import { packageRoot } from "../../src/paths.ts";
import { EXAMPLE_EXCEPTIONS, EXAMPLE_REGISTRY } from "../../scripts/example.ts";
import { judgeProgram, type JudgedProgram } from "../../src/plan/plan.ts";

/** The evaluation date the example stacks' expectations are written for. */
export const NOW = "2026-11-29";

export const FAKE_SECRET = "vgFAKESECRET-7e3c1a9d5b";

let ctx: Promise<PolicyContext> | undefined;

export function policyContext(): Promise<PolicyContext> {
  ctx ??= loadPolicyContext({ registry: EXAMPLE_REGISTRY, exceptions: EXAMPLE_EXCEPTIONS, now: NOW });
  return ctx;
}

/** Judges an inline program under plan's mocks, as `plan` would with an empty stack config. */
export async function judge(program: () => unknown, config: Record<string, string> = {}, secretKeys: string[] = []): Promise<JudgedProgram> {
  // The program's return value would become stack outputs; these tests declare, they do not export.
  return judgeProgram(await policyContext(), async () => {
    await program();
  }, {
    project: "test",
    stack: "test",
    config,
    secretKeys,
    program: "test-program.ts",
  });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would (its own process), from `cwd` (default: the checkout's root). */
export function cli(args: readonly string[], env: Record<string, string> = {}, cwd = packageRoot): CliResult {
  const r = spawnSync(process.execPath, [join(packageRoot, "bin", "vendorgate.js"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same without blocking this process, for runs that overlap (two edits racing for the
 * registry's lock) or that a server in this process must answer.
 */
export function cliAsync(args: readonly string[], env: Record<string, string> = {}, cwd = packageRoot): Promise<CliResult> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(packageRoot, "bin", "vendorgate.js"), ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
