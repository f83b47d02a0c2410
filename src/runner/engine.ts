import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { stringify } from "yaml";
import { loadStackConfig } from "../plan/config.ts";
import { pulumiEnvironment } from "../pulumi/environment.ts";
import { DEMO_PASSPHRASE, type ProjectInfo } from "../pulumi/project.ts";
import { findTool, packageRoot } from "../paths.ts";
import { runIsolated, type ProgramLimits } from "./runner.ts";

/*
 * `preview` and `up` without a language host and without trusting the program: the program's
 * process serves it to the engine (host.ts, serve mode), this process drives the pulumi CLI, and
 * the verdict comes from the engine's own event log, which the program cannot write to. The engine
 * works in a scratch project (a Pulumi.yaml naming the project and the stack's config), so neither
 * it nor the CLI writes the user's files.
 */

export interface EngineEventLike {
  policyEvent?: { policyName: string; enforcementLevel: string; resourceUrn?: string; message: string };
  summaryEvent?: { resourceChanges?: Record<string, number> };
  diagnosticEvent?: { severity?: string; message?: string };
}

export interface EngineRun {
  op: "preview" | "up";
  stack: string;
  project: ProjectInfo;
  backend?: string;
  policyPack: string;
  policyPackConfig: string;
  env?: Record<string, string>;
  /** The engine's own output, as it runs. */
  onOutput?: (text: string) => void;
  limits?: Partial<ProgramLimits>;
}

export interface EngineResult {
  events: EngineEventLike[];
  exitCode: number | null;
  stderr: string;
  /** The program failed or hit a limit (its process's report, never its output). */
  programError?: string;
  /** Secure values the engine saw as placeholders, and why. */
  notDecrypted?: string;
}

const MAX_EVENT_LOG_BYTES = 256 * 1024 * 1024;

function passphraseOf(project: ProjectInfo): Record<string, string> | undefined {
  if (process.env.PULUMI_CONFIG_PASSPHRASE) return { PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE };
  if (process.env.PULUMI_CONFIG_PASSPHRASE_FILE) return { PULUMI_CONFIG_PASSPHRASE_FILE: process.env.PULUMI_CONFIG_PASSPHRASE_FILE };
  // The package's own example and test projects (never a user's: those live outside the package).
  if (project.root === packageRoot || project.root.startsWith(packageRoot + sep)) return { PULUMI_CONFIG_PASSPHRASE: DEMO_PASSPHRASE };
  return undefined;
}

function runCli(args: string[], cwd: string, env: Record<string, string>, onOutput?: (s: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const pulumi = findTool("pulumi") ?? "pulumi";
  return new Promise((resolve, reject) => {
    const child = spawn(pulumi, args, { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      onOutput?.(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      onOutput?.(d.toString());
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function readEventLog(file: string): EngineEventLike[] {
  if (!existsSync(file)) return [];
  if (statSync(file).size > MAX_EVENT_LOG_BYTES) throw new Error(`the engine's event log passed ${MAX_EVENT_LOG_BYTES} bytes`);
  const events: EngineEventLike[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      events.push(JSON.parse(line) as EngineEventLike);
    } catch {
      // a line the engine had not finished writing when it was stopped
    }
  }
  return events;
}

export async function runEngine(run: EngineRun): Promise<EngineResult> {
  const { project, stack } = run;
  const config = await loadStackConfig(project, stack, { decrypt: true });
  const env = pulumiEnvironment(run.backend, project.root);
  const scratch = mkdtempSync(join(tmpdir(), "vendorgate-engine-"));
  try {
    writeFileSync(join(scratch, "Pulumi.yaml"), stringify({ name: project.name, runtime: "nodejs" }));
    const stackFile = join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
    const passphrase = passphraseOf(project);
    // The event log and --client are flags the CLI shows to the Automation API only.
    const engineEnv: Record<string, string> = { ...env.envVars, ...run.env, PULUMI_DEBUG_COMMANDS: "true" };
    delete engineEnv.PULUMI_CONFIG_PASSPHRASE;
    let setConfig: Record<string, { value: string; secret: boolean }> | undefined;
    if (config.provider === "passphrase" && passphrase && existsSync(stackFile)) {
      // The engine decrypts the stack's own file (a byte copy) with the user's passphrase.
      copyFileSync(stackFile, join(scratch, `Pulumi.${stack}.yaml`));
      Object.assign(engineEnv, passphrase);
    } else {
      // Nothing to decrypt, or nothing vendorgate may decrypt: the engine gets the config as plan
      // reads it, secure values as secret placeholders, under a passphrase of this run only.
      Object.assign(engineEnv, { PULUMI_CONFIG_PASSPHRASE: randomBytes(24).toString("hex") });
      setConfig = {};
      for (const [k, value] of Object.entries(config.values)) setConfig[k] = { value, secret: config.secretKeys.includes(k) };
    }
    const init = await runCli(["stack", "select", "--create", stack, "--non-interactive"], scratch, engineEnv);
    if (init.code !== 0) return { events: [], exitCode: init.code, stderr: init.stderr };
    if (setConfig && Object.keys(setConfig).length > 0) {
      const args = ["config", "set-all", "--stack", stack];
      for (const [k, { value, secret }] of Object.entries(setConfig)) args.push(secret ? "--secret" : "--plaintext", `${k}=${value}`);
      const set = await runCli(args, scratch, engineEnv);
      if (set.code !== 0) return { events: [], exitCode: set.code, stderr: set.stderr };
    }

    let listening!: (port: number) => void;
    const port = new Promise<number>((resolve) => (listening = resolve));
    let engineDone!: () => void;
    const until = new Promise<void>((resolve) => (engineDone = resolve));
    let programError: string | undefined;
    const program = runIsolated(project, { stack, config: config.values, secretKeys: config.secretKeys }, {
      mode: "serve",
      onListening: listening,
      until,
      ...(run.limits ? { limits: run.limits } : {}),
    }).catch((err: unknown) => {
      programError = (err as Error).message;
      listening(0);
    });
    const p = await port;
    if (p === 0) {
      await program;
      return { events: [], exitCode: null, stderr: "", ...(programError ? { programError } : {}) };
    }
    const eventLog = join(scratch, "events.jsonl");
    const args = [run.op, "--stack", stack, `--client=127.0.0.1:${p}`, "--exec-kind", "auto.inline", "--event-log", eventLog, "--non-interactive", "--color", "never"];
    args.push("--policy-pack", run.policyPack, "--policy-pack-config", run.policyPackConfig);
    if (run.op === "up") args.push("--yes", "--skip-preview");
    let result;
    try {
      result = await runCli(args, scratch, engineEnv, run.onOutput);
    } finally {
      engineDone();
      await program;
    }
    return {
      events: readEventLog(eventLog),
      exitCode: result.code,
      stderr: result.stderr + result.stdout,
      ...(programError ? { programError } : {}),
      ...(config.placeholders && config.notDecrypted ? { notDecrypted: config.notDecrypted } : {}),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
