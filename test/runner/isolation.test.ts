import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.ts";
import { projectInfo } from "../../src/pulumi/project.ts";
import { ProgramFailure, runIsolated, type IsolatedRun, type ProgramLimits } from "../../src/runner/runner.ts";

/*
 * The program runs in a process of its own, as Pulumi's Node.js runtime would run it, and only
 * its registrations come back. These programs are small on purpose: each one is a way a program
 * is written (or a way one misbehaves).
 */

const fixture = (name: string) => join(packageRoot, "test", "fixtures", "runner", name);
const REGISTRY = join(packageRoot, "examples", "shop", "policy", "vendors.yaml");

async function run(name: string, config: Record<string, string> = {}, limits: Partial<ProgramLimits> = {}) {
  let output = "";
  const result = await runIsolated(projectInfo(fixture(name)), { stack: "dev", config, secretKeys: [] }, { limits, output: (s) => (output += s) });
  return { ...result, output };
}

const outputsOf = (r: IsolatedRun) => r.resources.find((x) => x.type === "pulumi:pulumi:Stack")?.outputs;

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ProgramFailure);
    return (err as Error).message;
  }
  throw new Error("expected the run to fail");
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a user runs it: its own process, from the project's directory. */
function cli(cwd: string, args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, "bin", "vendorgate.js"), ...args], { cwd, env: process.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("running a program as Pulumi does", () => {
  it("CommonJS with ts-node's habits: import = require, extensionless, directory and paths imports, type-only imports, enums, files read from the project directory", async () => {
    const r = await run("ts-semantics", { "ts-semantics:greeting": "hi" });
    const bucket = r.resources.find((x) => x.type === "fixture:index:Bucket");
    expect(bucket?.name).toBe("HI-bucket");
    expect(bucket?.inputs).toMatchObject({ kind: 0, note: "read relative to the project directory" });
    expect(outputsOf(r)).toMatchObject({ kind: "Logs" });
  }, 120_000);

  it("Pulumi.yaml `config:` defaults apply when the stack sets nothing (a missing stack file is an empty config)", async () => {
    // planStack reads the defaults; here the run gets them as plan passes them.
    const { loadStackConfig } = await import("../../src/plan/config.ts");
    const config = await loadStackConfig(projectInfo(fixture("ts-semantics")), "nostack", { decrypt: true });
    expect(config.values["ts-semantics:greeting"]).toBe("hello");
    const r = await run("ts-semantics", config.values);
    expect(r.resources.find((x) => x.type === "fixture:index:Bucket")?.name).toBe("HELLO-bucket");
  }, 120_000);

  it("module.exports = async function: called, and its result is the stack's outputs", async () => {
    const r = await run("cjs-exports");
    expect(r.resources.map((x) => x.type)).toContain("fixture:index:Thing");
    expect(outputsOf(r)).toMatchObject({ answer: 42 });
  }, 120_000);

  it("takes `main` from package.json when Pulumi.yaml names none; an async default export's result is the outputs", async () => {
    const project = projectInfo(fixture("pkg-main"));
    expect(project.main).toBe(join(fixture("pkg-main"), "src", "program.ts"));
    expect(project.moduleKind).toBe("esm");
    const r = await run("pkg-main");
    expect(r.resources.find((x) => x.type === "fixture:index:Thing")?.name).toBe("from-package-main");
    expect(outputsOf(r)).toEqual({ where: "package.json main" });
  }, 120_000);

  it("names the user's file and line when the program throws, never vendorgate's", async () => {
    const message = await failure(run("throws"));
    expect(message).toMatch(/^test\/fixtures\/runner\/throws\/index\.ts:4:\d+: the program failed under plan's mocks: Missing required configuration variable 'throws:bucketName'/);
    expect(message).not.toMatch(/src\/runner|host\.ts|node_modules/);
  }, 120_000);
});

describe("limits", () => {
  it("a program that never finishes is stopped at the time limit", async () => {
    const message = await failure(run("never-settles", {}, { timeoutMs: 3000 }));
    expect(message).toBe("test/fixtures/runner/never-settles/index.ts: the program did not finish within 3 s");
  }, 120_000);

  it("a promise that never settles ends the run with a reason, not Node's exit 13", async () => {
    const message = await failure(run("unsettled"));
    expect(message).toMatch(/the program's process ended before the program finished \(exit code \d+\): a promise it returned or awaited never settled/);
  }, 120_000);

  it("more resources than the limit, or more bytes, end the run", async () => {
    expect(await failure(run("ts-semantics", { "ts-semantics:greeting": "x" }, { maxResources: 1 }))).toMatch(/registered more than 1 resources/);
    expect(await failure(run("ts-semantics", { "ts-semantics:greeting": "x" }, { maxBytes: 100 }))).toMatch(/sent more than 100 bytes/);
  }, 120_000);

  it("a resource larger than one read of the channel comes back whole, and every small one with it; one past the per-resource limit ends the run", async () => {
    const r = await run("large-inputs", { "large-inputs:bytes": "3000000" });
    expect(r.resources.find((x) => x.name === "big")?.inputs).toEqual({ blob: "x".repeat(3_000_000) });
    expect(r.resources.filter((x) => x.type === "fixture:index:Small").map((x) => x.name).sort()).toEqual(Array.from({ length: 300 }, (_, i) => `small-${i}`).sort());
    const message = await failure(run("large-inputs", { "large-inputs:bytes": "3000000" }, { maxMessageBytes: 1_000_000 }));
    expect(message).toBe("test/fixtures/runner/large-inputs/index.ts: one resource's inputs pass 1000000 bytes, the most vendorgate reads");
  }, 120_000);
});

describe("a program cannot replace the verdict", () => {
  it("plan: a fake clean report and process.exit(0) still end in exit 1 with the real violations", async () => {
    const r = await cli(fixture("fake-report"), ["plan", "--registry", REGISTRY, "--now", "2026-11-29", "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { violations: { rule: string; integration: string }[] };
    expect(report.violations.some((v) => v.rule === "VG001" && v.integration === "exfiltrate")).toBe(true);
    // What the program printed reached stderr, marked as its own, never stdout.
    expect(r.stderr).toContain('program: {"violations":[]');
    expect(r.stderr).toContain("the program called process.exit(0)");
  }, 300_000);

  it("preview: the same program, through the real engine, is blocked by the policy pack's findings", async () => {
    const backend = mkdtempSync(join(tmpdir(), "vendorgate-fake-report-"));
    try {
      const r = await cli(fixture("fake-report"), ["preview", "--registry", REGISTRY, "--now", "2026-11-29", "--backend", backend]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/unknown-vendor|VG001/);
      expect(r.stdout + r.stderr).toContain("deploy blocked");
      expect(r.stdout).not.toContain('{"violations":[]');
    } finally {
      rmSync(backend, { recursive: true, force: true });
    }
  }, 600_000);
});
