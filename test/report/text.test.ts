import { describe, expect, it } from "vitest";
import { context, emptyReport, report } from "./fixture.ts";
import { formats } from "../../src/report/index.ts";

// Through `formats`, as the commands call them: that is where violations are put in order.
const formatText = formats.text;

describe("text", () => {
  it("matches the golden output", async () => {
    await expect(formatText(report, context)).toMatchFileSnapshot("golden/text.txt");
  });

  it("passes an empty report", async () => {
    await expect(formatText(emptyReport, context)).toMatchFileSnapshot("golden/text-empty.txt");
  });

  it("marks blocking, advisory and waived violations differently", () => {
    const out = formatText(report, context);
    expect(out).toContain("  ✖ VG004 category-not-approved  field properties.name: Category user.name");
    expect(out).toContain("  ! VG009 assurance-expired: SOC 2 evidence");
    expect(out).toContain("  ~ VG004 category-not-approved  field properties.email:");
    expect(out).toContain("    waived by EXC-42\n");
    expect(out).toContain("    at manifest.yaml:16:9\n");
    expect(out).toContain("  ✖ VG010 undeclared-egress  resource urn:pulumi:prod::shop::");
    expect(out.endsWith("\n4 mandatory, 2 advisory, 1 waived — deploy blocked\n")).toBe(true);
  });

  it("writes no escape codes unless asked", () => {
    expect(formatText(report, context)).not.toContain("\u001b");
    const coloured = formatText(report, { ...context, color: true });
    expect(coloured).toContain("\u001b[31m✖\u001b[0m");
    // eslint-disable-next-line no-control-regex -- stripping ANSI escapes is the point
    expect(coloured.replaceAll(/\x1b\[\d+m/g, "")).toBe(formatText(report, context));
  });

  it("neutralises control characters from the input", () => {
    const [first] = report.violations;
    const hostile = { violations: [{ ...first!, message: "a\u001b[2Jb\rc" }], summary: report.summary };
    const out = formatText(hostile, context);
    expect(out).not.toContain("\u001b");
    expect(out).not.toContain("\r");
    expect(out).toContain("a\\u001b[2Jb\\u000dc");
  });
});
