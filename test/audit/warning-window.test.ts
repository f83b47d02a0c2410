// Issue 17: VG009's advisory window (30 days) was written again in `review` and the HTML report,
// so changing it in Rego would leave them disagreeing with the gate. The window is now the rule's
// METADATA (custom.warning_days), and review and the report read it from the bundle's catalogue.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runReview } from "../../src/commands/review.ts";
import { bundlePaths, buildBundle } from "../../src/engine/bundle.ts";
import type { Review } from "../../src/audit/review/review.ts";
import { packageRoot } from "../../src/paths.ts";
import { vendorgate } from "../cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-warning-window-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const fixture = (f: string) => join(packageRoot, "test/fixtures/incident", f);
const REGISTRY = fixture("review.registry.yaml");
const MANIFEST = fixture("review.manifest.yaml");
// paperless's SOC 2 report ends on 2026-12-10: 45 days after this date, outside 30, inside 60.
const NOW = "2026-10-26";

/** A policy root whose VG009 warns `days` ahead, built. */
function policyRoot(days: number): string {
  const root = join(scratch, `window-${days}`);
  // The product's rules only, as the shipped bundle holds: a policy root's custom folder would be compiled too.
  const skipped = ["pack", "custom"].map((d) => join("policies", d));
  cpSync(join(packageRoot, "policies"), join(root, "policies"), { recursive: true, filter: (src) => !skipped.some((d) => src.includes(d)) && !src.endsWith("_test.rego") });
  const rule = join(root, "policies/rules/assurance-expired/assurance_expired.rego");
  const text = readFileSync(rule, "utf8");
  expect(text).toContain("#   warning_days: 30\n");
  writeFileSync(rule, text.replace("#   warning_days: 30\n", `#   warning_days: ${days}\n`));
  buildBundle(bundlePaths(root, join(root, "build", "policy")));
  return root;
}

async function reviewSoc2(env: Record<string, string>): Promise<string> {
  const saved = process.env.VENDORGATE_POLICY_ROOT;
  if (env.VENDORGATE_POLICY_ROOT) process.env.VENDORGATE_POLICY_ROOT = env.VENDORGATE_POLICY_ROOT;
  try {
    let json = "";
    await runReview({ registry: REGISTRY, manifest: [MANIFEST], state: false, now: NOW, format: "json" }, (s) => (json += s), () => {});
    return (JSON.parse(json) as Review).vendors.find((v) => v.vendor === "paperless")!.assurance.soc2.state;
  } finally {
    if (saved === undefined) delete process.env.VENDORGATE_POLICY_ROOT;
    else process.env.VENDORGATE_POLICY_ROOT = saved;
  }
}

/** Whether the gate (check) gives paperless's flow the VG009 advisory for its SOC 2 report. */
function gateWarns(env: Record<string, string>): boolean {
  const r = vendorgate(["check", "--manifest", MANIFEST, "--registry", REGISTRY, "--now", NOW, "--format", "json"], env);
  const report = JSON.parse(r.stdout) as { violations: { rule: string; integration: string; severity: string; message: string }[] };
  return report.violations.some((v) => v.rule === "VG009" && v.integration === "paper" && v.severity === "advisory" && v.message.includes("SOC 2 report expires"));
}

describe("VG009's warning window has one source", () => {
  it("with the shipped 30 days, neither the gate nor review warns 45 days ahead", async () => {
    expect(gateWarns({})).toBe(false);
    expect(await reviewSoc2({})).toBe("valid");
  });

  it("with the window changed to 60 days in the rule's METADATA, both warn", async () => {
    const env = { VENDORGATE_POLICY_ROOT: policyRoot(60) };
    expect(gateWarns(env)).toBe(true);
    expect(await reviewSoc2(env)).toBe("expiring");
  });
});
