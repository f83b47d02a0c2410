import { describe, expect, it } from "vitest";
import { escapeData, escapeProperty } from "../../src/report/github.ts";
import { summarize } from "../../src/engine/summarize.ts";
import { context, emptyReport, report } from "./fixture.ts";
import { formats } from "../../src/report/index.ts";

// Through `formats`, as the commands call them: that is where violations are put in order.
const formatGithub = formats.github;

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
    const line = formatGithub(report, noSource).split("\n").find((l) => l.startsWith("::warning "));
    expect(line).toBe(
      "::warning title=VG012 exception-expired::crm-sync: Exception EXC-7 expired on 2026-01-31; the violation it covered stands.%0A→ Renew the exception or fix the violation.",
    );
  });

  it("puts the most severe first: errors, then warnings, then notices", () => {
    const kinds = lines.filter((l) => l.startsWith("::")).map((l) => /^::(\w+)/.exec(l)![1]);
    expect(kinds).toEqual(["error", "error", "error", "error", "warning", "warning", "notice"]);
  });

  it("names files from the repository root when the command ran in a subdirectory", () => {
    const line = formatGithub(report, { ...context, cwdFromRoot: "examples" }).split("\n")[0]!;
    expect(line).toMatch(/^::error file=examples\/manifest\.yaml,/);
  });

  it("annotates at most 10 of each kind (GitHub drops the rest) and says how many were not shown and where they are", () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ ...report.violations[5]!, field: `properties.f${String(i).padStart(2, "0")}` }));
    const advisory = Array.from({ length: 3 }, (_, i) => ({ ...report.violations[3]!, message: `advisory ${i}` }));
    const all = [...advisory, ...many];
    const text = formatGithub({ violations: all, summary: summarize(all) }, context);
    const out = text.trimEnd().split("\n");
    expect(out.filter((l) => l.startsWith("::error ")).length).toBe(10);
    expect(out.filter((l) => l.startsWith("::warning ")).length).toBe(3);
    // The ones kept are the first in the report's order; the two left over are in the log.
    expect(out.find((l) => l.startsWith("::error "))).toContain("properties.f00");
    expect(out.filter((l) => l.startsWith("::")).join("\n")).not.toContain("properties.f10");
    expect(text).toContain("2 of 15 violations not shown as annotations (2 errors): GitHub shows 10 of each kind per step. They are listed below in this step's log");
    expect(out.filter((l) => /^ {2}VG004 category-not-approved \[mandatory\] support-chat field properties\.f1[01]:/.test(l))).toHaveLength(2);
    expect(out.at(-1)).toBe("12 mandatory, 3 advisory, 0 waived — deploy blocked");
  });

  it("says nothing about hidden annotations when all fit", () => {
    expect(out).not.toContain("not shown");
  });
});
