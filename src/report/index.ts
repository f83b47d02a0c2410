import { sortViolations } from "../engine/summarize.ts";
import type { Report } from "../engine/violation.ts";
import type { Formatter } from "./format.ts";
import { formatGithub } from "./github.ts";
import { formatJson } from "./json.ts";
import { formatJunit } from "./junit.ts";
import { formatMarkdown } from "./markdown.ts";
import { formatSarif } from "./sarif.ts";
import { formatText } from "./text.ts";

export type { Formatter, ReportContext } from "./format.ts";
export { isBlocking } from "./format.ts";
export { compareViolations, sortViolations, summarize } from "../engine/summarize.ts";

export const formatNames = ["text", "json", "sarif", "junit", "markdown", "github"] as const;
export type FormatName = (typeof formatNames)[number];

/**
 * The edge where violations are put in their documented order, once for every format: a
 * formatter writes them in the order given (whatever added, located or waived them before).
 */
export const inOrder = (report: Report): Report => ({ ...report, violations: sortViolations(report.violations) });

const ordered =
  (format: Formatter): Formatter =>
  (report: Report, ctx) =>
    format(inOrder(report), ctx);

export const formats: Record<FormatName, Formatter> = {
  text: ordered(formatText),
  json: ordered(formatJson),
  sarif: ordered(formatSarif),
  junit: ordered(formatJunit),
  markdown: ordered(formatMarkdown),
  github: ordered(formatGithub),
};

export function isFormatName(s: string): s is FormatName {
  return (formatNames as readonly string[]).includes(s);
}
