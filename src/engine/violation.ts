/** Enforcement level a violation is reported at; `disabled` rules never produce violations. */
export type Severity = "mandatory" | "advisory";
export type EnforcementLevel = Severity | "disabled";

/** Where a violation points in the user's input, when known (the manifest or stack program). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface Violation {
  rule: string;
  name: string;
  title: string;
  severity: Severity;
  integration: string;
  field?: string;
  resource?: string;
  message: string;
  remediation: string;
  waivedBy?: string;
  /** For findings about an exception itself (VG012): the exception's id. */
  exception?: string;
  location?: SourceLocation;
}

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
