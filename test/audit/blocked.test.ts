import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/commands/check.ts";
import { runSetStatus } from "../../src/commands/vendor.ts";
import { packageRoot } from "../../src/paths.ts";
import { advisoryVg002Registry, writeTidyProdBackend } from "../support/tidy-stack.ts";

/*
 * What `vendor suspend` says it blocked is what `check` then blocks: the engine's VG002 with the
 * project's exceptions and enforcement levels, not the status read again. When the policy cannot
 * load, the switch still works and says its list comes from the status alone.
 */

const fixture = (f: string) => join(packageRoot, "test/fixtures/incident", f);
const NOW = "2026-11-29";
const root = mkdtempSync(join(tmpdir(), "vendorgate-blocked-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const waiver =
  "exceptions:\n  - id: EXC-1\n    rule: VG002\n    vendor: tidy\n    integration: tidy\n    reason: contract renewal signed, status update pending\n    approvedBy: privacy@example.com\n    expires: 2026-12-31\n";

/** A project whose registry approves `tidy`, one flow to it, and the given exceptions file. */
function project(name: string, exceptions: string) {
  const dir = join(root, name);
  const configFile = join(dir, "vendorgate.yaml");
  const manifest = join(dir, "tidy.manifest.yaml");
  const files: Record<string, string> = {
    "vendorgate.yaml": "apiVersion: vendorgate/v1\nregistry: vendors.yaml\nexceptions: exceptions.yaml\n",
    "vendors.yaml": readFileSync(fixture("review.registry.yaml"), "utf8"),
    "exceptions.yaml": exceptions,
    "tidy.manifest.yaml": readFileSync(fixture("review.manifest.yaml"), "utf8").replace(/integrations:[\s\S]*( {2}- name: tidy\n)/, "integrations:\n$1"),
  };
  mkdirSync(dir);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return { configFile, manifest };
}

async function suspend(p: { configFile: string; manifest: string }): Promise<{ said: string; code: number; check: number | string }> {
  let said = "";
  const code = await runSetStatus("tidy", "suspended", { reason: "breach", by: "sec", configFile: p.configFile, manifest: [p.manifest], state: false, now: NOW }, (s) => (said += s), () => {});
  const check = await runCheck({ configFile: p.configFile, manifest: p.manifest, now: NOW }, () => {}).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
  return { said, code, check };
}

describe("vendor suspend lists what the gate blocks", () => {
  it("an enabled flow with nothing to let it through: blocked by both", async () => {
    const r = await suspend(project("plain", "exceptions: []\n"));
    expect(r.said).toContain("Now blocked (VG002 vendor-not-approved): 1 integration(s) in 1 stack(s)");
    expect([r.code, r.check]).toEqual([0, 1]);
  });

  it("a flow an exception waives: not listed as blocked, since check lets it through", async () => {
    const r = await suspend(project("waived", waiver));
    expect(r.said).toContain("Now blocked (VG002 vendor-not-approved): 0 integration(s) in 0 stack(s)");
    expect(r.said).toMatch(/Not blocked despite the status: 1 integration\(s\) the gate lets through\n {2}prod +tidy +waived by EXC-1\n/);
    expect([r.code, r.check]).toEqual([0, 0]);
  });

  it("a policy that cannot load: the status alone answers, and the output says so", async () => {
    const r = await suspend(project("broken", "exceptions: [\n"));
    expect(r.said).toContain("Now blocked (VG002 vendor-not-approved): 1 integration(s) in 1 stack(s)");
    expect(r.said).toMatch(/by the status alone: the policy could not be loaded to apply exceptions and enforcement levels \(.*exceptions\.yaml:2:1 /);
    expect(r.code).toBe(0);
    expect(r.check).toMatch(/exceptions\.yaml:2:1 /);
  });
});

describe("vendor suspend judges a stack's state with its stack file's own levels", () => {
  // Security makes VG002 advisory; prod's stack file makes it mandatory, as plan and review apply.
  function stackProject(name: string, stackFile: string | undefined) {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeTidyProdBackend(dir);
    const files: Record<string, string> = {
      "vendorgate.yaml": "apiVersion: vendorgate/v1\nregistry: vendors.yaml\nbackend: file://backend\n",
      "vendors.yaml": advisoryVg002Registry(),
      "Pulumi.yaml": "name: shop\nruntime: nodejs\n",
      ...(stackFile === undefined ? {} : { "Pulumi.prod.yaml": stackFile }),
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return join(dir, "vendorgate.yaml");
  }
  const said = async (configFile: string) => {
    let s = "";
    await runSetStatus("tidy", "suspended", { reason: "breach", by: "sec", configFile, state: true, now: NOW }, (x) => (s += x), () => {});
    return s;
  };

  it("let through where the stack file says nothing", async () => {
    expect(await said(stackProject("stack-silent", undefined))).toContain("Now blocked (VG002 vendor-not-approved): 0 integration(s) in 0 stack(s)");
  });

  it("blocked where the stack file makes VG002 mandatory", async () => {
    expect(await said(stackProject("stack-strict", "config:\n  vendorgate:enforcement:\n    VG002: mandatory\n"))).toContain("Now blocked (VG002 vendor-not-approved): 1 integration(s) in 1 stack(s)");
  });
});
