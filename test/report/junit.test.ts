import { describe, expect, it } from "vitest";
import { escapeXmlAttr, escapeXmlText } from "../../src/report/junit.ts";
import { summarize } from "../../src/engine/summarize.ts";
import { context, emptyReport, report } from "./fixture.ts";
import { descendants, parseXml, type XmlElement } from "./xml.ts";
import { formats } from "../../src/report/index.ts";

// Through `formats`, as the commands call them: that is where violations are put in order.
const formatJunit = formats.junit;

function count(el: XmlElement, name: string): number {
  return descendants(el, name).length;
}

describe("junit", () => {
  const out = formatJunit(report, context);
  const root = parseXml(out);
  const suites = descendants(root, "testsuite");

  it("matches the golden output", async () => {
    await expect(out).toMatchFileSnapshot("golden/junit.xml");
    await expect(formatJunit(emptyReport, context)).toMatchFileSnapshot("golden/junit-empty.xml");
  });

  it("is well-formed XML with one suite per integration, judged or flagged", () => {
    expect(root.name).toBe("testsuites");
    expect(suites.map((s) => s.attrs.name)).toEqual(["crm-sync", "newsletter", "orphan-webhook", "product-analytics", "support-chat"]);
  });

  it("fails one testcase per unwaived mandatory violation: as many failures as the summary counts mandatory", () => {
    // orphan-webhook VG010, product-analytics VG005 and VG009, support-chat VG004 (name).
    expect(count(root, "failure")).toBe(report.summary.mandatory);
    expect(root.attrs.failures).toBe("4");
    const cases = descendants(root, "testcase").filter((c) => c.attrs.classname === "support-chat");
    expect(cases.map((c) => c.attrs.name)).toEqual(["VG004 category-not-approved: field properties.email", "VG004 category-not-approved: field properties.name"]);
    // Two violations of one rule are two cases: the waived email is skipped, the name fails.
    expect(cases[0]!.children[0]?.name).toBe("skipped");
    expect(cases[1]!.children[0]?.name).toBe("failure");
    expect(cases[1]!.children[0]?.text).toContain("properties.name");
  });

  it("does not merge violations of the same rule: 12 mandatory violations are 12 failures", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...report.violations[5]!, field: `properties.f${i}` }));
    const doc = parseXml(formatJunit({ violations: many, summary: summarize(many) }, context));
    expect(doc.attrs.failures).toBe("12");
    expect(count(doc, "failure")).toBe(12);
  });

  it("keeps counts in the attributes consistent with the cases", () => {
    for (const el of [root, ...suites]) {
      expect(el.attrs.tests).toBe(String(count(el, "testcase")));
      expect(el.attrs.failures).toBe(String(count(el, "failure")));
      expect(el.attrs.skipped).toBe(String(count(el, "skipped")));
      expect(el.attrs.errors).toBe("0");
    }
  });

  it("passes clean and advisory-only integrations, with the warning in system-out", () => {
    const crm = suites.find((s) => s.attrs.name === "crm-sync")!;
    expect(count(crm, "failure")).toBe(0);
    expect(descendants(crm, "system-out")[0]?.text).toContain("Exception EXC-7 expired");
    expect(descendants(crm, "testcase").map((c) => c.attrs.name)).toEqual([
      "VG012 exception-expired: Exception EXC-7 expired on 2026-01-31; the violation it covered stands.",
      "no blocking violation",
    ]);
    const newsletter = suites.find((s) => s.attrs.name === "newsletter")!;
    expect(descendants(newsletter, "testcase").map((c) => c.children.length)).toEqual([0]);
  });

  it("skips a case whose violations are all waived", () => {
    const onlyWaived = report.violations.filter((v) => v.waivedBy !== undefined);
    const doc = parseXml(formatJunit({ violations: onlyWaived, summary: summarize(onlyWaived) }, context));
    expect(descendants(doc, "skipped").map((s) => s.attrs.message)).toEqual(["waived by EXC-42"]);
    expect(doc.attrs.failures).toBe("0");
  });

  it("round-trips every character of a hostile message", () => {
    const v = report.violations.find((x) => x.rule === "VG005")!;
    const failure = descendants(root, "failure").find((f) => f.text.includes("user.unique_id"))!;
    expect(failure.text).toContain(v.message);
    expect(failure.attrs.message).toBe(v.message.split("\n")[0]);
  });

  it("escapes for text and attributes, and replaces what XML 1.0 cannot carry", () => {
    expect(escapeXmlText(`a<b>&"c"\r`)).toBe(`a&lt;b&gt;&amp;"c"&#13;`);
    expect(escapeXmlAttr(`"x"\n\ty`)).toBe("&quot;x&quot;&#10;&#9;y");
    expect(escapeXmlText("a\u0000b\u001bc\ud800d")).toBe("a\ufffdb\ufffdc\ufffdd");
    expect(escapeXmlText("emoji 😀 stays")).toBe("emoji 😀 stays");
    const hostile = { ...report.violations[0]!, message: "nul\u0000 esc\u001b" };
    expect(() => parseXml(formatJunit({ violations: [hostile], summary: summarize([hostile]) }, context))).not.toThrow();
  });

  it("reads an empty report as a pass, not as no tests", () => {
    const doc = parseXml(formatJunit(emptyReport, { ...context, integrations: [] }));
    expect(doc.attrs.tests).toBe("1");
    expect(doc.attrs.failures).toBe("0");
  });

  it("the checker rejects malformed XML", () => {
    const decl = '<?xml version="1.0" encoding="UTF-8"?>\n';
    expect(() => parseXml(`${decl}<a><b></a></b>`)).toThrow();
    expect(() => parseXml(`${decl}<a>x & y</a>`)).toThrow();
    expect(() => parseXml(`${decl}<a>x < y</a>`)).toThrow();
    expect(() => parseXml(`${decl}<a b="1" b="2"/>`)).toThrow();
    expect(() => parseXml(`${decl}<a>`)).toThrow();
    expect(() => parseXml(`<a/>`)).toThrow();
  });
});
