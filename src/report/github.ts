import type { Report, Violation } from "../engine/violation.ts";
import { fromRoot, knownPosition, ruleLabel, type ReportContext } from "./format.ts";

// The runner's own escaping (actions/toolkit command.ts). Without it a newline in a message would
// end the command and let the rest of the line be read as a new workflow command.
export function escapeData(s: string): string {
  return s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");
}

type Kind = "error" | "warning" | "notice";
/** Most severe first: GitHub keeps the first annotations of each kind, so these are the ones kept. */
const KINDS: readonly Kind[] = ["error", "warning", "notice"];

/**
 * GitHub shows at most 10 annotations of each kind (error, warning, notice) per step and drops the
 * rest without a word. Past that, violations are printed as plain log lines, and a line says how
 * many were not annotated and where they are.
 */
export const ANNOTATIONS_PER_KIND = 10;

function command(v: Violation): Kind {
  if (v.waivedBy !== undefined) return "notice";
  return v.severity === "mandatory" ? "error" : "warning";
}

function annotation(v: Violation, ctx: ReportContext): string {
  const props: string[] = [];
  const given = v.location?.file ?? ctx.source;
  // Annotations name files from the repository root, as the diff view does.
  const file = given === undefined ? undefined : fromRoot(given, ctx);
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

function logLine(v: Violation): string {
  const where = v.field !== undefined ? `${v.integration} field ${v.field}` : v.resource !== undefined ? `${v.integration} resource ${v.resource}` : v.integration;
  const state = v.waivedBy !== undefined ? `waived by ${v.waivedBy}` : v.severity;
  // One line each, starting with the rule id: no part of a message can start a workflow command.
  return `  ${ruleLabel(v)} [${state}] ${`${where}: ${v.message}`.replace(/[\r\n]+/g, " ")}`;
}

export function formatGithub(report: Report, ctx: ReportContext): string {
  const sorted = report.violations;
  const lines: string[] = [];
  const hidden: Violation[] = [];
  for (const kind of KINDS) {
    const ofKind = sorted.filter((v) => command(v) === kind);
    lines.push(...ofKind.slice(0, ANNOTATIONS_PER_KIND).map((v) => annotation(v, ctx)));
    hidden.push(...ofKind.slice(ANNOTATIONS_PER_KIND));
  }
  if (hidden.length > 0) {
    const counts = KINDS.map((k) => [k, hidden.filter((v) => command(v) === k).length] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}${n === 1 ? "" : "s"}`)
      .join(", ");
    lines.push(
      `${hidden.length} of ${sorted.length} violations not shown as annotations (${counts}): GitHub shows ${ANNOTATIONS_PER_KIND} of each kind per step. They are listed below in this step's log; the full report is in --format sarif (code scanning) or text.`,
      ...hidden.map(logLine),
    );
  }
  const { mandatory, advisory, waived } = report.summary;
  lines.push(`${mandatory} mandatory, ${advisory} advisory, ${waived} waived — ${mandatory > 0 ? "deploy blocked" : "ok"}`);
  return `${lines.join("\n")}\n`;
}
