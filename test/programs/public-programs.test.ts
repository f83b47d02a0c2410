import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.ts";
import { packTarball, userEnv } from "../e2e/tarball.ts";

/*
 * Public Pulumi programs (test/fixtures/programs, see its NOTICE), unmodified, planned as a user
 * plans them: vendorgate installed from its packed tarball, and `npx vendorgate plan` run in each
 * program's own directory. The programs are copied outside the repository, beside one package.json
 * holding their dependencies and the tarball (one `npm install`, from npm's cache when it has them),
 * so nothing of the repository is used but the tarball and the vendor registry the verdicts are
 * written for. Each run also proves that plan wrote none of the project's files, and prints its time.
 */

const FIXTURES = join(packageRoot, "test", "fixtures", "programs");
const NOW = "2026-11-29";

interface Expectation {
  program: string;
  stack?: string;
  exit: number;
  /** rule ids of the violations, sorted */
  rules: string[];
  stderr?: RegExp;
}

const REMOTE = "vendorgate-remote-component";

const expectations: Expectation[] = [
  // Relative reads (./www) from the project's directory; an ESM-only dependency (mime 4) required from CommonJS.
  { program: "aws-ts-s3-folder", exit: 0, rules: [] },
  // Two files, an import written `./acl.js` for acl.ts, a stack config file.
  { program: "aws-ts-static-website", exit: 0, rules: [] },
  // A multi-file program of component classes (network, backend, frontend).
  { program: "aws-ts-wordpress-fargate-rds", exit: 0, rules: [] },
  // CommonJS: module.exports, require(), a component class.
  { program: "aws-js-webserver-component", exit: 0, rules: [] },
  // awsx: remote components, listed as not judged (advisory by default).
  { program: "aws-ts-containers", exit: 0, rules: [REMOTE, REMOTE, REMOTE, REMOTE] },
  // aws-apigateway: the RestAPI's HTTP proxy routes (www.google.com, httpbin.org) become the API Gateway
  // HTTP integrations its plugin would create: egress no Integration owns (test/stack/remote-components.test.ts
  // checks the expansion itself).
  { program: "aws-apigateway-ts-routes", exit: 1, rules: ["VG010", "VG010", "VG010"] },
  // aws-apigateway with Lambda routes only: nothing leaves.
  { program: "aws-ts-apigateway", exit: 0, rules: [] },
  // Lambdas in a state machine; Pulumi.yaml's template region is not config (no stack file: empty config).
  { program: "aws-ts-stepfunctions", exit: 0, rules: [] },
  // Stacks whose secrets vendorgate does not decrypt: judged with placeholders, and the output says so.
  { program: "aws-ts-secrets-manager", stack: "kms", exit: 0, rules: [], stderr: /not decrypted \(its secrets are encrypted with AWS KMS/ },
  { program: "aws-ts-secrets-manager", stack: "cloud", exit: 0, rules: [], stderr: /not decrypted \(its secrets are encrypted with Pulumi Cloud/ },
];

/** Every file of a project but its dependencies, with a digest of its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === "node_modules") continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-programs-"));
const programs = join(scratch, "programs");
const registry = join(scratch, "vendors.yaml");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** `npx vendorgate plan` in `dir`, as a user types it (the shell's environment, no passphrase). */
function plan(dir: string, stack: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npx", ["--no-install", "vendorgate", "plan", "--stack", stack, "--registry", registry, "--now", NOW, "--format", "json"], { cwd: dir, env: userEnv() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

beforeAll(() => {
  cpSync(FIXTURES, programs, { recursive: true, filter: (src) => !src.split("/").includes("node_modules") });
  copyFileSync(join(packageRoot, "examples", "shop", "policy", "vendors.yaml"), registry);
  const tarball = packTarball(scratch);
  // The shared package.json is this repository's, not a program's: it gains vendorgate, as a user's would.
  const pkg = JSON.parse(readFileSync(join(programs, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  pkg.dependencies.vendorgate = `file:${tarball.file}`;
  writeFileSync(join(programs, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  const r = spawnSync("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: programs, env: userEnv(), encoding: "utf8", timeout: 900_000 });
  if (r.status !== 0) throw new Error(`npm install of the programs' dependencies and the tarball failed:\n${r.stderr}`);
}, 900_000);

describe("public Pulumi programs under plan, unmodified, from their own directory, with vendorgate installed from its tarball", () => {
  it("runs the installed CLI: one @pulumi/pulumi, the programs', and vendorgate from the tarball", () => {
    const ls = spawnSync("npm", ["ls", "@pulumi/pulumi", "vendorgate", "--all", "--parseable"], { cwd: programs, env: userEnv(), encoding: "utf8" });
    const paths = [...new Set(ls.stdout.split("\n").filter(Boolean))].map((p) => relative(programs, p)).sort();
    expect(paths).toEqual(["node_modules/@pulumi/pulumi", "node_modules/vendorgate"]);
  });

  it.each(expectations.map((e) => ({ stack: "dev", ...e })))("$program (stack $stack)", async ({ program, stack, exit, rules, stderr }) => {
    const dir = join(programs, program);
    const before = snapshot(dir);
    // The copy is the fixture, byte for byte.
    expect(before).toEqual(snapshot(join(FIXTURES, program)));
    const r = await plan(dir, stack);
    console.log(`npx vendorgate plan --stack ${stack} in ${program}: exit ${r.code} in ${r.seconds.toFixed(1)} s`);
    expect(r.code, r.stderr).toBe(exit);
    const report = JSON.parse(r.stdout) as { violations: { rule: string }[] };
    expect(report.violations.map((v) => v.rule).sort()).toEqual(rules);
    if (stderr) expect(r.stderr).toMatch(stderr);
    expect(r.stderr).not.toMatch(/^\s+at .+[(:]\d+/m);
    expect(snapshot(dir)).toEqual(before);
  }, 600_000);
});
