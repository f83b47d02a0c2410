import { describe, expect, it } from "vitest";
import { formatJson } from "../../src/report/json.ts";
import { context, emptyReport, report } from "./fixture.ts";

describe("json", () => {
  const out = formatJson(report, context);
  const doc = JSON.parse(out) as { violations: Record<string, unknown>[]; summary: Record<string, number> };

  it("matches the golden output", async () => {
    await expect(out).toMatchFileSnapshot("golden/report.json");
    await expect(formatJson(emptyReport, context)).toMatchFileSnapshot("golden/report-empty.json");
  });

  it("keeps the SPEC's key order, with optional keys where they belong", () => {
    expect(Object.keys(doc)).toEqual(["violations", "summary"]);
    expect(Object.keys(doc.summary)).toEqual(["mandatory", "advisory", "waived"]);
    const keys = doc.violations.map((v) => Object.keys(v).join(","));
    expect(keys).toContain("rule,name,severity,integration,message,remediation");
    expect(keys).toContain("rule,name,severity,integration,field,message,remediation");
    expect(keys).toContain("rule,name,severity,integration,field,message,remediation,waivedBy");
    expect(keys).toContain("rule,name,severity,integration,resource,message,remediation");
  });

  it("leaves optional keys out rather than null, and never leaks title or location", () => {
    expect(out).not.toContain("null");
    expect(out).not.toContain('"title"');
    expect(out).not.toContain('"location"');
  });

  it("keeps a waived violation's severity and counts it only as waived", () => {
    const waived = doc.violations.find((v) => v.waivedBy === "EXC-42");
    expect(waived?.severity).toBe("mandatory");
    expect(doc.summary).toEqual({ mandatory: 4, advisory: 2, waived: 1 });
  });

  it("sorts by integration, rule, field", () => {
    expect(doc.violations.map((v) => `${v.integration} ${v.rule} ${v.field ?? ""}`)).toEqual([
      "crm-sync VG012 ",
      "orphan-webhook VG010 ",
      "product-analytics VG005 properties.distinct_id",
      "product-analytics VG009 ",
      "product-analytics VG009 ",
      "support-chat VG004 properties.email",
      "support-chat VG004 properties.name",
    ]);
  });

  it("is indented by two spaces and ends with one newline", () => {
    expect(out.startsWith('{\n  "violations": [\n    {\n      "rule"')).toBe(true);
    expect(out.endsWith("}\n")).toBe(true);
    expect(out.endsWith("\n\n")).toBe(false);
  });
});
