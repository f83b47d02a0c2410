import type { Report, Violation } from "../engine/violation.ts";
import { knownPosition, ruleLabel, type ReportContext } from "./format.ts";
import { sortViolations } from "../engine/summarize.ts";

// The runner's own escaping (actions/toolkit command.ts). Without it a newline in a message would
// end the command and let the rest of the line be read as a new workflow command.
export function escapeData(s: string): string {
  return s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

function command(v: Violation): "error" | "warning" | "notice" {
  if (v.waivedBy !== undefined) return "notice";
  return v.severity === "mandatory" ? "error" : "warning";
}

function annotation(v: Violation, ctx: ReportContext): string {
  const props: string[] = [];
  const file = v.location?.file ?? ctx.source;
  // Without a file the annotation still shows on the run summary, just not on the diff.
  if (file !== undefined) props.push(`file=${escapeProperty(file)}`);
  if (file !== undefined && knownPosition(v.location?.line)) {
    props.push(`line=${v.location.line}`);
    if (knownPosition(v.location.column)) props.push(`col=${v.location.column}`);
  }
  const title = v.waivedBy !== undefined ? `${ruleLabel(v)} (waived by ${v.waivedBy})` : ruleLabel(v);
  props.push(`title=${escapeProperty(title)}`);
  const where = v.field !== undefined ? `${v.integration} field ${v.field}` : v.resource !== undefined ? `${v.integration} resource ${v.resource}` : v.integration;
  // The annotation is all a PR author sees next to the diff, so it carries the fix as well.
  const fix = v.waivedBy === undefined ? `\n→ ${v.remediation}` : "";
  return `::${command(v)} ${props.join(",")}::${escapeData(`${where}: ${v.message}${fix}`)}`;
}

export function formatGithub(report: Report, ctx: ReportContext): string {
  const lines = sortViolations(report.violations).map((v) => annotation(v, ctx));
  const { mandatory, advisory, waived } = report.summary;
  lines.push(`${mandatory} mandatory, ${advisory} advisory, ${waived} waived — ${mandatory > 0 ? "deploy blocked" : "ok"}`);
  return `${lines.join("\n")}\n`;
}
