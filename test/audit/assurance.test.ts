import { describe, expect, it } from "vitest";
import { assuranceState } from "../../src/audit/assurance.ts";
import { assuranceWarningDays } from "../../src/engine/bundle.ts";
import { Engine } from "../../src/engine/engine.ts";
import { judge } from "../../src/engine/judge.ts";
import { normalizeRegistry } from "../../src/engine/normalize.ts";

/*
 * review and the HTML report say where each vendor's DPA and SOC 2 report stand (they speak of
 * vendors no flow sends to, which the engine never judges); for a vendor a flow does send to,
 * what they say must be VG009's verdict, on every day around its window.
 */

const NOW = "2026-11-29";
const day = (offset: number) => new Date(Date.parse(`${NOW}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);

describe("assurance states are VG009's verdicts", () => {
  it("for a DPA and a SOC 2 report expiring on each day from two before now to two past the window", async () => {
    const engine = await Engine.load();
    const window = assuranceWarningDays(engine.catalogue);
    const integration = {
      name: "flow",
      vendor: "v",
      purpose: "analytics.reporting",
      subjects: [],
      destination: { url: "https://api.v.example/e", region: "eu" },
      fields: [{ path: "os", category: "user.device", transform: "none" }],
    };
    const verdict = { expired: "mandatory", expiring: "advisory", valid: "none", missing: "mandatory" } as const;
    const disagreements: string[] = [];
    for (const kind of ["dpa", "soc2"] as const) {
      for (let offset = -2; offset <= window + 2; offset++) {
        const expires = day(offset);
        const assurance = kind === "dpa" ? { dpa: { expires } } : { dpa: { expires: day(window + 100) }, soc2: { expires } };
        engine.setRegistry(
          normalizeRegistry({
            prohibitedCategories: [],
            vendors: { v: { name: "V", status: "approved", domains: ["v.example"], regions: ["eu"], assurance, approvals: [{ purpose: "analytics", categories: ["user"] }] } },
          }),
        );
        const vg009 = judge(engine, { now: NOW, integrations: [integration] }).violations.filter((v) => v.rule === "VG009");
        const engineSays = vg009.length === 0 ? "none" : vg009.some((v) => v.severity === "mandatory") ? "mandatory" : "advisory";
        const state = assuranceState(expires, NOW, window).state;
        if (verdict[state] !== engineSays) disagreements.push(`${kind} expiring ${expires}: ${state}, VG009 ${engineSays}`);
      }
    }
    expect(disagreements).toEqual([]);
    // And a missing DPA is VG009 mandatory, as the states say.
    engine.setRegistry(
      normalizeRegistry({
        prohibitedCategories: [],
        vendors: { v: { name: "V", status: "approved", domains: ["v.example"], regions: ["eu"], assurance: {}, approvals: [{ purpose: "analytics", categories: ["user"] }] } },
      }),
    );
    expect(judge(engine, { now: NOW, integrations: [integration] }).violations.map((v) => [v.rule, v.severity])).toEqual([["VG009", "mandatory"]]);
    expect(assuranceState(undefined, NOW, window).state).toBe("missing");
  });
});
