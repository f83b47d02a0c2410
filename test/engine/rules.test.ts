// Every rule through the real WASM bundle: a declaration that passes it and one that fails it.
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { judge } from "../../src/engine/judge.ts";
import { normalizeRegistry, type DeclaredIntegration, type DeclaredRegistry, type JudgeRequest } from "../../src/engine/normalize.ts";

const NOW = "2026-11-29";

const registry: DeclaredRegistry = {
  prohibitedCategories: ["user.financial", "user.health_and_medical"],
  vendors: {
    mixpanel: {
      name: "Mixpanel",
      status: "approved",
      domains: ["mixpanel.com"],
      regions: ["us", "eu"],
      assurance: { dpa: { expires: "2027-06-30" }, soc2: { expires: "2027-05-31" } },
      approvals: [
        {
          purpose: "analytics.reporting",
          subjects: ["customer"],
          categories: ["user.device", "user.unique_id"],
          requireTransform: { "user.unique_id": ["hash", "pseudonymize"] },
        },
      ],
    },
    hubspot: {
      name: "HubSpot",
      status: "under_review",
      domains: ["hubspot.com"],
      regions: ["eu"],
      assurance: { dpa: { expires: "2027-06-30" } },
      approvals: [{ purpose: "marketing", categories: ["user.contact"] }],
    },
    lapsed: {
      name: "Lapsed",
      status: "approved",
      domains: ["lapsed.example"],
      regions: ["eu"],
      assurance: { dpa: { expires: "2026-11-28" }, soc2: { expires: "2026-12-20" } },
      approvals: [{ purpose: "analytics", categories: ["user.device"] }],
    },
  },
};

const base: DeclaredIntegration = {
  name: "analytics",
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
  credentials: { secret: true },
  fields: [
    { path: "properties.$os", category: "user.device", transform: "none" },
    { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
  ],
};

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.load();
  engine.setRegistry(normalizeRegistry(registry));
});

const run = (over: Partial<JudgeRequest> = {}, integration: Partial<DeclaredIntegration> = {}) =>
  judge(engine, { now: NOW, stack: { name: "prod", residency: ["eu"] }, integrations: [{ ...base, ...integration }], ...over });

const rulesOf = (r: ReturnType<typeof run>) => r.violations.map((v) => `${v.rule}:${v.severity}${v.field ? `:${v.field}` : ""}`);

