// The incident drill of issue 8, end to end on temporary copies: a Mixpanel breach is announced;
// security suspends the vendor, the gate then blocks exactly the Mixpanel flows (check, a real
// Pulumi preview, and plan under mocks), exposure scopes what Mixpanel ever received (including a
// field an earlier deploy removed, which only the stack's history remembers), the notice names
// it, and the vendor review flags the over-broad approvals of the example registry.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/commands/check.ts";
import { runExposure } from "../../src/commands/exposure.ts";
import { runPlan } from "../../src/commands/plan.ts";
import { EXAMPLE } from "../../scripts/example.ts";
import { runDeploy, type DeployResult } from "../../src/commands/preview.ts";
import { runReview } from "../../src/commands/review.ts";
import { runSetStatus } from "../../src/commands/vendor.ts";
import type { Exposure } from "../../src/audit/exposure/exposure.ts";
import type { Review } from "../../src/audit/review/review.ts";
import { packageRoot } from "../../src/paths.ts";
import { openStack, type ProjectInfo } from "../../src/pulumi/workspace.ts";

const NOW = "2026-11-29";
const ORIGINAL = join(packageRoot, "examples/shop/policy/vendors.yaml");
const CLEAN = join(packageRoot, "examples/shop/manifests/clean.manifest.yaml");
const INCIDENT = join(packageRoot, "examples/shop/manifests/incident.manifest.yaml");

let scratch: string;
let registry: string;
let backend: string;
let drillProject: ProjectInfo;

function capture(): { out: (s: string) => void; text: () => string } {
  let buf = "";
  return { out: (s) => void (buf += s), text: () => buf };
}

/** Names of the integrations a VG002 violation blocks in `check --format json` of the manifest. */
async function vg002(manifest: string, registryFile: string): Promise<string[]> {
  const c = capture();
  await runCheck({ manifest, registry: registryFile, now: NOW, format: "json" }, c.out);
  const report = JSON.parse(c.text()) as { violations: { rule: string; integration: string; waivedBy?: string }[] };
  return [...new Set(report.violations.filter((v) => v.rule === "VG002" && !v.waivedBy).map((v) => v.integration))].sort();
}

/** The Mixpanel integrations a manifest declares with `enabled` not false, read from the file itself. */
function mixpanelFlows(manifest: string): string[] {
  const doc = parse(readFileSync(manifest, "utf8")) as { integrations: { name: string; vendor: string; enabled?: boolean }[] };
  return doc.integrations.filter((i) => i.vendor === "mixpanel" && i.enabled !== false).map((i) => i.name).sort();
}

