import type { Summary, Violation } from "../engine/violation.ts";

export function summarize(violations: readonly Violation[]): Summary {
  const summary: Summary = { mandatory: 0, advisory: 0, waived: 0 };
  for (const v of violations) {
    // A waived violation keeps its severity for the record but blocks nothing, so counting it
    // as mandatory too would turn a granted exception into a failed deploy.
    if (v.waivedBy !== undefined) summary.waived++;
    else summary[v.severity]++;
  }
  return summary;
}

// Plain code-unit comparison: localeCompare depends on the ICU data and locale of the machine,
// and the output must be byte-identical wherever it runs.
function compareStrings(a: string | undefined, b: string | undefined): number {
  const x = a ?? "";
  const y = b ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareNumbers(a: number | undefined, b: number | undefined): number {
  return (a ?? 0) - (b ?? 0);
}

/**
 * The documented order is integration, rule, field, resource, message; the remaining keys only
 * break ties so that two violations differing in, say, waivedBy cannot swap places between runs.
 */
export function compareViolations(a: Violation, b: Violation): number {
  return (
    compareStrings(a.integration, b.integration) ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.field, b.field) ||
    compareStrings(a.resource, b.resource) ||
    compareStrings(a.message, b.message) ||
    compareStrings(a.severity, b.severity) ||
    compareStrings(a.waivedBy, b.waivedBy) ||
    compareStrings(a.location?.file, b.location?.file) ||
    compareNumbers(a.location?.line, b.location?.line) ||
    compareNumbers(a.location?.column, b.location?.column) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.title, b.title) ||
    compareStrings(a.remediation, b.remediation)
  );
}

/** Returns a sorted copy; the caller's array is left alone. */
export function sortViolations(violations: readonly Violation[]): Violation[] {
  return [...violations].sort(compareViolations);
}
