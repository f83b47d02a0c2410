// The first evaluation of a large input must not grow WebAssembly memory page by page: V8 runs a
// full garbage collection on each growth, which made the first evaluation of 10,000 integrations
// 14 times slower than a warm one. The engine sizes the instance for the input instead. Every field
// here is a violation: the most memory an input of this size can take.
import { describe, expect, it } from "vitest";
import { Engine, MEMORY_PAGES, pagesFor } from "../../src/engine/engine.ts";
import { judge } from "../../src/engine/judge.ts";
import { normalizeInput, normalizeRegistry, type DeclaredIntegration, type JudgeRequest } from "../../src/engine/normalize.ts";

const registry = normalizeRegistry({
  prohibitedCategories: ["user.financial"],
  vendors: {
    mixpanel: {
      name: "Mixpanel",
      status: "approved",
      domains: ["mixpanel.com"],
      regions: ["eu"],
      assurance: { dpa: { expires: "2027-06-30" }, soc2: { expires: "2027-05-31" } },
      approvals: [{ purpose: "analytics.reporting", categories: ["user.device"] }],
    },
  },
});

function request(n: number): JudgeRequest {
  const integrations: DeclaredIntegration[] = Array.from({ length: n }, (_, i) => ({
    name: `flow-${i}`,
    vendor: "mixpanel",
    purpose: "analytics.reporting",
    subjects: ["customer"],
    destination: { url: "https://api.mixpanel.com/track", region: "eu" },
    credentials: { secret: true },
    fields: Array.from({ length: 12 }, (_, f) => ({ path: `properties.f${f}`, category: "user.contact.email", transform: "none" as const })),
  }));
  return { now: "2026-11-29", integrations, exceptions: [], enforcement: {} };
}

describe("WebAssembly memory", () => {
  it("is sized from the input before evaluating, so OPA never has to grow it", async () => {
    const engine = await Engine.load();
    engine.setRegistry(registry);
    expect(engine.memoryPages).toBe(MEMORY_PAGES.initial);
    const req = request(300);
    const bytes = new TextEncoder().encode(JSON.stringify(normalizeInput(req))).byteLength;
    const report = judge(engine, req);
    expect(report.summary.mandatory).toBe(300 * 12);
    // Had OPA grown it, memory would be larger than what was sized for the input.
    expect(engine.memoryPages).toBe(pagesFor(bytes));
    expect(engine.memoryPages).toBeGreaterThan(MEMORY_PAGES.initial);
  });

  it("keeps the registry across a resize and reuses the sized instance for smaller inputs", async () => {
    const engine = await Engine.load();
    engine.setRegistry(registry);
    judge(engine, request(300));
    const sized = engine.memoryPages;
    const small = judge(engine, request(2));
    expect(small.summary.mandatory).toBe(24);
    expect(small.violations.every((v) => v.rule === "VG004")).toBe(true);
    expect(engine.memoryPages).toBe(sized);
  });
});