const name = (urn: string | undefined) => urn?.split("::").at(-1);
const mandatoryOf = (r: DeployResult, policy: string) =>
  [...new Set(r.findings.filter((f) => f.level === "mandatory" && f.policy === policy).map((f) => name(f.urn)))].sort();

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "vendorgate-drill-"));
  registry = join(scratch, "vendors.yaml");
  copyFileSync(ORIGINAL, registry);
  backend = join(scratch, "backend");
  mkdirSync(backend);
  const root = join(scratch, "drill-project");
  mkdirSync(root);
  drillProject = { root, name: "drill-shop", main: join(packageRoot, "test/fixtures/incident/drill-program.ts"), stackConfigDir: root };

  // Before the gate existed: a deploy that identified users (email included), then the fix that
  // removed the email field. Only the first checkpoint still has it.
  const { stack } = await openStack("drill", { backendDir: backend, project: drillProject });
  await stack.setConfig("identifyUsers", { value: "true" });
  await stack.up();
  await stack.setConfig("identifyUsers", { value: "false" });
  await stack.up();
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("incident drill: Mixpanel is breached", () => {
  it("suspends Mixpanel on a copy of the registry and lists every flow and stack it now blocks", async () => {
    const before = readFileSync(registry, "utf8");
    const c = capture();
    const code = await runSetStatus(
      "mixpanel",
      "suspended",
      { reason: "Mixpanel breach: customer dataset exported (SEC-400)", by: "security@acme.example", registry, now: NOW, manifest: [CLEAN, INCIDENT], backend, state: true },
      c.out,
    );
    expect(code).toBe(0);
    const after = readFileSync(registry, "utf8");
    // Only the Mixpanel entry changed, and only its status lines: comments and layout stay.
    expect(after).toBe(
      before.replace(
        "  mixpanel:\n    name: Mixpanel\n    status: approved\n",
        "  mixpanel:\n    name: Mixpanel\n    status: suspended\n" +
          '    statusReason: "Mixpanel breach: customer dataset exported (SEC-400)"\n' +
          "    statusChanged: 2026-11-29\n" +
          "    statusBy: security@acme.example\n",
      ),
    );
    expect(after).not.toBe(before);
    expect(after).toContain("# user.location is broader than needed (imprecise location would do); narrowing it is SEC-305.");
    // The committed registry is untouched.
    expect(readFileSync(ORIGINAL, "utf8")).toContain("  mixpanel:\n    name: Mixpanel\n    status: approved\n");

    const text = c.text();
    expect(text).toContain("approved → suspended");
    expect(text).toMatch(/Now blocked \(VG002 vendor-not-approved\): 4 integration\(s\) in 3 stack\(s\)/);
    expect(text).toMatch(/drill\s+product-analytics\s+Pulumi state of drill/);
    expect(text).toMatch(/prod\s+product-analytics\s+examples\/shop\/manifests\/clean\.manifest\.yaml/);
    expect(text).toMatch(/prod-eu\s+ad-attribution\s+examples\/shop\/manifests\/incident\.manifest\.yaml/);
    expect(text).toMatch(/prod-eu\s+product-analytics\s+examples\/shop\/manifests\/incident\.manifest\.yaml/);
    expect(text).toContain("Blocked stacks: drill, prod, prod-eu");
    // Only the deployed one is still sending: the manifests' flows were never deployed here.
    expect(text).toMatch(/Still sending until their stack's next deploy: 1 integration\(s\) in deployed state/);
    expect(text).toMatch(/drill\s+product-analytics\s+https:\/\/api-eu\.mixpanel\.com\/track\s+deployed 20\d\d-/);
    expect(text).not.toContain("support-chat");
  });

  it("check is blocked with VG002 for exactly the Mixpanel flows", async () => {
    for (const manifest of [CLEAN, INCIDENT]) {
      const before = await vg002(manifest, ORIGINAL);
      const after = await vg002(manifest, registry);
      const added = after.filter((n) => !before.includes(n));
      expect(added, manifest).toEqual(mixpanelFlows(manifest));
      // Nothing that was blocked for another reason changes (HubSpot is still under review).
      expect(after.filter((n) => before.includes(n))).toEqual(before);
    }
    expect(mixpanelFlows(INCIDENT)).toEqual(["ad-attribution", "product-analytics"]);
  });

  it("a real preview of the example stacks is blocked with VG002 on the Mixpanel flow only", async () => {
    const opts = { backend, registry, now: NOW, stream: false, project: EXAMPLE };
    const [dev, prod] = await Promise.all([
      runDeploy("preview", { stack: "dev", ...opts }, () => {}),
      runDeploy("preview", { stack: "prod", ...opts }, () => {}),
    ]);
    expect(dev.error).toBeUndefined();
    expect(dev.ok).toBe(false);
    // dev passed before the suspension (test/e2e): its only mandatory finding now is VG002 on Mixpanel.
    expect(dev.findings.filter((f) => f.level === "mandatory").map((f) => [f.policy, name(f.urn)])).toEqual([["vendor-not-approved", "product-analytics"]]);
    expect(prod.error).toBeUndefined();
    // prod also sends to HubSpot, under review before the drill; that VG002 names HubSpot, not Mixpanel.
    expect(mandatoryOf(prod, "vendor-not-approved")).toEqual(["marketing-sync", "product-analytics"]);
    const mixpanel = prod.findings.filter((f) => f.policy === "vendor-not-approved" && f.message.includes("mixpanel"));
    expect(mixpanel.map((f) => name(f.urn))).toEqual(["product-analytics"]);
    expect(mixpanel[0]!.message).toContain("Vendor mixpanel has status suspended (Mixpanel breach: customer dataset exported (SEC-400))");
  }, 240_000);

  it("plan (the program under mocks) is blocked with VG002 on the Mixpanel flow only", async () => {
    const before = capture();
    const after = capture();
    const opts = { stack: "dev", format: "json" as const, decrypt: true, backend, now: NOW, project: EXAMPLE };
    expect(await runPlan({ ...opts, registry: ORIGINAL }, before.out)).toBe(0);
    expect(await runPlan({ ...opts, registry }, after.out)).toBe(1);
    const mandatory = (text: string) =>
      (JSON.parse(text) as { violations: { rule: string; integration: string; severity: string; waivedBy?: string }[] }).violations
        .filter((v) => v.severity === "mandatory" && !v.waivedBy)
        .map((v) => `${v.rule} ${v.integration}`);
    expect(mandatory(before.text())).toEqual([]);
    expect(mandatory(after.text())).toEqual(["VG002 product-analytics"]);
  }, 120_000);

  it("exposure finds a field that only the stack's history still has", async () => {
    const c = capture();
    await runExposure({ vendor: "mixpanel", format: "json", registry, manifest: [CLEAN], backend, state: true }, c.out);
    const e = JSON.parse(c.text()) as Exposure;
    const email = e.categories.find((x) => x.key === "user.contact.email");
    expect(email).toMatchObject({ active: false, fields: ["properties.$email"] });
    expect(email?.removed).toMatch(/^2\d{3}-\d{2}-\d{2}T/);
    expect(email?.ancestors.map((a) => a.key)).toEqual(["user", "user.contact"]);
    const emailRecords = e.records.filter((r) => r.category === "user.contact.email");
    expect(emailRecords.map((r) => [r.stack, r.integration, r.field, r.origins])).toEqual([["drill", "product-analytics", "properties.$email", ["history"]]]);
    // The drill's Zendesk flow is another vendor's and stays out of Mixpanel's scope.
    expect(e.records.every((r) => r.integration === "product-analytics")).toBe(true);
    expect(e.sources.checkpoints).toBe(2);
    expect(e.stacks.map((s) => s.stack)).toEqual(["drill", "prod"]);

    // --since after the removal leaves it out; the flows still deployed stay.
    const later = capture();
    await runExposure({ vendor: "mixpanel", format: "json", registry, manifest: [CLEAN], backend, state: true, since: "2099-01-01" }, later.out);
    const l = JSON.parse(later.text()) as Exposure;
    expect(l.categories.map((x) => x.key)).not.toContain("user.contact.email");
    expect(l.categories.map((x) => x.key)).toContain("user.location.imprecise");
  });

  it("exposure lists the incident's categories, and the notice names them in plain words", async () => {
    const c = capture();
    await runExposure({ vendor: "mixpanel", format: "json", registry, manifest: [INCIDENT], backend, state: true }, c.out);
    const e = JSON.parse(c.text()) as Exposure;
    // Names, email addresses, approximate location, OS/browser, referrer, organization and user IDs.
    expect(e.categories.map((x) => x.key)).toEqual(
      expect.arrayContaining([
        "user.name",
        "user.contact.email",
        "user.location.imprecise",
        "user.device",
        "user.behavior.browsing_history",
        "user.contact.organization",
        "user.unique_id",
      ]),
    );
    expect(e.subjects.map((s) => s.key)).toEqual(["customer"]);
    // Scheme and host only: a path or query may carry a token, and the notice is sent out.
    expect(e.endpoints.map((p) => p.url)).toEqual(["https://api-eu.mixpanel.com", "https://api.mixpanel.com"]);

    const n = capture();
    await runExposure({ vendor: "mixpanel", format: "notice", registry, manifest: [INCIDENT], backend, state: true }, n.out);
    const notice = n.text();
    for (const words of ["Name", "Email address", "Approximate location", "Device information", "Browsing history", "Organization", "User ID"]) {
      expect(notice).toMatch(new RegExp(`^- ${words}`, "m"));
    }
    expect(notice).toContain("# Draft notice: personal data shared with Mixpanel");
    // Suspending blocks deploys; the drill stack's deployed pipeline still sends until its next up.
    expect(notice).not.toContain("We stopped sending data to Mixpanel");
    expect(notice).toContain(
      "On 2026-11-29 we suspended our use of Mixpanel: no new release of our systems may send data to it. One of our systems that was already sending data to Mixpanel continues to do so until it is redeployed without it.",
    );
    expect(notice).toMatch(/our deploy records begin on 2\d{3}-\d{2}-\d{2}/);
  });

  it("review flags the over-broad approvals of the example registry", async () => {
    const c = capture();
    await runReview({ registry, now: NOW, format: "json", manifest: [CLEAN], backend, state: true }, c.out);
    const r = JSON.parse(c.text()) as Review;
    const mixpanel = r.vendors.find((v) => v.vendor === "mixpanel")!;
    expect(mixpanel.findings).toContainEqual(
      expect.objectContaining({ kind: "broad-approval", category: "user.location", suggestion: ["user.location.imprecise"] }),
    );
    // Suspended with flows still declared: the riskiest vendor of the review.
    expect(mixpanel.findings[0]).toMatchObject({ kind: "blocked-flows", severity: "high" });
    expect(r.vendors[0]!.vendor).toBe("mixpanel");
    const sentry = r.vendors.find((v) => v.vendor === "sentry")!;
    expect(sentry.findings.map((f) => f.kind)).toContain("approved-without-integration");
    expect(sentry.integrations).toEqual([]);
  });
});
