import { describe, expect, it } from "vitest";
import { escapeData, escapeProperty, formatGithub } from "../../src/report/github.ts";
import { summarize } from "../../src/engine/summarize.ts";
import { context, emptyReport, report } from "./fixture.ts";

describe("github", () => {
  const out = formatGithub(report, context);
  const lines = out.trimEnd().split("\n");

  it("matches the golden output", async () => {
    await expect(out).toMatchFileSnapshot("golden/annotations.txt");
    await expect(formatGithub(emptyReport, context)).toMatchFileSnapshot("golden/annotations-empty.txt");
  });

  it("writes one command a violation, on one line each, then the summary", () => {
    expect(lines).toHaveLength(report.violations.length + 1);
    expect(lines.filter((l) => l.startsWith("::error ")).length).toBe(4);
    expect(lines.filter((l) => l.startsWith("::warning ")).length).toBe(2);
    expect(lines.filter((l) => l.startsWith("::notice ")).length).toBe(1);
    expect(lines.at(-1)).toBe("4 mandatory, 2 advisory, 1 waived — deploy blocked");
  });

  it("points at file, line and column, and titles with the rule", () => {
    expect(lines).toContain(
      "::error file=manifest.yaml,line=16,col=9,title=VG004 category-not-approved::support-chat field properties.name: Category user.name is not approved for zendesk (purpose support.chat).%0A→ Remove the field, or ask security to add the category to the approval.",
    );
    expect(lines.find((l) => l.startsWith("::notice "))).toMatch(/^::notice file=manifest.yaml,line=14,col=9,title=VG004 category-not-approved \(waived by EXC-42\)::/);
  });

  it("names the fix, except for a waived violation", () => {
    expect(lines.find((l) => l.startsWith("::notice "))).not.toContain("→");
  });

  it("escapes the message the way the runner unescapes it", () => {
    const hostile = lines.find((l) => l.includes("distinct_id"))!;
    expect(hostile).toContain("needs hash | pseudonymize; sent <raw> & 100%25 plain%0Asee approval");
    expect(escapeData("50% a\r\nb: c, d")).toBe("50%25 a%0D%0Ab: c, d");
    expect(escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
  });

  it("escapes properties, so a path cannot end one early", () => {
    const v = { ...report.violations[1]!, location: { file: "stacks/a,b:c.yaml", line: 3, column: 0 } };
    const [line] = formatGithub({ violations: [v], summary: summarize([v]) }, context).split("\n");
    expect(line).toMatch(/^::\w+ file=stacks\/a%2Cb%3Ac\.yaml,line=3,title=/);
  });

  it("omits the file when nothing names one", () => {
    const { source: _, ...noSource } = context;
    const [line] = formatGithub(report, noSource).split("\n");
    expect(line).toBe(
      "::warning title=VG012 exception-expired::crm-sync: Exception EXC-7 expired on 2026-01-31; the violation it covered stands.%0A→ Renew the exception or fix the violation.",
    );
  });
});
