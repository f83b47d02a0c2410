import type { Report, RuleInfo, Violation } from "../engine/violation.ts";

export interface ReportContext {
  /** Every rule the policy bundle evaluated (build/policy/catalogue.json), sorted by id. */
  catalogue: readonly RuleInfo[];
  /**
   * `informationUri` is optional because SARIF requires it to be a real URI, and the tool only
   * knows one when package.json names a homepage.
   */
  tool: { name: string; version: string; informationUri?: string };
  /** The input file, relative to the working directory; stands in where a violation has no location. */
  source?: string;
  title?: string;
  /** ANSI colour in the text format; callers decide (TTY, NO_COLOR), never the formatter. */
  color?: boolean;
  /**
   * Every integration that was judged. The report itself only names integrations that have
   * violations, so without this JUnit cannot show a clean integration as a passing test.
   */
  integrations?: readonly string[];
}

export type Formatter = (report: Report, ctx: ReportContext) => string;

/** Whether a violation stops the deploy: the exit code, JUnit failures and SARIF levels agree on this. */
export function isBlocking(v: Violation): boolean {
  return v.severity === "mandatory" && v.waivedBy === undefined;
}

export function ruleLabel(v: Pick<Violation, "rule" | "name">): string {
  return `${v.rule} ${v.name}`;
}

/** Line 0 or column 0 means the producer did not know it; every output format counts from 1. */
export function knownPosition(n: number | undefined): n is number {
  return n !== undefined && Number.isInteger(n) && n >= 1;
}
