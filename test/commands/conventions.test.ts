import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseNow } from "../../src/policy/context.ts";
import { isoDate } from "../../src/engine/normalize.ts";
import { packageRoot } from "../../src/paths.ts";
import { STACK_FRAME, vendorgate } from "../cli.ts";

/*
 * The conventions users bring from other code-scanning CLIs (Trivy, Checkov, Conftest): output
 * files, quiet runs, a failure threshold, standard input, colour switches, typo'd options named as
 * such, and pipes closed early.
 */

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-conventions-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function registry(vendor: string): string {
  return `apiVersion: vendorgate/v1
prohibitedCategories: [user.financial]
vendors:
  ${vendor}:
    name: Acme Analytics
    status: approved
    domains: [acme.example]
    regions: [eu]
    assurance: { dpa: { expires: 2027-06-30 }, soc2: { expires: 2026-12-10 } }
    approvals:
      - purpose: analytics.reporting
        categories: [user.device]
`;
}

function manifest(vendor: string, name: string, fields: string[]): string {
  return `apiVersion: vendorgate/v1
integrations:
  - name: ${name}
    vendor: ${vendor}
    purpose: analytics.reporting
    subjects: [customer]
    destination: { url: https://api.acme.example/track, region: eu }
    fields:
${fields.map((f) => `      - { path: ${f.split(":")[0]}, category: ${f.split(":")[1]}, transform: none }`).join("\n")}
`;
}

/** A project in a repository: `.git` at the top, the manifest and registry one folder down. */
function project(name: string, opts: { git?: boolean; fields?: string[]; vendor?: string; integration?: string } = {}): string {
  const top = join(scratch, name);
  const sub = join(top, "deploy");
  mkdirSync(sub, { recursive: true });
  if (opts.git !== false) mkdirSync(join(top, ".git"));
  else writeFileSync(join(top, "vendorgate.yaml"), "apiVersion: vendorgate/v1\nregistry: deploy/vendors.yaml\n");
  const vendor = opts.vendor ?? "acme";
  writeFileSync(join(sub, "vendors.yaml"), registry(vendor));
  writeFileSync(join(sub, "m.yaml"), manifest(vendor, opts.integration ?? "tracking", opts.fields ?? ["properties.os:user.device", "properties.email:user.contact.email"]));
  writeFileSync(join(sub, "clean.yaml"), manifest(vendor, opts.integration ?? "tracking", ["properties.os:user.device"]));
  return sub;
}

const NOW = ["--now", "2026-11-29"];
const CHECK = ["check", "--registry", "vendors.yaml", ...NOW];

