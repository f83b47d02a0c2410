import * as z from "zod";

/** Enforcement level a violation is reported at; `disabled` rules never produce violations. */
export type Severity = z.output<typeof violationSchema>["severity"];
export type EnforcementLevel = Severity | "disabled";

/** Where a violation points in the user's input, when known (the manifest or stack program). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * A violation as the policy reports it: the one shape of a violation. The engine checks what the
 * WASM returns against it, `Violation` is its type (plus the location the commands add), and the
 * JSON report's violation (report/schema.ts) is it less the fields that stay inside.
 */
export const violationSchema = z.object({
  rule: z.string().min(1).describe("Rule id, e.g. VG004 (or a custom rule's id)."),
  name: z.string().min(1).describe("Rule name, e.g. category-not-approved."),
  title: z.string(),
  severity: z.enum(["mandatory", "advisory"]).describe("The enforcement level in force: mandatory blocks the deploy, advisory warns."),
  integration: z.string(),
  field: z.string().optional().describe("The field path inside the outbound payload, for field-level rules."),
  resource: z.string().optional().describe("The Pulumi resource URN, for resource-level rules (VG010)."),
  message: z.string().min(1),
  remediation: z.string(),
  waivedBy: z.string().optional().describe("The exception id that waives this violation; a waived violation blocks nothing."),
  /** For findings about an exception itself (VG012): the exception's id. */
  exception: z.string().optional(),
});

export type Violation = z.output<typeof violationSchema> & { location?: SourceLocation };

/** One rule as its Rego METADATA describes it (build/policy/catalogue.json). */
export interface RuleInfo {
  id: string;
  name: string;
  title: string;
  description: string;
  severity: Severity;
  remediation: string;
  custom: boolean;
  /** A mandatory rule that also reports advisory cases (METADATA custom.advisory_cases). */
  advisoryCases?: boolean;
  /** A rule judged per field (METADATA custom.per_field): its exceptions name a category or field. */
  perField?: boolean;
  /** Days before an expiry that the rule warns (METADATA custom.warning_days: VG009's advisory window). */
  warningDays?: number;
}

export interface Summary {
  mandatory: number;
  advisory: number;
  waived: number;
}

export interface Report {
  violations: Violation[];
  summary: Summary;
}
