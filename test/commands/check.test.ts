import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundlePaths } from "../../src/engine/bundle.ts";
import { formatNames } from "../../src/report/index.ts";
import { EXAMPLE, EXAMPLE_EXCEPTIONS, EXAMPLE_REGISTRY } from "../../scripts/example.ts";
import { STACK_FRAME, vendorgate, vendorgateInProcess as run } from "../cli.ts";

/*
 * Most cases run the command in this process (vendorgateInProcess): they are about what check
 * says. Two spawn the real binary, for the exit codes a shell or CI sees: 1 for a blocked
 * manifest, and 2 for a policy that cannot load (fail closed, never a pass).
 */

const NOW = ["--now", "2026-11-29"];
/** The example's registry and waivers, named on the command line: judged by the product's rules only. */
const POLICY = ["--registry", EXAMPLE_REGISTRY, "--exceptions", EXAMPLE_EXCEPTIONS];
const INCIDENT = "examples/shop/manifests/incident.manifest.yaml";
const CLEAN = "examples/shop/manifests/clean.manifest.yaml";
const scratch = mkdtempSync(join(tmpdir(), "vendorgate-check-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("vendorgate check", () => {
  it("blocks the incident manifest (exit 1) with the expected verdicts", async () => {
    const r = vendorgate(["check", "--manifest", INCIDENT, ...POLICY, ...NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { violations: { rule: string; integration: string; field?: string; waivedBy?: string }[]; summary: unknown };
    // The product's rules only: it-helpdesk (employee data to the US) breaks no built-in rule.
    expect(out.summary).toEqual({ mandatory: 11, advisory: 3, waived: 1 });
    const keys = out.violations.map((v) => `${v.rule} ${v.integration} ${v.field ?? ""}`.trim());
    expect(keys).toEqual(
      expect.arrayContaining([
        "VG004 product-analytics properties.$email",
        "VG004 product-analytics properties.$name",
        "VG005 product-analytics properties.distinct_id",
        "VG006 session-replay events.input.iban",
        "VG002 marketing-sync",
        "VG011 marketing-sync",
      ]),
    );
    expect(out.violations.find((v) => v.field === "requester.phone")?.waivedBy).toBe("EXC-42");
    // The in-process runs below print what the binary prints, to the byte.
    expect((await run(["check", "--manifest", INCIDENT, ...POLICY, ...NOW, "--format", "json"])).stdout).toBe(r.stdout);
  });

  it("passes the clean manifest (exit 0)", async () => {
    const r = await run(["check", "--manifest", CLEAN, ...POLICY, ...NOW]);
    expect(r.code).toBe(0);
    // The advisory: EXC-17 (Mixpanel residency) matches nothing once the flow is fixed.
    expect(r.stdout).toMatch(/0 mandatory, 2 advisory, 1 waived/);
  });

  it.each(formatNames)("gives byte-identical %s output across runs", async (format) => {
    const a = await run(["check", "--manifest", INCIDENT, ...POLICY, ...NOW, "--format", format]);
    const b = await run(["check", "--manifest", INCIDENT, ...POLICY, ...NOW, "--format", format]);
    expect(a.code).toBe(1);
    expect(a.stdout.length).toBeGreaterThan(100);
    expect(b.stdout).toBe(a.stdout);
  });

  it("reports an unknown taxonomy key with file, line, column and path (exit 2, no stack trace)", async () => {
    const r = await run(["check", "--manifest", "test/fixtures/check/typo.manifest.yaml", ...POLICY, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/test\/fixtures\/check\/typo\.manifest\.yaml:14:19 integrations\[0\]\.fields\[1\]\.category: .*user\.contact\.emial/);
    expect(r.stderr).toMatch(/user\.contact\.email/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stdout).toBe("");
  });

  it.each([
    [["check", "--manifest", "no/such/file.yaml", ...POLICY], /no\/such\/file\.yaml/],
    [["check", "--manifest", CLEAN, ...POLICY, "--now", "2026-02-30"], /--now: "2026-02-30" is not a real date/],
    [["check", "--manifest", CLEAN, ...POLICY, "--format", "xml"], /xml/],
    [["check"], /--manifest/],
    [["check", "--manifest", CLEAN, "--registry", CLEAN], /examples\/shop\/manifests\/clean\.manifest\.yaml:\d+:\d+/],
  ])("rejects bad input %j with exit 2", async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("rejects an exception that tries to waive VG006 (exit 2)", async () => {
    const file = join(scratch, "exceptions.yaml");
    writeFileSync(file, "exceptions:\n  - id: EXC-9\n    rule: VG006\n    reason: x\n    approvedBy: a@b.example\n    expires: 2027-01-01\n");
    const r = await run(["check", "--manifest", CLEAN, "--registry", EXAMPLE_REGISTRY, ...NOW, "--exceptions", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exceptions\.yaml:3:\d+ exceptions\[0\]\.rule: .*VG006/);
  });

  it("applies vendorgate.yaml's enforcement override (--config-file), its paths relative to the file", async () => {
    const file = join(scratch, "vendorgate.yaml");
    cpSync(join(EXAMPLE, "policy"), join(scratch, "data"), { recursive: true, filter: (src) => !src.includes("rules") });
    writeFileSync(file, "apiVersion: vendorgate/v1\nregistry: data/vendors.yaml\nexceptions: data/exceptions.yaml\npolicy:\n  enforcement:\n    VG009: mandatory\n");
    const r = await run(["check", "--manifest", CLEAN, ...POLICY, ...NOW, "--config-file", file, "--format", "json"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary).toEqual({ mandatory: 1, advisory: 1, waived: 1 });
  });

  it("fails closed on a corrupt bundle: exit 2 with the reason, never a pass", () => {
    const dir = join(scratch, "bundle");
    cpSync(bundlePaths().dir, dir, { recursive: true });
    writeFileSync(join(dir, "policy.wasm"), "not wasm");
    const r = vendorgate(["check", "--manifest", CLEAN, ...POLICY, ...NOW], { VENDORGATE_BUNDLE_DIR: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policy fault.*fail closed.*digest mismatch/);
    expect(r.stdout).toBe("");
  });

  it("in the example project, judges with its vendorgate.yaml and its own rule ACME001 (compiled by vendorgate build)", () => {
    const r = vendorgate(["check", "--manifest", "manifests/incident.manifest.yaml", ...NOW, "--format", "json"], {}, { cwd: EXAMPLE });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { violations: { rule: string; integration: string; location?: { file: string } }[]; summary: unknown };
    expect(out.violations.filter((v) => v.rule === "ACME001").map((v) => v.integration)).toEqual(["it-helpdesk"]);
    expect(out.summary).toEqual({ mandatory: 12, advisory: 3, waived: 1 });
    // Locations are relative to the repository, wherever in it the command runs.
    expect(out.violations[0]?.location?.file).toBe("examples/shop/manifests/incident.manifest.yaml");
  });

  it("prints help with exit 0", async () => {
    const r = await run(["check", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--manifest <file>/);
    expect(r.stdout).toMatch(/Exit codes/);
  });
});
