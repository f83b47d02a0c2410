/** A place in a user's file. Lines and columns count from 1; problems with a whole file point at 1:1. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One thing wrong with an input file. `path` is rendered like `integrations[2].fields[0].category` ("" for the root). */
export interface InputIssue extends SourceLocation {
  path: string;
  message: string;
}

/** How many issues the message lists; the rest are counted, so a broken 10 MB file cannot flood a terminal. */
export const maxReportedIssues = 100;

/**
 * Anything wrong with what a user gave us (unreadable, not YAML, invalid, unknown key). The CLI
 * prints `message` and exits 2; it is never a crash and never carries a stack trace to the user.
 */
export class InputError extends Error {
  override readonly name = "InputError";
  readonly issues: readonly InputIssue[];
  /** Issues found but not kept (a file with millions of errors would otherwise exhaust memory). */
  readonly omitted: number;

  constructor(issues: readonly InputIssue[], omitted = 0) {
    const sorted = [...issues].sort(compareIssues);
    super(renderIssues(sorted, omitted));
    this.issues = sorted;
    this.omitted = omitted;
  }
}

function compareIssues(a: InputIssue, b: InputIssue): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

/** `FILE:LINE:COL PATH: MESSAGE`, or `FILE:LINE:COL MESSAGE` when the issue concerns the whole document. */
export function formatIssue(issue: InputIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where} ${issue.path}: ${issue.message}` : `${where} ${issue.message}`;
}

function renderIssues(issues: readonly InputIssue[], omitted: number): string {
  if (issues.length === 0) return "invalid input";
  const lines = issues.slice(0, maxReportedIssues).map(formatIssue);
  const more = issues.length - lines.length + omitted;
  if (more > 0) lines.push(`... and ${more} more issues`);
  return lines.join("\n");
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * `["integrations", 2, "fields", 0, "category"]` → `integrations[2].fields[0].category`. Keys that are
 * not identifiers (vendor keys with dashes, category keys with dots) are quoted: `vendors["acme-crm"]`.
 */
export function renderPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && identifier.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}