describe("every rule has a passing and a failing case", () => {
  it("the baseline declaration passes every rule", () => {
    expect(run().violations).toEqual([]);
  });

  const cases: [string, Partial<DeclaredIntegration>, Partial<JudgeRequest>, string[]][] = [
    ["VG001 unknown vendor", { vendor: "fullstory" }, {}, ["VG001:mandatory"]],
    ["VG002 vendor under review", { vendor: "hubspot", purpose: "marketing.communications.email", destination: { url: "https://api.hubspot.com/x", region: "eu" }, fields: [{ path: "email", category: "user.contact.email" }] }, {}, ["VG002:mandatory"]],
    ["VG003 purpose not approved", { purpose: "marketing.advertising.third_party" }, {}, ["VG003:mandatory"]],
    ["VG003 subject not approved", { subjects: ["employee"] }, {}, ["VG003:mandatory"]],
    ["VG004 category not approved", { fields: [{ path: "properties.$email", category: "user.contact.email", transform: "none" }] }, {}, ["VG004:mandatory:properties.$email"]],
    ["VG005 transform required", { fields: [{ path: "properties.distinct_id", category: "user.unique_id", transform: "none" }] }, {}, ["VG005:mandatory:properties.distinct_id"]],
    ["VG006 prohibited category", { fields: [{ path: "iban", category: "user.financial.bank_account", transform: "hash" }] }, {}, ["VG006:mandatory:iban"]],
    ["VG007 region outside the vendor's", { destination: { url: "https://api-in.mixpanel.com/track", region: "in" } }, {}, ["VG007:mandatory", "VG007:mandatory"]],
    ["VG007 region outside the stack's residency", { destination: { url: "https://api.mixpanel.com/track", region: "us" } }, {}, ["VG007:mandatory"]],
    ["VG008 lookalike host", { destination: { url: "https://mixpanel.com.evil.io/track", region: "eu" } }, {}, ["VG008:mandatory"]],
    ["VG008 plain http", { destination: { url: "http://api-eu.mixpanel.com/track", region: "eu" } }, {}, ["VG008:mandatory"]],
    ["VG009 DPA expired, SOC 2 expiring", { vendor: "lapsed", purpose: "analytics.reporting", subjects: ["customer"], destination: { url: "https://in.lapsed.example/", region: "eu" }, fields: [{ path: "os", category: "user.device" }] }, {}, ["VG009:advisory", "VG009:mandatory"]],
    ["VG011 plaintext credential", { credentials: { secret: false } }, {}, ["VG011:mandatory"]],
    ["VG011 literal credential in the program", { credentials: { secret: true, source: "literal" } }, {}, ["VG011:mandatory"]],
    ["VG011 token in the destination query", { destination: { url: "https://api-eu.mixpanel.com/track?token=abc123", region: "eu" } }, {}, ["VG011:mandatory"]],
    ["VG011 passes a secret config value", { credentials: { secret: true, source: "secret-config" } }, {}, []],
    ["VG006 broad category above a prohibited one", { fields: [{ path: "u", category: "user" }] }, {}, ["VG004:mandatory:u", "VG006:mandatory:u"]],
    ["VG008 port the vendor does not use", { destination: { url: "https://api-eu.mixpanel.com:8443/track", region: "eu" } }, {}, ["VG008:mandatory"]],
  ];
  for (const [title, integration, over, expected] of cases) {
    it(title, () => {
      expect(rulesOf(run(over, integration)).sort()).toEqual(expected.sort());
    });
  }

  it("VG010 fires for egress no integration owns, and not for owned egress to the declared host", () => {
    const at = (url: string) => [{ via: "invocation endpoint", url }];
    const resource = { urn: "urn:pulumi:prod::p::aws:cloudwatch/eventApiDestination:EventApiDestination::x", type: "aws:cloudwatch/eventApiDestination:EventApiDestination", name: "x", sender: false, destinations: at("https://api-eu.mixpanel.com/track") };
    expect(rulesOf(run({ resources: [{ ...resource, integration: null }] }))).toEqual(["VG010:mandatory"]);
    expect(run({ resources: [{ ...resource, integration: "analytics" }] }).violations).toEqual([]);
    // Owned, but pointing elsewhere than declared: what leaves is not what was approved.
    expect(rulesOf(run({ resources: [{ ...resource, integration: "analytics", destinations: at("https://collector.example/t") }] }))).toEqual(["VG008:mandatory"]);
    // Parsers disagree on a backslash: refused, whatever WHATWG makes of it.
    expect(rulesOf(run({ resources: [{ ...resource, integration: "analytics", destinations: at("https://api-eu.mixpanel.com\\@evil.com/track") }] }))).toEqual(["VG008:mandatory"]);
    // Port 99999 is no port at all; owned, it is refused rather than passed as "no host".
    expect(rulesOf(run({ resources: [{ ...resource, integration: "analytics", destinations: at("https://api-eu.mixpanel.com:99999/track") }] }))).toEqual(["VG008:mandatory"]);
  });

  it("VG012 reports an expired exception and the violation it covered stands; an active one waives", () => {
    const integration = { credentials: { secret: false } };
    const expired = run({ exceptions: [{ id: "EXC-1", rule: "VG011", vendor: "mixpanel", integration: "analytics", expires: "2026-11-28" }] }, integration);
    expect(rulesOf(expired).sort()).toEqual(["VG011:mandatory", "VG012:advisory"]);
    expect(expired.summary).toEqual({ mandatory: 1, advisory: 1, waived: 0 });
    const active = run({ exceptions: [{ id: "EXC-2", rule: "VG011", vendor: "mixpanel", integration: "analytics", expires: NOW }] }, integration);
    expect(active.violations.map((v) => [v.rule, v.waivedBy])).toEqual([["VG011", "EXC-2"]]);
    expect(active.summary).toEqual({ mandatory: 0, advisory: 0, waived: 1 });
  });

  it("a disabled integration is not judged", () => {
    expect(run({}, { vendor: "fullstory", enabled: false }).violations).toEqual([]);
  });

  it("enforcement overrides change the level or drop the rule", () => {
    const integration = { credentials: { secret: false } };
    expect(rulesOf(run({ enforcement: { VG011: "advisory" } }, integration))).toEqual(["VG011:advisory"]);
    expect(run({ enforcement: { VG011: "disabled" } }, integration).violations).toEqual([]);
  });
});
