import { posix } from "node:path";
import type { Report, RuleInfo, Violation } from "../engine/violation.ts";
import type { PolicySummary } from "../policy/summary.ts";

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
  /**
   * The working directory relative to the repository root (POSIX separators, "" when they are the
   * same; see repository.ts). Machine-read formats (JSON, SARIF, GitHub annotations) name files
   * from the repository root, so a report means the same wherever the command ran.
   */
  cwdFromRoot?: string;
  title?: string;
  /** ANSI colour in the text format; callers decide (TTY, NO_COLOR), never the formatter. */
  color?: boolean;
  /**
   * Every integration that was judged. The report itself only names integrations that have
   * violations, so without this JUnit cannot show a clean integration as a passing test.
   */
  integrations?: readonly string[];
  /** The policy that judged (inputs, digests, overrides and their sources, disabled rules). */
  policy?: PolicySummary;
}

/** Writes the violations in the order given: `formats` (report/index.ts) sorts them first. */
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

/** A file named relative to the working directory, named relative to the repository root instead. */
export function fromRoot(file: string, ctx: Pick<ReportContext, "cwdFromRoot">): string {
  const slashed = file.replaceAll("\\", "/");
  if (posix.isAbsolute(slashed)) return slashed;
  const p = posix.normalize(posix.join(ctx.cwdFromRoot ?? "", slashed));
  return p === "." ? "" : p;
}
