import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { canDecrypt, setOutput, vendorgateCli, warning, type Env } from "./lib.ts";

/*
 * CI step: plans one side of a pull request (base or head) with that checkout's own vendorgate,
 * so each side is judged by its own program, registry and policies.
 *
 *   node scripts/ci/plan-side.ts --dir <checkout> --stack <name> --json <file> [--sarif <file>] [--side base|head]
 *                                [--project <dir in the checkout>]
 *
 * Always exits 0 when it could run: the plan's exit code is the step output `code` (0 pass,
 * 1 blocked, 2 could not plan), and `note` says why a side could not be planned. A base that
 * cannot be planned (it predates vendorgate, or is broken) is replaced by an empty plan so the
 * diff still shows everything the head shares; a head that cannot be planned blocks.
 */

export const EMPTY_PLAN = {
  violations: [],
  summary: { mandatory: 0, advisory: 0, waived: 0 },
  stack: null,
  manifest: { apiVersion: "vendorgate/v1", integrations: [] },
  resources: [],
};

export interface PlanSideOptions {
  dir: string;
  /** The Pulumi project, relative to the checkout (default: the checkout itself). */
  project?: string | undefined;
  stack: string;
  json: string;
  sarif?: string | undefined;
  side: "base" | "head";
}

export interface PlanSideResult {
  code: number;
  note?: string;
}

type Run = (args: string[], cwd: string, env: Env) => { status: number | null; stdout: string; stderr: string };

const runNode: Run = (args, cwd, env) => {
  const r = spawnSync(process.execPath, args, { cwd, env: env as NodeJS.ProcessEnv, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error ? String(r.error.message) : "") };
};

/** The CLI arguments of one plan; without a passphrase the secure config values are not decrypted. */
export function planArgs(stack: string, format: string, env: Env, project = "."): string[] {
  return ["plan", "--project", project, "--stack", stack, "--format", format, ...(canDecrypt(env) ? [] : ["--no-decrypt"])];
}

/** First line of what the CLI said on stderr: its messages put the reason there. */
function reason(stderr: string): string {
  return stderr.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "no message";
}

export function planSide(opts: PlanSideOptions, env: Env, run: Run = runNode): PlanSideResult {
  const dir = resolve(opts.dir);
  const cli = vendorgateCli(dir);
  if (!cli) {
    if (opts.side === "base") {
      writeFileSync(opts.json, `${JSON.stringify(EMPTY_PLAN, null, 2)}\n`);
      return { code: 0, note: "the base has no vendorgate; compared with nothing shared" };
    }
    return { code: 2, note: `no vendorgate in ${opts.dir}` };
  }
  const json = run([...cli, ...planArgs(opts.stack, "json", env, opts.project)], dir, env);
  if (json.status === 0 || json.status === 1) {
    writeFileSync(opts.json, json.stdout);
    if (opts.sarif) {
      const sarif = run([...cli, ...planArgs(opts.stack, "sarif", env, opts.project)], dir, env);
      // The same plan twice must agree; if it does not, nothing about it can be trusted.
      if (sarif.status !== json.status) return { code: 2, note: `plan gave exit ${json.status} as JSON but ${sarif.status} as SARIF` };
      writeFileSync(opts.sarif, sarif.stdout);
    }
    return { code: json.status };
  }
  const why = reason(json.stderr);
  if (opts.side === "base") {
    writeFileSync(opts.json, `${JSON.stringify(EMPTY_PLAN, null, 2)}\n`);
    return { code: 0, note: `the base could not be planned (${why}); compared with nothing shared` };
  }
  return { code: 2, note: `the head could not be planned: ${why}` };
}

function main(argv: string[], env: Env): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: "string", default: "." },
      project: { type: "string", default: "." },
      stack: { type: "string" },
      json: { type: "string" },
      sarif: { type: "string" },
      side: { type: "string", default: "head" },
    },
  });
  if (!values.stack || !values.json || (values.side !== "base" && values.side !== "head")) {
    process.stderr.write("usage: plan-side.ts --dir <checkout> --stack <name> --json <file> [--sarif <file>] [--side base|head]\n");
    return 2;
  }
  const result = planSide({ dir: values.dir, project: values.project, stack: values.stack, json: resolve(values.json), sarif: values.sarif ? resolve(values.sarif) : undefined, side: values.side }, env);
  setOutput(env, "code", String(result.code));
  setOutput(env, "note", result.note ?? "");
  if (result.note) process.stdout.write(warning(`${values.side} (${values.stack}): ${result.note}`));
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2), process.env);
