import type { Report, Violation } from "../engine/violation.ts";
import type { ReportContext } from "./format.ts";
import { sortViolations } from "../engine/summarize.ts";

// Built key by key, never spread from the violation: the SPEC fixes the key order, and fields the
// contract does not name (title, location) must not leak into a format scripts parse.
function toJson(v: Violation): Record<string, string> {
  const out: Record<string, string> = {
    rule: v.rule,
    name: v.name,
    severity: v.severity,
    integration: v.integration,
  };
  if (v.field !== undefined) out.field = v.field;
  if (v.resource !== undefined) out.resource = v.resource;
  out.message = v.message;
  out.remediation = v.remediation;
  if (v.waivedBy !== undefined) out.waivedBy = v.waivedBy;
  return out;
}

export function formatJson(report: Report, _ctx: ReportContext): string {
  const { mandatory, advisory, waived } = report.summary;
  const doc = {
    violations: sortViolations(report.violations).map(toJson),
    summary: { mandatory, advisory, waived },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
