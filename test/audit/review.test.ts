import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/commands/check.ts";
import { runReport } from "../../src/commands/report.ts";
import { runReview } from "../../src/commands/review.ts";
import { approvalUsers, type Review } from "../../src/audit/review/review.ts";
import { Engine } from "../../src/engine/engine.ts";
import { judge } from "../../src/engine/judge.ts";
import { normalizeRegistry } from "../../src/engine/normalize.ts";
import { packageRoot } from "../../src/paths.ts";
import { advisoryVg002Registry, writeTidyProdBackend } from "../support/tidy-stack.ts";

const fixture = (f: string) => join(packageRoot, "test/fixtures/incident", f);
const NOW = "2026-11-29";

async function review(format: "text" | "json" | "markdown", extra: Record<string, unknown> = {}): Promise<string> {
  let s = "";
  await runReview(
    { registry: fixture("review.registry.yaml"), manifest: [fixture("review.manifest.yaml")], state: false, now: NOW, format, ...extra },
    (x) => (s += x),
    () => {},
  );
  return s;
}

describe("review", () => {
  it("finds each kind of problem and sorts vendors by risk", async () => {
    const r = JSON.parse(await review("json")) as Review;
    expect(r.vendors.map((v) => [v.vendor, v.risk.level, v.risk.score])).toEqual([
      ["expired", "high", 111],
      ["paperless", "high", 110],
      ["idle", "medium", 10],
      ["tidy", "none", 0],
    ]);
    const kinds = Object.fromEntries(r.vendors.map((v) => [v.vendor, v.findings.map((f) => f.kind)]));
    expect(kinds).toEqual({
      expired: ["dpa-expired", "identifier-untransformed", "unused-approval"],
      paperless: ["dpa-missing", "soc2-expiring"],
      idle: ["approved-without-integration"],
      tidy: [],
    });
    const expired = r.vendors[0]!;
    expect(expired.findings[1]).toMatchObject({ stack: "prod", integration: "stats", field: "uid", category: "user.unique_id" });
    expect(expired.assurance.dpa).toEqual({ expires: "2026-10-01", daysLeft: -59, state: "expired" });
    expect(r.vendors[1]!.assurance.soc2).toEqual({ expires: "2026-12-10", daysLeft: 11, state: "expiring" });
    expect(r.summary).toEqual({ high: 2, medium: 3, low: 1 });
  });

  it("does not call an approval broad when several of its children are used", async () => {
    const r = JSON.parse(await review("json")) as Review;
    // user.contact is approved and both email and phone are sent: narrowing would need two keys.
    expect(r.vendors[0]!.findings.some((f) => f.category === "user.contact")).toBe(false);
  });

  it("flags the example registry's broad Mixpanel approval and the unused Sentry one", async () => {
    const out = await review("text", {
      registry: join(packageRoot, "examples/shop/policy/vendors.yaml"),
      manifest: [join(packageRoot, "examples/shop/manifests/clean.manifest.yaml")],
    });
    expect(out).toContain(
      "broad-approval: user.location (Location Data) is approved for analytics.reporting, but only user.location.imprecise (Imprecise Subject Location) is sent: narrow the approval to user.location.imprecise",
    );
    expect(out).toMatch(/^sentry \(Sentry\)[\s\S]*?approved-without-integration/m);
  });

  it("flags an approval of a category broad enough to cover a prohibited one, and not a narrow one", async () => {
    const r = JSON.parse(await review("json", { registry: fixture("review-broad.registry.yaml"), manifest: [] })) as Review;
    const broad = r.vendors[0]!.findings.filter((f) => f.kind === "approval-covers-prohibited");
    expect(broad.map((f) => [f.severity, f.category, f.approval])).toEqual([["high", "user", 0]]);
    expect(broad[0]!.message).toContain("covers the prohibited user.financial, user.health_and_medical");
  });

  it("renders text, JSON and Markdown deterministically", async () => {
    for (const format of ["text", "json", "markdown"] as const) expect(await review(format)).toBe(await review(format));
    const md = await review("markdown");
    expect(md).toContain("| Expired Ltd (`expired`) | approved | 2026-10-01 (EXPIRED) | 2027-10-01 | 1 | high (111) |");
  });

  it("says when it had no flows to judge approvals against", async () => {
    const out = await review("text", { manifest: [] });
    expect(out).toContain("Flows from: none (pass --manifest or deploy a stack: every approval looks unused)");
  });
});

