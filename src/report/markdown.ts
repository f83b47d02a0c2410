import type { Report, Violation } from "../engine/violation.ts";
import { markdownWithCode } from "./code-spans.ts";
import { ruleLabel, type ReportContext } from "./format.ts";
import { overrideLines } from "./policy.ts";
import type { PolicySummary } from "../policy/summary.ts";

// Messages quote user input; in a PR comment that input must read as text, not as markup that
// breaks the table, opens an HTML tag or turns a path like user_id_hash into emphasis.
export function escapeMarkdown(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    .replace(/\r\n|\r|\n/g, "<br>");
}

/** A field path reads best as code; GitHub still splits a table row on `|` inside a code span. */
function code(s: string): string {
  if (/[`\r\n]/.test(s)) return escapeMarkdown(s);
  return `\`${s.replaceAll("|", "\\|")}\``;
}

function target(v: Violation): string {
  if (v.field !== undefined) return code(v.field);
  if (v.resource !== undefined) return code(v.resource);
  return "—";
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

export function formatMarkdown(report: Report, ctx: ReportContext): string {
  const sorted = report.violations;
  const open = sorted.filter((v) => v.waivedBy === undefined);
  const waived = sorted.filter((v) => v.waivedBy !== undefined);
  const { mandatory, advisory, waived: waivedCount } = report.summary;
  const blocked = mandatory > 0;
  const name = escapeMarkdown(ctx.title ?? ctx.tool.name);

  const out: string[] = [`## ${blocked ? "❌" : "✅"} ${name}: ${blocked ? "deploy blocked" : "passed"}`, ""];
  const counts = `${mandatory} mandatory, ${advisory} advisory, ${waivedCount} waived`;
  out.push(ctx.source !== undefined ? `${counts} in ${code(ctx.source)}` : counts, "");

  if (open.length > 0) {
    out.push(row(["Rule", "Integration", "Field", "Severity", "Message"]), "|---|---|---|---|---|");
    for (const v of open) {
      out.push(row([escapeMarkdown(ruleLabel(v)), escapeMarkdown(v.integration), target(v), v.severity, escapeMarkdown(v.message)]));
    }
    out.push("");

    // One entry per rule, not per violation: ten fields failing VG004 need the same fix once.
    const fixes = new Map<string, string>();
    for (const v of open) if (!fixes.has(ruleLabel(v))) fixes.set(ruleLabel(v), v.remediation);
    out.push("<details>", "<summary>How to fix</summary>", "");
    for (const [label, fix] of [...fixes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      out.push(`- **${escapeMarkdown(label)}**: ${markdownWithCode(fix, escapeMarkdown)}`);
    }
    out.push("", "</details>", "");
  } else {
    out.push("No violations.", "");
  }

  if (waived.length > 0) {
    out.push("### Waived", "", row(["Rule", "Integration", "Field", "Waived by", "Message"]), "|---|---|---|---|---|");
    for (const v of waived) {
      out.push(row([escapeMarkdown(ruleLabel(v)), escapeMarkdown(v.integration), target(v), escapeMarkdown(v.waivedBy!), escapeMarkdown(v.message)]));
    }
    out.push("");
  }
  if (ctx.policy) out.push(...policyMarkdown(ctx.policy));
  return `${out.join("\n").trimEnd()}\n`;
}

/** The policy in force, folded: what a reviewer checks when a verdict changed without a code change. */
export function policyMarkdown(p: PolicySummary): string[] {
  const out = ["<details>", "<summary>Policy in force</summary>", ""];
  out.push(`- policy: \`${p.bundle.wasm}\``);
  if (p.bundle.signed) out.push(`- signed bundle: ${code(p.bundle.signed.source)} \`${p.bundle.signed.digest}\``);
  out.push(`- registry: ${code(p.registry.source)} \`${p.registry.digest}\``);
  if (p.exceptions) out.push(`- exceptions: ${code(p.exceptions.source)} \`${p.exceptions.digest}\``);
  const overrides = overrideLines(p);
  out.push(`- enforcement overrides: ${overrides.length ? overrides.map(escapeMarkdown).join("; ") : "none"}`);
  out.push(`- disabled rules: ${p.disabled.length ? p.disabled.map(escapeMarkdown).join(", ") : "none"}`);
  out.push("", "</details>", "");
  return out;
}
