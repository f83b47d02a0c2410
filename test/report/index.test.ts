import { describe, expect, it } from "vitest";
import { formatPlanJson } from "../../src/commands/plan.ts";
import type { PlanResult } from "../../src/plan/plan.ts";
import { formatNames, formats, isFormatName } from "../../src/report/index.ts";
import { summarize } from "../../src/engine/summarize.ts";
import { context, emptyReport, report } from "./fixture.ts";

describe("formats", () => {
  it("registers exactly the SPEC's formats", () => {
    expect(Object.keys(formats)).toEqual([...formatNames]);
    expect(formatNames).toEqual(["text", "json", "sarif", "junit", "markdown", "github"]);
    expect(isFormatName("sarif")).toBe(true);
    expect(isFormatName("table")).toBe(false);
  });

  for (const name of formatNames) {
    describe(name, () => {
      const format = formats[name];

      it("ends with exactly one newline", () => {
        for (const r of [report, emptyReport]) {
          const out = format(r, context);
          expect(out.endsWith("\n")).toBe(true);
          expect(out.endsWith("\n\n")).toBe(false);
        }
      });

      it("gives the same bytes for the same violations in any order", () => {
        const reversed = [...report.violations].reverse();
        const rotated = [...report.violations.slice(3), ...report.violations.slice(0, 3)];
        const expected = format(report, context);
        expect(format({ violations: reversed, summary: summarize(reversed) }, context)).toBe(expected);
        expect(format({ violations: rotated, summary: summarize(rotated) }, { ...context, integrations: [...(context.integrations ?? [])].reverse() })).toBe(expected);
      });

      it("does not modify the report", () => {
        const before = JSON.stringify(report);
        format(report, context);
        expect(JSON.stringify(report)).toBe(before);
      });
    });
  }
});

describe("plan's JSON", () => {
  // judgeRecorded keeps the engine's order; plan's JSON, like every format, orders at the edge.
  it("gives the same bytes for the same violations in any order", () => {
    const plan = { stack: { name: "dev" }, declarations: [], egress: [] } as unknown as PlanResult;
    const reversed = [...report.violations].reverse();
    expect(formatPlanJson({ violations: reversed, summary: summarize(reversed) }, context, plan)).toBe(formatPlanJson(report, context, plan));
  });
});