describe("review's blocked flows are the gate's verdict", () => {
  const dir = mkdtempSync(join(tmpdir(), "vendorgate-review-gate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const registry = join(dir, "vendors.yaml");
  const manifest = join(dir, "tidy.manifest.yaml");
  const exceptions = join(dir, "exceptions.yaml");
  const registryText = readFileSync(fixture("review.registry.yaml"), "utf8").replace(/( {2}tidy:\n {4}name: [^\n]*\n {4}status: )approved/, "$1suspended");
  writeFileSync(manifest, readFileSync(fixture("review.manifest.yaml"), "utf8").replace(/integrations:[\s\S]*( {2}- name: tidy\n)/, "integrations:\n$1"));
  writeFileSync(
    exceptions,
    "exceptions:\n  - id: EXC-1\n    rule: VG002\n    vendor: tidy\n    integration: tidy\n    reason: contract renewal signed, status update pending\n    approvedBy: privacy@example.com\n    expires: 2026-12-31\n",
  );

  async function verdicts(registryBody: string, extra: Record<string, unknown> = {}): Promise<{ review: string[]; check: number }> {
    writeFileSync(registry, registryBody);
    let json = "";
    await runReview({ registry, manifest: [manifest], state: false, now: NOW, format: "json", ...extra }, (x) => (json += x), () => {});
    const tidy = (JSON.parse(json) as Review).vendors.find((v) => v.vendor === "tidy")!;
    const check = await runCheck({ registry, manifest, now: NOW, ...extra }, () => {});
    return { review: tidy.findings.map((f) => f.kind), check };
  }

  it("blocked when the gate blocks: a suspended vendor's enabled flow", async () => {
    expect(registryText).toContain("status: suspended");
    expect(await verdicts(registryText)).toEqual({ review: ["blocked-flows"], check: 1 });
  });

  it("not blocked when an exception waives VG002 for the flow, as check passes it", async () => {
    expect(await verdicts(registryText, { exceptions })).toEqual({ review: [], check: 0 });
  });

  it("not blocked when the registry makes VG002 advisory", async () => {
    const advisory = registryText.replace("prohibitedCategories:", "policy:\n  enforcement: { VG002: advisory }\nprohibitedCategories:");
    expect(await verdicts(advisory)).toEqual({ review: [], check: 0 });
  });
});

describe("which approval a flow uses agrees with VG003", () => {
  // Every pairing of approval and flow purposes and subjects, narrower, equal, broader and apart:
  // review's approvalUsers finds an approval for a flow exactly when the engine raises no VG003.
  const purposes = ["analytics", "analytics.reporting", "marketing.advertising"];
  const subjects: (string[] | undefined)[] = [undefined, [], ["customer"], ["customer", "employee"], ["employee.applicant"], ["employee"]];
  it("for each pairing through the real WASM bundle", async () => {
    const engine = await Engine.load();
    const disagreements: string[] = [];
    for (const ap of purposes)
      for (const as of subjects) {
        const approval = { purpose: ap, categories: ["user.device"], ...(as && as.length ? { subjects: as } : {}) };
        engine.setRegistry(
          normalizeRegistry({
            prohibitedCategories: [],
            vendors: { v: { name: "V", status: "approved", domains: ["v.example"], regions: ["eu"], assurance: { dpa: { expires: "2030-01-01" } }, approvals: [approval] } },
          }),
        );
        for (const fp of purposes)
          for (const fs of subjects) {
            const integration = {
              name: "flow",
              vendor: "v",
              purpose: fp,
              subjects: fs ?? [],
              enabled: true,
              destination: { url: "https://api.v.example/e", region: "eu" },
              fields: [{ path: "os", category: "user.device", transform: "none" as const }],
            };
            const flow = { origin: "manifest" as const, file: "m.yaml", stack: undefined, integration };
            const engineSays = !judge(engine, { now: NOW, integrations: [integration] }).violations.some((v) => v.rule === "VG003");
            const reviewSays = approvalUsers(approval, [flow]).length === 1;
            if (engineSays !== reviewSays) disagreements.push(`${ap} ${JSON.stringify(as)} / ${fp} ${JSON.stringify(fs)}: engine ${engineSays}, review ${reviewSays}`);
          }
      }
    expect(disagreements).toEqual([]);
  });
});

describe("a stack file's own enforcement judges its state in review and the report, as in plan", () => {
  // Security makes VG002 advisory; the prod stack's file tightens it back to mandatory, which plan
  // and the pack apply (policy/stack.ts). Review and the report read the deployed state of that
  // stack and must call the suspended vendor's flow blocked too.
  const dir = mkdtempSync(join(tmpdir(), "vendorgate-review-stack-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "vendors.yaml"), advisoryVg002Registry((t) => t.replace(/( {2}tidy:\n {4}name: [^\n]*\n {4}status: )approved/, "$1suspended")));
  writeFileSync(join(dir, "vendorgate.yaml"), "apiVersion: vendorgate/v1\nregistry: vendors.yaml\n");
  writeFileSync(join(dir, "Pulumi.yaml"), "name: shop\nruntime: nodejs\n");
  const backend = writeTidyProdBackend(dir);
  const opts = { configFile: join(dir, "vendorgate.yaml"), backend, state: true, now: NOW };

  async function judged(): Promise<{ review: string[]; report: string }> {
    let json = "";
    await runReview({ ...opts, format: "json" }, (x) => (json += x), () => {});
    const tidy = (JSON.parse(json) as Review).vendors.find((v) => v.vendor === "tidy")!;
    const out = join(dir, "report.html");
    await runReport({ ...opts, output: out, quiet: true }, () => {}, () => {});
    const row = /<tr[^>]*>(?:(?!<\/tr>)[\s\S])*?\btidy\b[\s\S]*?<\/tr>/.exec(readFileSync(out, "utf8"))?.[0] ?? "";
    return { review: tidy.findings.map((f) => f.kind), report: /\bblocked\b/.test(row) ? "blocked" : /\badvisory\b/.test(row) ? "advisory" : row };
  }

  it("advisory where the stack file says nothing", async () => {
    rmSync(join(dir, "Pulumi.prod.yaml"), { force: true });
    expect(await judged()).toEqual({ review: [], report: "advisory" });
  });

  it("blocked where the stack file makes VG002 mandatory", async () => {
    writeFileSync(join(dir, "Pulumi.prod.yaml"), "config:\n  vendorgate:enforcement:\n    VG002: mandatory\n");
    expect(await judged()).toEqual({ review: ["blocked-flows"], report: "blocked" });
  });

  it("an unknown rule in the stack file is an input error at its line", async () => {
    writeFileSync(join(dir, "Pulumi.prod.yaml"), "config:\n  vendorgate:enforcement:\n    VG999: mandatory\n");
    await expect(runReview({ ...opts, format: "json" }, () => {}, () => {})).rejects.toThrow(/Pulumi\.prod\.yaml:3/);
  });
});
