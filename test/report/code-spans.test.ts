import { describe, expect, it } from "vitest";
import { codeSpans, htmlWithCode, markdownWithCode } from "../../src/report/code-spans.ts";
import { escapeHtml } from "../../src/text/output.ts";
import { escapeMarkdown } from "../../src/report/markdown.ts";
import { summarize } from "../../src/engine/summarize.ts";
import { context, report } from "./fixture.ts";
import { formats } from "../../src/report/index.ts";

// Through `formats`, as the commands call them: that is where violations are put in order.
const formatMarkdown = formats.markdown;

describe("code spans in remediations", () => {
  it("splits text the CommonMark way", () => {
    expect(codeSpans("switch it off (`enabled: false`).")).toEqual([
      { code: false, text: "switch it off (" },
      { code: true, text: "enabled: false" },
      { code: false, text: ")." },
    ]);
    expect(codeSpans("a `` b`c `` d")).toEqual([
      { code: false, text: "a " },
      { code: true, text: "b`c" },
      { code: false, text: " d" },
    ]);
    // An unmatched backtick is literal.
    expect(codeSpans("it's `open")).toEqual([{ code: false, text: "it's `open" }]);
    expect(codeSpans("```")).toEqual([{ code: false, text: "```" }]);
  });

  it("renders HTML code as <code>, escaping inside and out", () => {
    expect(htmlWithCode("Set `a<b>` & go", escapeHtml)).toBe("Set <code>a&lt;b&gt;</code> &amp; go");
    expect(htmlWithCode("Set `destination.url`", escapeHtml)).not.toContain("`");
  });

  it("keeps Markdown code as written, escapes the rest, and escapes a pipe inside code for tables", () => {
    expect(markdownWithCode("Set `transform: hash` on user_id", escapeMarkdown)).toBe("Set `transform: hash` on user\\_id");
    expect(markdownWithCode("`a|b`", escapeMarkdown)).toBe("`a\\|b`");
    expect(markdownWithCode("`` x`y ``", escapeMarkdown)).toBe("``x`y``");
  });

  it("shows the PR comment's How to fix with code spans, not escaped backticks", () => {
    const v = { ...report.violations[5]!, remediation: "Switch the integration off (`enabled: false`)." };
    const md = formatMarkdown({ violations: [v], summary: summarize([v]) }, context);
    expect(md).toContain("(`enabled: false`).");
    expect(md).not.toContain("\\`");
  });
});
