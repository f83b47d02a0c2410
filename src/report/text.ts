import type { Report, Violation } from "../engine/violation.ts";
import { knownPosition, ruleLabel, type ReportContext } from "./format.ts";
import { policyTextLines } from "./policy.ts";

const ANSI = { red: "\u001b[31m", yellow: "\u001b[33m", dim: "\u001b[2m", bold: "\u001b[1m", reset: "\u001b[0m" };
type Style = keyof typeof ANSI;

// Messages quote user input (field paths, URLs); a stray escape or carriage return in them must
// not be able to rewrite the terminal the engineer is reading the verdict in.
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function subject(v: Violation): string {
  if (v.field !== undefined) return `  field ${v.field}`;
  if (v.resource !== undefined) return `  resource ${v.resource}`;
  return "";
}

function location(v: Violation): string | undefined {
  const loc = v.location;
  if (loc === undefined || !knownPosition(loc.line)) return undefined;
  return knownPosition(loc.column) ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`;
}

export function formatText(report: Report, ctx: ReportContext): string {
  const paint = (style: Style, s: string): string => (ctx.color === true ? `${ANSI[style]}${s}${ANSI.reset}` : s);
  const lines: string[] = [];
  if (ctx.title !== undefined) lines.push(paint("bold", printable(ctx.title)), "");

  let current: string | undefined;
  for (const v of report.violations) {
    if (v.integration !== current) {
      if (current !== undefined) lines.push("");
      current = v.integration;
      lines.push(paint("bold", printable(v.integration)));
    }
    const [marker, style]: [string, Style] =
      v.waivedBy !== undefined ? ["~", "dim"] : v.severity === "mandatory" ? ["✖", "red"] : ["!", "yellow"];
    const [first = "", ...rest] = printable(v.message).split("\n");
    lines.push(`  ${paint(style, marker)} ${ruleLabel(v)}${printable(subject(v))}: ${first}`);
    for (const more of rest) lines.push(`    ${more}`);
    const at = location(v);
    if (at !== undefined) lines.push(`    at ${printable(at)}`);
    // A waived violation needs no fix, only its paper trail.
    if (v.waivedBy !== undefined) lines.push(`    ${paint("dim", `waived by ${printable(v.waivedBy)}`)}`);
    else {
      const [fix = "", ...moreFix] = printable(v.remediation).split("\n");
      lines.push(`    → ${fix}`);
      for (const more of moreFix) lines.push(`      ${more}`);
    }
  }
  if (report.violations.length === 0) lines.push("no violations");

  const { mandatory, advisory, waived } = report.summary;
  const verdict = mandatory > 0 ? paint("red", "deploy blocked") : paint("bold", "ok");
  lines.push("", `${mandatory} mandatory, ${advisory} advisory, ${waived} waived — ${verdict}`);
  if (ctx.policy) lines.push(...policyTextLines(ctx.policy).map((l) => paint("dim", printable(l))));
  return `${lines.join("\n")}\n`;
}
