// Issue 15, tried as an attacker would: policy inputs a pull request could change must not change
// the verdict quietly. Each case here passed (exit 0, or a waiver) before the issue was fixed.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.ts";
import { STACK_FRAME, vendorgate } from "../cli.ts";

const NOW = ["--now", "2026-11-29"];
const scratch = mkdtempSync(join(tmpdir(), "vendorgate-policy-inputs-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const REGISTRY = join(packageRoot, "examples/shop/policy/vendors.yaml");
const EXCEPTIONS = join(packageRoot, "examples/shop/policy/exceptions.yaml");
const INCIDENT = join(packageRoot, "examples/shop/manifests/incident.manifest.yaml");
const CLEAN = join(packageRoot, "examples/shop/manifests/clean.manifest.yaml");

interface JsonViolation {
  rule: string;
  integration: string;
  field?: string;
  severity: string;
  waivedBy?: string;
  message: string;
  location?: { file: string; line: number };
}
interface JsonReport {
  violations: JsonViolation[];
  summary: { mandatory: number; advisory: number; waived: number };
  policy: { enforcement: { rule: string; level: string; source: string; file: string; line: number }[]; disabled: string[] };
}

let n = 0;
function write(name: string, text: string): string {
  const dir = join(scratch, `c${n++}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

/** A project folder with the checkout's registry and exceptions and this vendorgate.yaml tail. */
function project(tail: string): string {
  const dir = join(scratch, `p${n++}`);
  cpSync(join(packageRoot, "examples/shop/policy"), join(dir, "data"), { recursive: true, filter: (src) => !src.includes("rules") });
  writeFileSync(join(dir, "vendorgate.yaml"), `apiVersion: vendorgate/v1\nregistry: data/vendors.yaml\nexceptions: data/exceptions.yaml\n${tail}`);
  return join(dir, "vendorgate.yaml");
}

const checkJson = (args: string[]) => {
  const r = vendorgate(["check", ...args, ...NOW, "--format", "json"]);
  return { ...r, report: r.stdout ? (JSON.parse(r.stdout) as JsonReport) : undefined };
};

describe("VG006 can never be disabled", () => {
  it("check --config is gone: the option that took {VG006: disabled} is refused (exit 2)", () => {
    const config = write("config.yaml", "enforcement:\n  VG006: disabled\n");
    const r = vendorgate(["check", "--manifest", INCIDENT, "--registry", REGISTRY, "--config", config, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--config'/);
    expect(r.stdout).toBe("");
  });

  it("vendorgate.yaml disabling VG006 is an input error at its line (exit 2)", () => {
    const file = project("policy:\n  enforcement:\n    VG006: disabled\n");
    const r = vendorgate(["check", "--manifest", INCIDENT, "--config-file", file, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vendorgate\.yaml:6:5 policy\.enforcement\.VG006: VG006 is always mandatory/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("the registry lowering VG006 is an input error at its line (exit 2)", () => {
    const registry = write("vendors.yaml", `${readFileSync(REGISTRY, "utf8").trimEnd()}\npolicy:\n  enforcement:\n    VG006: advisory\n`);
    const r = vendorgate(["check", "--manifest", INCIDENT, "--registry", registry, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vendors\.yaml:\d+:5 policy\.enforcement\.VG006: VG006 is always mandatory/);
  });
});

describe("every output says which rules were disabled", () => {
  it("text, JSON and SARIF name the override, where it came from, and the disabled rule", () => {
    const file = project("policy:\n  enforcement:\n    VG009: disabled\n");
    const text = vendorgate(["check", "--manifest", CLEAN, "--config-file", file, ...NOW]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^enforcement overrides: VG009 disabled \(was \w+; project \S*vendorgate\.yaml:6\)$/m);
    expect(text.stdout).toMatch(/^disabled rules: VG009$/m);
    const json = checkJson(["--manifest", CLEAN, "--config-file", file]);
    expect(json.report?.policy.disabled).toEqual(["VG009"]);
    expect(json.report?.policy.enforcement).toEqual([expect.objectContaining({ rule: "VG009", level: "disabled", source: "project", line: 6 })]);
    const sarif = vendorgate(["check", "--manifest", CLEAN, "--config-file", file, ...NOW, "--format", "sarif"]);
    expect((JSON.parse(sarif.stdout) as { runs: { properties: { policy: { disabled: string[] } } }[] }).runs[0]!.properties.policy.disabled).toEqual(["VG009"]);
  });
});

// EXC-42 is approved for Zendesk phone numbers on support-chat (requester.phone). It matched on
// the integration's name, which the developer picks.
describe("exceptions match only the vendor, category or field and stacks they name (EXC-42)", () => {
  const attack = (vendor: string, url: string, purpose: string) =>
    write(
      "attack.manifest.yaml",
      [
        "apiVersion: vendorgate/v1",
        "stack:",
        "  name: prod-eu",
        "  residency: [eu]",
        "integrations:",
        "  - name: support-chat",
        `    vendor: ${vendor}`,
        `    purpose: ${purpose}`,
        "    subjects: [customer]",
        "    destination:",
        `      url: ${url}`,
        "      region: eu",
        "    credentials: { secret: true }",
        "    fields:",
        "      - path: requester.phone",
        "        category: user.criminal_history",
        "        transform: none",
        "",
      ].join("\n"),
    );

  it.each([
    ["to Mixpanel from an integration renamed support-chat", attack("mixpanel", "https://api-eu.mixpanel.com/track", "analytics.reporting")],
    ["to Zendesk under EXC-42's own integration and field", attack("zendesk", "https://acme.zendesk.com/api/v2/tickets", "essential.service.operations.support")],
  ])("does not waive user.criminal_history sent %s; EXC-42 is reported as matching nothing", (_what, manifest) => {
    const r = checkJson(["--manifest", manifest, "--registry", REGISTRY, "--exceptions", EXCEPTIONS]);
    expect(r.code).toBe(1);
    const blocked = r.report!.violations.find((v) => v.field === "requester.phone")!;
    expect(blocked).toMatchObject({ rule: "VG004", severity: "mandatory" });
    expect(blocked.waivedBy).toBeUndefined();
    expect(r.report!.summary.waived).toBe(0);
    const stale = r.report!.violations.find((v) => v.rule === "VG012" && v.message.includes("EXC-42"));
    expect(stale?.message).toMatch(/matches no violation/);
    expect(stale?.location).toMatchObject({ line: 8 });
  });
});

describe("exceptions are kept honest (VG012 at the exception's line)", () => {
  it("reports an exception whose integration name has a typo, and the violation it meant to cover stands", () => {
    const typo = write("exceptions.yaml", readFileSync(EXCEPTIONS, "utf8").replace("integration: support-chat", "integration: suport-chat"));
    const r = checkJson(["--manifest", INCIDENT, "--registry", REGISTRY, "--exceptions", typo]);
    expect(r.code).toBe(1);
    const finding = r.report!.violations.find((v) => v.rule === "VG012" && v.message.includes("EXC-42"));
    expect(finding).toMatchObject({ severity: "advisory", location: { file: typo, line: 8 } });
    expect(finding?.message).toMatch(/names integration suport-chat, which this stack does not declare/);
    expect(r.report!.violations.find((v) => v.field === "requester.phone")?.waivedBy).toBeUndefined();
  });

  // The choice: an exception beyond the registry's maximum lifetime (default 365 days) waives
  // nothing and is reported where it is, rather than stopping every build with an input error.
  it("refuses to honour expires: 2099-12-31 (over the 365-day maximum): it waives nothing and is reported", () => {
    const long = write("exceptions.yaml", readFileSync(EXCEPTIONS, "utf8").replace("expires: 2027-01-31", "expires: 2099-12-31"));
    const r = checkJson(["--manifest", INCIDENT, "--registry", REGISTRY, "--exceptions", long]);
    expect(r.code).toBe(1);
    expect(r.report!.violations.find((v) => v.field === "requester.phone")).toMatchObject({ rule: "VG004", severity: "mandatory" });
    expect(r.report!.violations.find((v) => v.field === "requester.phone")?.waivedBy).toBeUndefined();
    const finding = r.report!.violations.find((v) => v.rule === "VG012" && v.message.includes("EXC-42"));
    expect(finding?.message).toMatch(/expires on 2099-12-31, more than 365 days after 2026-11-29 .*so it waives nothing/);
    expect(finding?.location).toMatchObject({ file: long, line: 8 });
  });

  it("reports an exception that no longer matches anything (the flow was fixed)", () => {
    const fixed = write("fixed.manifest.yaml", readFileSync(INCIDENT, "utf8").replace(/\n {6}- path: requester\.phone\n {8}category: user\.contact\.phone_number\n {8}transform: none/, ""));
    const r = checkJson(["--manifest", fixed, "--registry", REGISTRY, "--exceptions", EXCEPTIONS]);
    const finding = r.report!.violations.find((v) => v.rule === "VG012" && v.message.includes("EXC-42"));
    expect(finding).toMatchObject({ severity: "advisory", location: { file: EXCEPTIONS, line: 8 } });
    expect(finding?.message).toMatch(/matches no violation in stack prod-eu/);
  });
});

describe("exceptions are bound to what they name", () => {
  const waiverOf = (r: ReturnType<typeof checkJson>) => r.report!.violations.find((v) => v.field === "requester.phone")?.waivedBy;

  it("EXC-42 waives Zendesk phone numbers on support-chat in prod-eu (the case it was approved for)", () => {
    expect(waiverOf(checkJson(["--manifest", INCIDENT, "--registry", REGISTRY, "--exceptions", EXCEPTIONS]))).toBe("EXC-42");
  });

  it("matches only the stacks it names", () => {
    const staging = write("exceptions.yaml", readFileSync(EXCEPTIONS, "utf8").replace("stacks: [prod, prod-eu]", "stacks: [staging]"));
    const r = checkJson(["--manifest", INCIDENT, "--registry", REGISTRY, "--exceptions", staging]);
    expect(waiverOf(r)).toBeUndefined();
    expect(r.report!.violations.find((v) => v.field === "requester.phone")).toMatchObject({ rule: "VG004", severity: "mandatory" });
    // Another stack's exception is that stack's business: not reported as stale here.
    expect(r.report!.violations.find((v) => v.rule === "VG012" && v.message.includes("EXC-42"))).toBeUndefined();
  });

  it("reports one naming a vendor the registry does not have", () => {
    const unknown = write("exceptions.yaml", readFileSync(EXCEPTIONS, "utf8").replace("vendor: zendesk", "vendor: zendesc"));
    const r = checkJson(["--manifest", INCIDENT, "--registry", REGISTRY, "--exceptions", unknown]);
    expect(waiverOf(r)).toBeUndefined();
    const finding = r.report!.violations.find((v) => v.rule === "VG012" && v.message.includes("EXC-42"));
    expect(finding?.message).toMatch(/zendesc/);
    expect(finding?.location).toMatchObject({ file: unknown, line: 8 });
  });

  it("applies the registry's maximum lifetime (policy.maxExceptionLifetimeDays) instead of 365 days", () => {
    // EXC-42 runs to 2027-01-31: 63 days after 2026-11-29.
    const registry = write("vendors.yaml", `${readFileSync(REGISTRY, "utf8").trimEnd()}\npolicy:\n  maxExceptionLifetimeDays: 30\n`);
    const r = checkJson(["--manifest", INCIDENT, "--registry", registry, "--exceptions", EXCEPTIONS]);
    expect(waiverOf(r)).toBeUndefined();
    expect(r.report!.violations.find((v) => v.rule === "VG012" && v.message.includes("EXC-42"))?.message).toMatch(/more than 30 days after 2026-11-29/);
  });
});

describe("repeated single-value options", () => {
  it.each([
    ["--manifest", [INCIDENT, CLEAN]],
    ["--registry", [REGISTRY, REGISTRY]],
  ])("check with %s given twice is refused (exit 2), never judging only the last", (flag, [a, b]) => {
    const args = flag === "--manifest" ? ["check", "--manifest", a!, "--manifest", b!, "--registry", REGISTRY] : ["check", "--manifest", INCIDENT, "--registry", a!, "--registry", b!];
    const r = vendorgate([...args, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${flag} was given more than once`);
    expect(r.stdout).toBe("");
  });
});
