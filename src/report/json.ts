import type { Report, Violation } from "../engine/violation.ts";
import { fromRoot, knownPosition, type ReportContext } from "./format.ts";
import { REPORT_SCHEMA_VERSION, type JsonViolation, type ReportDocument } from "./schema.ts";
import { policyJson } from "./policy.ts";

// Built key by key, never spread from the violation: the key order is part of the format, and
// fields the schema does not name (title) must not leak into a format scripts parse.
function toJson(v: Violation, ctx: ReportContext): JsonViolation {
  const out: Partial<JsonViolation> = { rule: v.rule, name: v.name, severity: v.severity, integration: v.integration };
  if (v.field !== undefined) out.field = v.field;
  if (v.resource !== undefined) out.resource = v.resource;
  out.message = v.message;
  out.remediation = v.remediation;
  if (v.waivedBy !== undefined) out.waivedBy = v.waivedBy;
  const loc = v.location;
  if (loc !== undefined && knownPosition(loc.line)) {
    out.location = { file: fromRoot(loc.file, ctx), line: loc.line, ...(knownPosition(loc.column) && { column: loc.column }) };
  }
  return out as JsonViolation;
}

/** The document `check --format json` prints; plan's JSON extends it. */
export function reportDocument(report: Report, ctx: ReportContext): ReportDocument {
  const { mandatory, advisory, waived } = report.summary;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    violations: report.violations.map((v) => toJson(v, ctx)),
    summary: { mandatory, advisory, waived },
    ...(ctx.policy ? { policy: policyJson(ctx.policy) } : {}),
  };
}

export function formatJson(report: Report, ctx: ReportContext): string {
  return `${JSON.stringify(reportDocument(report, ctx), null, 2)}\n`;
}
