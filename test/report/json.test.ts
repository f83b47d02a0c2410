import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { schemasDir } from "../../scripts/generate-schemas.ts";
import { context, emptyReport, report } from "./fixture.ts";
import { formats } from "../../src/report/index.ts";

// Through `formats`, as the commands call them: that is where violations are put in order.
const formatJson = formats.json;

describe("json", () => {
  const out = formatJson(report, context);
  const doc = JSON.parse(out) as { schemaVersion: number; violations: Record<string, unknown>[]; summary: Record<string, number> };

  it("matches the golden output", async () => {
    await expect(out).toMatchFileSnapshot("golden/report.json");
    await expect(formatJson(emptyReport, context)).toMatchFileSnapshot("golden/report-empty.json");
  });

  it("keeps the SPEC's key order, with optional keys where they belong", () => {
    expect(Object.keys(doc)).toEqual(["schemaVersion", "violations", "summary"]);
    expect(Object.keys(doc.summary)).toEqual(["mandatory", "advisory", "waived"]);
    const keys = doc.violations.map((v) => Object.keys(v).join(","));
    expect(keys).toContain("rule,name,severity,integration,message,remediation");
    expect(keys).toContain("rule,name,severity,integration,field,message,remediation,location");
    expect(keys).toContain("rule,name,severity,integration,field,message,remediation,waivedBy,location");
    expect(keys).toContain("rule,name,severity,integration,resource,message,remediation");
  });

  it("leaves optional keys out rather than null, and never leaks the title", () => {
    expect(out).not.toContain("null");
    expect(out).not.toContain('"title"');
  });

  it("carries a schema version and, where known, the file:line:column of each violation, from the repository root", () => {
    expect(doc.schemaVersion).toBe(1);
    const name = doc.violations.find((v) => v.field === "properties.name");
    expect(name?.location).toEqual({ file: "manifest.yaml", line: 16, column: 9 });
    expect(doc.violations.find((v) => v.rule === "VG010")?.location).toBeUndefined();
    const sub = JSON.parse(formatJson(report, { ...context, cwdFromRoot: "examples/shop" })) as typeof doc;
    expect(sub.violations.find((v) => v.field === "properties.name")?.location).toEqual({ file: "examples/shop/manifest.yaml", line: 16, column: 9 });
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
    expect(out.startsWith('{\n  "schemaVersion": 1,\n  "violations": [\n    {\n      "rule"')).toBe(true);
    expect(out.endsWith("}\n")).toBe(true);
    expect(out.endsWith("\n\n")).toBe(false);
  });

  it("validates against the published schemas/report.schema.json, which rejects what it should", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(`${schemasDir}/report.schema.json`, "utf8")) as object);
    for (const d of [doc, JSON.parse(formatJson(emptyReport, context))]) expect(validate(d), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...doc, schemaVersion: 2 })).toBe(false);
    expect(validate({ ...doc, violations: [{ ...doc.violations[0], severity: "fatal" }] })).toBe(false);
    expect(validate({ ...doc, violations: [{ ...doc.violations[0], location: { file: "m.yaml", line: 0 } }] })).toBe(false);
  });
});
