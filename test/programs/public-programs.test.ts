import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.ts";

/*
 * Public Pulumi programs (test/fixtures/programs, see its NOTICE), unmodified, planned from their
 * own directory as a user runs vendorgate: `vendorgate plan` in the project. Their dependencies
 * come from the npm registry, one shared install for all of them. Each run also proves that plan
 * wrote none of the project's files.
 */

const FIXTURES = join(packageRoot, "test", "fixtures", "programs");
const REGISTRY = join(packageRoot, "policies", "data", "vendors.yaml");
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

/** Whether the egress catalogue judges API Gateway HTTP integrations (it is another issue's to add). */
function httpIntegrationsJudged(): boolean {
  const dir = join(packageRoot, "src", "stack");
  return readdirSync(dir).some((f) => f.startsWith("egress") && readFileSync(join(dir, f), "utf8").includes('"aws:apigateway/integration:Integration"'));
}

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
  // HTTP integrations its plugin would create: egress no Integration owns, once the egress catalogue
  // judges that type (test/stack/remote-components.test.ts checks the expansion itself).
  httpIntegrationsJudged()
    ? { program: "aws-apigateway-ts-routes", exit: 1, rules: ["VG010", "VG010", "VG010"] }
    : { program: "aws-apigateway-ts-routes", exit: 0, rules: [] },
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

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function plan(dir: string, stack: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, "bin", "vendorgate.js"), "plan", "--stack", stack, "--registry", REGISTRY, "--now", NOW, "--format", "json"], {
      cwd: dir,
      env: { ...process.env, PULUMI_CONFIG_PASSPHRASE: "", PULUMI_CONFIG_PASSPHRASE_FILE: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}


beforeAll(() => {
  // One install for every program, from the npm registry, as their users would get them.
  const lock = readFileSync(join(FIXTURES, "package-lock.json"));
  const stamp = join(FIXTURES, "node_modules", ".package-lock.json");
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(join(FIXTURES, "package-lock.json")).mtimeMs && lock.length > 0) return;
  const r = spawnSync("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: FIXTURES, encoding: "utf8", timeout: 900_000 });
  if (r.status !== 0) throw new Error(`npm ci in test/fixtures/programs failed:\n${r.stderr}`);
}, 900_000);

describe("public Pulumi programs under plan, unmodified, from their own directory", () => {
  it.each(expectations)("$program (stack $stack)", async ({ program, stack = "dev", exit, rules, stderr }) => {
    const dir = join(FIXTURES, program);
    const before = snapshot(dir);
    const r = await plan(dir, stack);
    console.log(`plan ${program} --stack ${stack}: exit ${r.code} in ${r.seconds.toFixed(1)} s`);
    expect(r.code, r.stderr).toBe(exit);
    const report = JSON.parse(r.stdout) as { violations: { rule: string }[] };
    expect(report.violations.map((v) => v.rule).sort()).toEqual(rules);
    if (stderr) expect(r.stderr).toMatch(stderr);
    expect(snapshot(dir)).toEqual(before);
  }, 600_000);
});
