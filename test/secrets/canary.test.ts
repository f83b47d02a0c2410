// Secret hygiene end to end: a canary secret in a temporary stack's encrypted config (a
// credential, a secret URL, a stack output) and, on the "leaky" stack, as a plain-text credential
// and a pulumi.secret() literal. After a real preview and `up` on a file backend, every command that reads flows is
// run as a user runs it (its own process, stdout and stderr), in every output format; the canary
// may appear in none of them, in no line the engine logs, and in no file the backend holds.
// (test/plan/secrets.test.ts covers plan, diff and check in process with its own fixture.)
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDeploy } from "../../src/commands/preview.ts";
import { diffFormatNames } from "../../src/diff/format.ts";
import { packageRoot } from "../../src/paths.ts";
import type { ProjectInfo } from "../../src/pulumi/project.ts";
import { openStack } from "../../src/pulumi/workspace.ts";
import { formatNames } from "../../src/report/index.ts";
import { type CliResult, STACK_FRAME, vendorgate } from "../cli.ts";
import { CANARY } from "./program.ts";

const NOW = "2026-11-29";
const REGISTRY = join(packageRoot, "examples", "shop", "policy", "vendors.yaml");
/** Every value the canary takes; each is also searched for in base64. */
const secrets = ["config", "program", "url", "plain"].map((s) => `${CANARY}-${s}`);
/** The stacks' passphrase, in the environment as in the user's shell (a project outside the package gets no demo passphrase). */
process.env.PULUMI_CONFIG_PASSPHRASE = "canary-passphrase";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-canary-"));
const backend = join(scratch, "backend");
const root = join(scratch, "project");
const project: ProjectInfo = { root, name: "vg-canary", main: join(root, "index.ts"), stackConfigDir: root };
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Fails when `text` holds the canary, plainly or in base64. */
function expectClean(text: string, what: string): void {
  expect(text, what).not.toContain(CANARY);
  for (const s of secrets) expect(text, `${what} (base64 of ${s})`).not.toContain(Buffer.from(s).toString("base64").replace(/=+$/, ""));
}

/** A command as a user runs it from the project's directory (its vendorgate.yaml names the registry). */
function run(args: string[], code: number): CliResult {
  const r = vendorgate(args, {}, { cwd: root });
  const what = args.slice(0, 3).join(" ") + (args.includes("--format") ? ` --format ${args[args.indexOf("--format") + 1]}` : "");
  expect(r.code, `${what}\n${r.stderr}`).toBe(code);
  expect(r.stderr, what).not.toMatch(STACK_FRAME);
  expectClean(r.stdout + r.stderr, what);
  return r;
}

/** Every file under `dir` but the dependencies, gzip-compressed ones unpacked. */
function files(dir: string): { path: string; text: string }[] {
  return readdirSync(dir).filter((name) => name !== "node_modules").flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    const raw = readFileSync(p);
    return [{ path: p, text: (p.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8") }];
  });
}

const engineLog: string[] = [];
const deploy = (op: "preview" | "up", stack: string) =>
  runDeploy(op, { stack, backend, registry: REGISTRY, now: NOW, stream: true, pulumiProject: project }, (s) => void engineLog.push(s));

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  mkdirSync(backend);
  writeFileSync(join(root, "Pulumi.yaml"), "name: vg-canary\nruntime: nodejs\nmain: index.ts\n");
  writeFileSync(join(root, "vendorgate.yaml"), `apiVersion: vendorgate/v1\nregistry: ${JSON.stringify(REGISTRY)}\n`);
  // The program runs on the project's own @pulumi/pulumi, as a user's does.
  symlinkSync(join(packageRoot, "node_modules"), join(root, "node_modules"));
  writeFileSync(join(root, "index.ts"), `export { default } from ${JSON.stringify(join(import.meta.dirname, "program.ts"))};\n`);
  // The stack config as `pulumi config set --secret` writes it: encrypted, in Pulumi.<stack>.yaml.
  for (const name of ["kept", "leaky"]) {
    const { stack } = await openStack(name, { project, backendDir: backend });
    await stack.setConfig("token", { value: `${CANARY}-config`, secret: true });
    await stack.setConfig("urlToken", { value: `${CANARY}-url`, secret: true });
    if (name === "leaky") await stack.setConfig("leak", { value: "true" });
  }
  expect(readFileSync(join(root, "Pulumi.kept.yaml"), "utf8")).toMatch(/secure: v1:/);
}, 300_000);