describe("CLI conventions", () => {
  const dir = project("repo");
  const run = (args: string[], env: Record<string, string> = {}, input?: string) => vendorgate(args, env, { cwd: dir, ...(input !== undefined && { input }) });

  it("names an unknown option as such, even when a required option is missing too (exit 2)", () => {
    const r = run(["check", "--formt", "json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--formt'");
    expect(r.stderr).toContain("Did you mean --format?");
    expect(r.stderr).not.toContain("required option");
    const missing = run(["check", "--format", "json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--manifest <file>' not specified");
  });

  it("writes the report to --output and nothing to standard output; the exit code stays the verdict", () => {
    const file = join(scratch, "out.sarif");
    const r = run([...CHECK, "--manifest", "m.yaml", "--format", "sarif", "--output", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(JSON.parse(readFileSync(file, "utf8")).version).toBe("2.1.0");
  });

  it("--quiet prints nothing and keeps the exit code", () => {
    expect(run([...CHECK, "--manifest", "m.yaml", "--quiet"])).toMatchObject({ code: 1, stdout: "" });
    expect(run([...CHECK, "--manifest", "clean.yaml", "-q"])).toMatchObject({ code: 0, stdout: "" });
  });

  it("--fail-on advisory fails on warnings too; the default fails on mandatory only; nothing lowers it", () => {
    // The clean manifest has one advisory violation: SOC 2 expires within 30 days.
    const clean = run([...CHECK, "--manifest", "clean.yaml", "--format", "json"]);
    expect(JSON.parse(clean.stdout).summary).toEqual({ mandatory: 0, advisory: 1, waived: 0 });
    expect(clean.code).toBe(0);
    expect(run([...CHECK, "--manifest", "clean.yaml", "--fail-on", "advisory"]).code).toBe(1);
    const lower = run([...CHECK, "--manifest", "m.yaml", "--fail-on", "none"]);
    expect(lower.code).toBe(2);
    expect(lower.stderr).toContain("argument 'none' is invalid");
  });

  it("reads the manifest from standard input with --manifest -, naming <stdin> in errors", () => {
    const text = readFileSync(join(dir, "m.yaml"), "utf8");
    const fromFile = JSON.parse(run([...CHECK, "--manifest", "m.yaml", "--format", "json"]).stdout);
    const r = run([...CHECK, "--manifest", "-", "--format", "json"], {}, text);
    expect(r.code).toBe(1);
    const fromStdin = JSON.parse(r.stdout);
    expect(fromStdin.summary).toEqual(fromFile.summary);
    expect(fromStdin.violations.map((v: { rule: string }) => v.rule)).toEqual(fromFile.violations.map((v: { rule: string }) => v.rule));
    const bad = run([...CHECK, "--manifest", "-"], {}, text.replace("user.device", "user.devise"));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^<stdin>:\d+:\d+ integrations\[0\]\.fields\[0\]\.category/m);
    expect(bad.stderr).not.toMatch(STACK_FRAME);
  });

  it("accepts --no-color and respects NO_COLOR; colour only when asked for or at a terminal", () => {
    const ESC = "\u001b[";
    const forced = run([...CHECK, "--manifest", "m.yaml"], { FORCE_COLOR: "1", NO_COLOR: "" });
    expect(forced.stdout).toContain(ESC);
    const flag = run([...CHECK, "--manifest", "m.yaml", "--no-color"], { FORCE_COLOR: "1", NO_COLOR: "" });
    expect(flag.code).toBe(1);
    expect(flag.stdout).not.toContain(ESC);
    expect(run(["--no-color", ...CHECK, "--manifest", "m.yaml"], { FORCE_COLOR: "1", NO_COLOR: "" }).stdout).not.toContain(ESC);
    expect(run([...CHECK, "--manifest", "m.yaml"], { FORCE_COLOR: "1", NO_COLOR: "1" }).stdout).not.toContain(ESC);
    // A pipe is not a terminal.
    expect(run([...CHECK, "--manifest", "m.yaml"], { NO_COLOR: "", FORCE_COLOR: "" }).stdout).not.toContain(ESC);
  });

  it("exits with the verdict and no EPIPE stack trace when the reader closes the pipe early (| head -1)", async () => {
    const child = spawn(process.execPath, [join(packageRoot, "bin", "vendorgate.js"), ...CHECK, "--manifest", "m.yaml", "--format", "sarif"], { cwd: dir });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // Read nothing and close: every write the CLI makes meets a closed pipe.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    expect(stderr).not.toContain("EPIPE");
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(code).toBe(1);
  });

  it("--now keeps the offset: the day is the UTC day of the instant, as the library reads it", () => {
    expect(parseNow("2026-12-15T23:30:00-05:00")).toBe("2026-12-16");
    expect(parseNow("2026-12-15T23:30:00-05:00")).toBe(isoDate("2026-12-15T23:30:00-05:00"));
    expect(parseNow("2026-12-16T01:00:00+02:00")).toBe("2026-12-15");
    // No offset: UTC, never the runner's local time zone.
    expect(parseNow("2026-12-15T23:30:00")).toBe("2026-12-15");
    expect(isoDate("2026-12-15T23:30:00")).toBe("2026-12-15");
    expect(() => parseNow("2026-12-15T25:00:00Z")).toThrow(/not a real date-time/);
    // SOC 2 expires 2026-12-10: on the 11th UTC it is expired (mandatory), the 10th late at night in New York is the 11th UTC.
    const late = run(["check", "--registry", "vendors.yaml", "--manifest", "clean.yaml", "--format", "json", "--now", "2026-12-10T23:30:00-05:00"]);
    const utc = run(["check", "--registry", "vendors.yaml", "--manifest", "clean.yaml", "--format", "json", "--now", "2026-12-11"]);
    expect(late.stdout).toBe(utc.stdout);
    expect(late.code).toBe(1);
  });
});

describe("repository-relative locations", () => {
  it("names files from the git top level in SARIF, JSON and annotations, wherever the command runs", () => {
    const dir = project("located");
    const sarif = JSON.parse(vendorgate([...CHECK, "--manifest", "m.yaml", "--format", "sarif"], {}, { cwd: dir }).stdout);
    const loc = sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation;
    expect(loc).toEqual({ uri: "deploy/m.yaml", uriBaseId: "%SRCROOT%" });
    const json = JSON.parse(vendorgate([...CHECK, "--manifest", "m.yaml", "--format", "json"], {}, { cwd: dir }).stdout);
    expect(json.violations.find((v: { field?: string }) => v.field === "properties.email").location).toEqual({ file: "deploy/m.yaml", line: 10, column: 9 });
    const gh = vendorgate([...CHECK, "--manifest", "m.yaml", "--format", "github"], {}, { cwd: dir }).stdout;
    expect(gh).toMatch(/^::error file=deploy\/m\.yaml,line=10,/m);
    // The same file named from the top gives the same URI.
    const fromTop = JSON.parse(vendorgate(["check", "--registry", "deploy/vendors.yaml", ...NOW, "--manifest", "deploy/m.yaml", "--format", "sarif"], {}, { cwd: join(dir, "..") }).stdout);
    expect(fromTop.runs[0].results).toEqual(sarif.runs[0].results);
  });

  it("uses the project root (vendorgate.yaml) outside a repository", () => {
    const dir = project("norepo", { git: false });
    const sarif = JSON.parse(vendorgate([...CHECK, "--manifest", "m.yaml", "--format", "sarif"], {}, { cwd: dir }).stdout);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("deploy/m.yaml");
  });
});

describe("names that are also JavaScript property names", () => {
  // A vendor or integration named like a property of Object.prototype must be an ordinary name:
  // found when registered, "not in the registry" when not, never a crash.
  for (const [label, inRegistry] of [
    ["registered", true],
    ["not registered", false],
  ] as const) {
    it(`handles a vendor and an integration named constructor (${label}) in every command`, () => {
      const dir = project(`proto-${label.replace(" ", "-")}`, { vendor: inRegistry ? "constructor" : "acme", integration: "constructor" });
      if (!inRegistry) writeFileSync(join(dir, "m.yaml"), manifest("constructor", "constructor", ["constructor:user.device", "__proto__:user.device"]));
      const commands = [
        ["check", "--manifest", "m.yaml", ...NOW],
        ...["ropa", "json", "cyclonedx"].map((f) => ["inventory", "--format", f, "--manifest", "m.yaml"]),
        ["exposure", "--vendor", "constructor", "--manifest", "m.yaml"],
        ["review", "--manifest", "m.yaml", ...NOW],
        ["report", "--out", join(scratch, `r-${label}.html`), "--manifest", "m.yaml", ...NOW],
        ["diff", "--base", "m.yaml", "--head", "clean.yaml", ...NOW],
        ["vendor", "list"],
      ];
      for (const args of commands) {
        const r = vendorgate([...args, "--registry", "vendors.yaml"], {}, { cwd: dir });
        expect(r.stderr, args.join(" ")).not.toContain("internal error");
        expect(r.stderr, args.join(" ")).not.toMatch(STACK_FRAME);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBeLessThanOrEqual(inRegistry || args[0] !== "exposure" ? 1 : 2);
      }
      // suspend lists the flows it blocks: from the manifest, as there is no backend here.
      const suspend = vendorgate(["vendor", "suspend", "constructor", "--reason", "test", "--registry", "vendors.yaml", "--manifest", "m.yaml"], {}, { cwd: dir });
      expect(suspend.stderr).not.toMatch(STACK_FRAME);
      if (inRegistry) {
        expect(suspend.code, suspend.stderr).toBe(0);
        expect(suspend.stdout).toMatch(/Now blocked \(VG002 vendor-not-approved\): 1 integration\(s\)/);
        expect(suspend.stdout).toMatch(/constructor/);
      } else {
        expect(suspend.code).toBe(2);
        expect(suspend.stderr).toContain('no vendor "constructor"');
      }
    });
  }
});
