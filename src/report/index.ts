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

export const formats: Record<FormatName, Formatter> = {
  text: formatText,
  json: formatJson,
  sarif: formatSarif,
  junit: formatJunit,
  markdown: formatMarkdown,
  github: formatGithub,
};

export function isFormatName(s: string): s is FormatName {
  return (formatNames as readonly string[]).includes(s);
}