describe("the canary", () => {
  it("is named as a credential in the repository (plain text, a secret literal) by a real preview, never printed", async () => {
    const r = await deploy("preview", "leaky");
    expect(r.ok).toBe(false);
    const vg011 = r.findings.filter((f) => f.policy === "plaintext-credential");
    expect(vg011.map((f) => f.urn?.split("::").at(-1)).sort()).toEqual(["plain-literal", "secret-literal"]);
    expectClean(JSON.stringify(r), "preview findings");
  }, 300_000);

  it("passes a real preview and up where it is kept secret, and lands in no backend or project file in plain text", async () => {
    const r = await deploy("up", "kept");
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expectClean(JSON.stringify(r), "up result");
    const stored = [...files(backend), ...files(root)];
    // The state is there (it records every declaration), with the secrets as ciphertext.
    expect(stored.some((f) => f.text.includes("vendorgate:index:Integration") && f.text.includes("secret-url"))).toBe(true);
    expect(stored.some((f) => /"ciphertext"/.test(f.text))).toBe(true);
    for (const f of stored) expectClean(f.text, f.path.slice(scratch.length));
  }, 300_000);

  it("appears in no line the engine logged for the preview and the up", () => {
    expect(engineLog.join("").length).toBeGreaterThan(200);
    expectClean(engineLog.join(""), "engine output");
  });

  describe("appears in no output of any command, in any format", () => {
    const plans: Record<string, string> = {};

    it("plan", () => {
      for (const format of formatNames) {
        const r = run(["plan", "--project", root, "--stack", "leaky", "--backend", backend, "--now", NOW, "--format", format], 1);
        expect(r.stdout).toContain("plain-literal");
        if (format === "json") plans.leaky = r.stdout;
      }
      plans.kept = run(["plan", "--project", root, "--stack", "kept", "--backend", backend, "--now", NOW, "--format", "json"], 0).stdout;
      const leaky = JSON.parse(plans.leaky!) as { violations: { rule: string; integration: string }[] };
      expect(leaky.violations.filter((v) => v.rule === "VG011").map((v) => v.integration).sort()).toEqual(["plain-literal", "secret-literal"]);
    }, 300_000);

    it("check, on the declarations plan found", () => {
      const manifest = join(scratch, "leaky.manifest.json");
      writeFileSync(manifest, JSON.stringify((JSON.parse(plans.leaky!) as { manifest: unknown }).manifest));
      for (const format of formatNames) run(["check", "--manifest", manifest, "--now", NOW, "--format", format], 1);
    }, 300_000);

    it("diff, between the two stacks' plans", () => {
      writeFileSync(join(scratch, "kept.json"), plans.kept!);
      writeFileSync(join(scratch, "leaky.json"), plans.leaky!);
      for (const format of diffFormatNames) {
        const r = run(["diff", "--base", join(scratch, "kept.json"), "--head", join(scratch, "leaky.json"), "--now", NOW, "--format", format], 1);
        expect(r.stdout).toContain("plain-literal");
      }
    }, 300_000);

    // The commands that read the state `up` wrote.
    const fromState = ["--backend", backend];
    it.each([
      ["exposure", ["text", "json", "csv", "markdown", "notice"], ["--vendor", "mixpanel"]],
      ["inventory", ["ropa", "json", "cyclonedx"], ["--now", NOW]],
      ["review", ["text", "json", "markdown"], ["--now", NOW]],
      ["vendor list", ["text", "json"], ["--registry", REGISTRY]],
    ])("%s", (command, formats, extra) => {
      let all = "";
      for (const format of formats) all += run([...command.split(" "), ...extra, ...(command === "vendor list" ? [] : fromState), "--format", format], 0).stdout;
      // They did read the flows that carry the canary.
      expect(all).toMatch(command === "vendor list" ? /mixpanel/ : /from-config|secret-url/);
    }, 300_000);

    it("report (the HTML page)", () => {
      const r = run(["report", ...fromState, "--now", NOW], 0);
      expect(r.stdout).toMatch(/<html/i);
      expect(r.stdout).toContain("secret-url");
    }, 300_000);

    it("vendor suspend, which lists the flows it blocks from the state", () => {
      const registry = join(scratch, "vendors.yaml");
      copyFileSync(REGISTRY, registry);
      const r = run(["vendor", "suspend", "mixpanel", "--reason", "canary drill", "--by", "ci", "--registry", registry, ...fromState, "--now", NOW], 0);
      expect(r.stdout).toContain("from-config");
      expectClean(readFileSync(registry, "utf8"), "the edited registry");
    }, 300_000);
  });
});
