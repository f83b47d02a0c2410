import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLEAN_MANIFEST, EXAMPLE, EXAMPLE_REGISTRY, INCIDENT_MANIFEST } from "../../scripts/example.ts";
import { STACK_FRAME, vendorgate as cli } from "../cli.ts";

/** The CLI in the example project, as its users run it (its vendorgate.yaml names the registry). */
const vendorgate = (args: readonly string[], env: Record<string, string> = {}) => cli(args, env, { cwd: EXAMPLE });

/*
 * Every command that prints a report takes --output FILE and --quiet, as check does: the file gets
 * exactly what standard output would have, standard output stays empty, and the exit code is the
 * same either way (a blocked diff or allow-list still exits 1 when quiet).
 */

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-output-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NOW = ["--now", "2026-11-29"];
const INCIDENT = INCIDENT_MANIFEST;
const CLEAN = CLEAN_MANIFEST;
// No Pulumi backend: the incident commands read the manifests only, so every run sees the same.
const env = { NO_COLOR: "1", VENDORGATE_BACKEND: "" };

const commands: [name: string, args: string[], code: number][] = [
  ["check", ["check", "--manifest", INCIDENT, ...NOW, "--format", "json"], 1],
  ["plan", ["plan", "--stack", "dev", ...NOW, "--format", "json"], 0],
  ["diff", ["diff", "--base", CLEAN, "--head", INCIDENT, ...NOW, "--format", "markdown"], 1],
  ["exposure", ["exposure", "--vendor", "mixpanel", "--manifest", INCIDENT, "--no-state", "--format", "json"], 0],
  ["review", ["review", "--manifest", CLEAN, "--no-state", ...NOW], 0],
  ["inventory", ["inventory", "--manifest", CLEAN, "--no-state", "--format", "cyclonedx"], 0],
  ["report", ["report", "--manifest", INCIDENT, "--no-state", ...NOW], 0],
  ["allowlist", ["allowlist", "--stack", "dev", ...NOW], 0],
  ["vendor list", ["vendor", "list", "--format", "json"], 0],
];

describe.concurrent("--output and --quiet on every command that prints a report", () => {
  it.each(commands)("%s: --output writes what standard output would show, --quiet prints nothing; the exit code stays", (name, args, code) => {
    const shown = vendorgate(args, env);
    expect(shown.stderr).not.toMatch(STACK_FRAME);
    expect(shown.code, shown.stderr).toBe(code);
    expect(shown.stdout.length).toBeGreaterThan(50);

    const file = join(scratch, `${name.replace(" ", "-")}.out`);
    const written = vendorgate([...args, "--output", file], env);
    expect(written.code, written.stderr).toBe(code);
    expect(written.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(shown.stdout);

    const quiet = vendorgate([...args, "--quiet"], env);
    expect(quiet.code, quiet.stderr).toBe(code);
    expect(quiet.stdout).toBe("");
  });

  it("vendor suspend and set-status write what they now block to --output, or nothing with --quiet, and still edit the registry", () => {
    const registry = join(scratch, "vendors.yaml");
    writeFileSync(registry, readFileSync(EXAMPLE_REGISTRY, "utf8"));
    const file = join(scratch, "suspend.txt");
    const args = ["--registry", registry, "--reason", "drill", "--by", "sec", ...NOW, "--manifest", INCIDENT, "--no-state"];
    const suspended = vendorgate(["vendor", "suspend", "mixpanel", ...args, "--output", file], env);
    expect(suspended).toMatchObject({ code: 0, stdout: "" });
    expect(readFileSync(file, "utf8")).toContain("Now blocked (VG002 vendor-not-approved)");
    const quiet = vendorgate(["vendor", "set-status", "mixpanel", "prohibited", ...args, "--quiet"], env);
    expect(quiet).toMatchObject({ code: 0, stdout: "" });
    expect(readFileSync(registry, "utf8")).toMatch(/ {2}mixpanel:\n {4}name: Mixpanel\n {4}status: prohibited\n/);
  });

  it("--output - is standard output, as in the tools people already use", () => {
    const args = ["vendor", "list", "--format", "json"];
    expect(vendorgate([...args, "-o", "-"], env).stdout).toBe(vendorgate(args, env).stdout);
  });

  it("an --output that cannot be written is an input error naming it (exit 2), and leaves no partial file", () => {
    const missing = join(scratch, "no-such-dir", "review.txt");
    const r = vendorgate(["review", "--manifest", CLEAN, "--no-state", ...NOW, "--output", missing], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--output ${missing}: cannot write it (ENOENT); nothing was written`);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stdout).toBe("");
  });

  it("refuses an --output that is one of the command's own inputs, leaving it as it was", () => {
    const dir = mkdtempSync(join(scratch, "inputs-"));
    const manifest = join(dir, "m.yaml");
    writeFileSync(manifest, readFileSync(CLEAN, "utf8"));
    for (const args of [
      ["check", "--manifest", manifest, ...NOW, "--output", manifest],
      ["diff", "--base", CLEAN, "--head", manifest, ...NOW, "--output", manifest],
      ["review", "--manifest", manifest, "--no-state", ...NOW, "-o", manifest],
    ]) {
      const r = vendorgate(args, env);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr).toMatch(/--output .*m\.yaml: is also the --(manifest|head) this command reads/);
      expect(readFileSync(manifest, "utf8")).toBe(readFileSync(CLEAN, "utf8"));
    }
  });

  it("replaces an existing --output file whole, never leaving a temporary file beside it", () => {
    const dir = mkdtempSync(join(scratch, "replace-"));
    const file = join(dir, "inventory.csv");
    writeFileSync(file, "old contents that are much longer than nothing at all\n".repeat(2000));
    const r = vendorgate(["inventory", "--manifest", CLEAN, "--no-state", "--output", file], env);
    expect(r.code).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(vendorgate(["inventory", "--manifest", CLEAN, "--no-state"], env).stdout);
    expect(readdirSync(dir)).toEqual(["inventory.csv"]);
  });

  it("report keeps --out, its old name, working; --out and --output naming different files is refused", () => {
    const file = join(scratch, "old-name.html");
    const r = vendorgate(["report", "--manifest", INCIDENT, "--no-state", ...NOW, "--out", file], env);
    expect(r.code).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("<!doctype html>");
    const both = vendorgate(["report", "--manifest", INCIDENT, "--no-state", ...NOW, "--out", file, "--output", `${file}.2`], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--out and --output name different files");
  });
});
