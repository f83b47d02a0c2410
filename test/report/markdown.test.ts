import { describe, expect, it } from "vitest";
import { escapeMarkdown } from "../../src/report/markdown.ts";
import { context, emptyReport, report } from "./fixture.ts";
import { formats } from "../../src/report/index.ts";

// Through `formats`, as the commands call them: that is where violations are put in order.
const formatMarkdown = formats.markdown;

/** Cells as GitHub splits a table row: on every `|` not preceded by a backslash. */
function cells(row: string): string[] {
  return row.slice(1, -1).split(/(?<!\\)\|/);
}

describe("markdown", () => {
  const out = formatMarkdown(report, context);

  it("matches the golden output", async () => {
    await expect(out).toMatchFileSnapshot("golden/comment.md");
    await expect(formatMarkdown(emptyReport, context)).toMatchFileSnapshot("golden/comment-empty.md");
  });

  it("leads with the verdict", () => {
    expect(out.split("\n")[0]).toBe("## ❌ vendorgate: deploy blocked");
    expect(formatMarkdown(emptyReport, { ...context, title: "Data sharing" }).split("\n")[0]).toBe("## ✅ Data sharing: passed");
    const advisoryOnly = { violations: report.violations.filter((v) => v.severity === "advisory"), summary: { mandatory: 0, advisory: 2, waived: 0 } };
    expect(formatMarkdown(advisoryOnly, context).split("\n")[0]).toBe("## ✅ vendorgate: passed");
  });

  it("keeps every table row at five cells and one line, whatever the message holds", () => {
    const rows = out.split("\n").filter((l) => l.startsWith("|"));
    expect(rows.length).toBe(2 + 6 + 2 + 1);
    for (const row of rows) expect(cells(row)).toHaveLength(5);
    const hostile = rows.find((r) => r.includes("`properties.distinct_id`"))!;
    expect(hostile).toContain("needs hash \\| pseudonymize; sent &lt;raw&gt; &amp; 100% plain<br>see approval");
  });

  it("lists waived violations apart, with the exception", () => {
    const waived = out.slice(out.indexOf("### Waived"));
    expect(waived).toContain("| EXC-42 |");
    expect(out.slice(0, out.indexOf("### Waived"))).not.toContain("properties.email");
  });

  it("gives each rule's remediation once, in a details block", () => {
    const details = out.slice(out.indexOf("<details>"), out.indexOf("</details>"));
    expect(details.match(/VG009/g)).toHaveLength(1);
    expect(details).toContain("- **VG004 category-not-approved**: Remove the field");
  });

  it("escapes markup, pipes and line breaks", () => {
    expect(escapeMarkdown("a|b")).toBe("a\\|b");
    expect(escapeMarkdown("<img src=x>&")).toBe("&lt;img src=x&gt;&amp;");
    expect(escapeMarkdown("x\r\ny\nz")).toBe("x<br>y<br>z");
    expect(escapeMarkdown("user_id *and* `code` [link]")).toBe("user\\_id \\*and\\* \\`code\\` \\[link\\]");
  });
});
