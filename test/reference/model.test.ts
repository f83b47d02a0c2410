import { describe, expect, it } from "vitest";
import type { DeclaredIntegration, DeclaredRegistry } from "../../src/engine/normalize.ts";
import { referenceJudge, tupleKeys, type ModelRequest, type ModelViolation } from "./model.ts";

/*
 * The differential test only shows that the model and the WASM agree. These cases pin the model to
 * SPEC.md by hand, so that both cannot drift the same way unnoticed.
 */

// The registry and the declaration of SPEC section 1, verbatim.
const registry: DeclaredRegistry = {
  prohibitedCategories: ["user.authorization", "user.financial", "user.health_and_medical", "user.biometric", "user.government_id", "user.childrens"],
  vendors: {
    mixpanel: {
      name: "Mixpanel",
      status: "approved",
      domains: ["mixpanel.com"],
      regions: ["us", "eu", "in"],
      assurance: { dpa: { expires: "2027-06-30" }, soc2: { expires: "2026-12-31" } },
      approvals: [
        {
          purpose: "analytics.reporting",
          subjects: ["customer"],
          categories: ["user.device", "user.behavior", "user.unique_id"],
          requireTransform: { "user.unique_id": ["hash", "pseudonymize"] },
        },
      ],
    },
  },
};

const analytics: DeclaredIntegration = {
  name: "product-analytics",
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  enabled: true,
  destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
  credentials: { secret: true },
  fields: [
    { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
    { path: "properties.$os", category: "user.device", transform: "none" },
  ],
};

const run = (over: Partial<ModelRequest> = {}) => tupleKeys(referenceJudge({ registry, now: "2026-11-29", integrations: [analytics], ...over }));
const keys = (...vs: ModelViolation[]) => tupleKeys(vs);
const v = (rule: string, extra: Partial<ModelViolation> = {}): ModelViolation => ({
  rule,
  integration: "product-analytics",
  severity: "mandatory",
  ...extra,
});

describe("reference model, by hand from SPEC.md", () => {
  it("passes the SPEC's own example while SOC 2 is more than 30 days out", () => {
    expect(run()).toEqual([]);
  });

  it("turns SOC 2 advisory at exactly 30 days and mandatory the day after it expires", () => {
    expect(run({ now: "2026-12-01" })).toEqual(keys(v("VG009", { severity: "advisory" })));
    expect(run({ now: "2026-12-31" })).toEqual(keys(v("VG009", { severity: "advisory" })));
    expect(run({ now: "2027-01-01" })).toEqual(keys(v("VG009")));
  });

  it("wants the transform, and knows user.device.cookie does not cover user.device.cookie_id", () => {
    const fields = [
      { path: "id", category: "user.unique_id.pseudonymous" },
      { path: "cookie", category: "user.device.cookie_id", transform: "hash" },
      { path: "email", category: "user.contact.email" },
      { path: "card", category: "user.financial.credit_card" },
    ];
    const req = {
      registry: { ...registry, prohibitedCategories: ["user.device.cookie", "user.financial"] },
      integrations: [{ ...analytics, fields }],
    };
    expect(run(req)).toEqual(keys(v("VG005", { field: "id" }), v("VG004", { field: "email" }), v("VG006", { field: "card" })));
  });

  it("checks scheme and host separately, and an unknown vendor silences all but VG006 and VG011", () => {
    const http = { ...analytics, destination: { url: "http://mixpanel.com.evil.io/", region: "ap" } };
    expect(run({ integrations: [http] })).toEqual(keys(v("VG007"), v("VG008"), v("VG008")));
    const unknown = { ...http, vendor: "segment", credentials: { secret: false }, fields: [{ path: "p", category: "user.financial" }] };
    expect(run({ integrations: [unknown] })).toEqual(keys(v("VG001"), v("VG006", { field: "p" }), v("VG011")));
  });

  it("waives with the smallest live id, reports each expired one, and never waives VG006", () => {
    const exceptions = [
      { id: "EXC-2", rule: "VG011", vendor: "mixpanel", expires: "2027-01-01" },
      { id: "EXC-10", rule: "VG011", vendor: "mixpanel", integration: "product-analytics", expires: "2026-11-29" },
      { id: "EXC-3", rule: "VG002", vendor: "mixpanel", expires: "2026-11-28" },
      { id: "EXC-4", rule: "VG006", vendor: "mixpanel", expires: "2027-01-01" },
    ];
    const integrations = [{ ...analytics, credentials: { secret: false }, fields: [{ path: "p", category: "user.financial" }] }];
    const suspended = { ...registry, vendors: { mixpanel: { ...registry.vendors.mixpanel!, status: "suspended" } } };
    expect(run({ registry: suspended, integrations, exceptions, enforcement: { VG012: "mandatory" } })).toEqual(
      keys(
        v("VG011", { waivedBy: "EXC-10" }),
        v("VG002"),
        v("VG012"),
        v("VG006", { field: "p" }),
        // EXC-4 cannot waive VG006, so it matches nothing: reported too.
        v("VG012", { integration: "(exceptions)" }),
      ),
    );
  });
});
