import type { Report, Violation } from "../engine/violation.ts";
import { isBlocking, ruleLabel, type ReportContext } from "./format.ts";

/*
 * Layout, after Conftest: one <testsuite> per integration, one <testcase> per violation (so the
 * failure count is the mandatory count the summary gives), and one passing "no blocking violation"
 * testcase for each judged integration that has nothing blocking, so a clean integration still
 * shows up as a green test.
 *
 * Outcomes follow the exit code, not Conftest: Conftest fails warnings too, but here a CI test
 * report that goes red while the deploy goes ahead would teach people to ignore it. So
 *   - a case with any unwaived mandatory violation has a <failure> (type "mandatory");
 *   - a case whose violations are all waived is <skipped>, naming the exceptions;
 *   - a case with unwaived advisory violations passes, with the warnings in <system-out>.
 * No time attributes: the output must be byte-identical between runs.
 */

const NO_BLOCKING = "no blocking violation";

// XML 1.0 cannot carry most C0 controls, lone surrogates or U+FFFE/U+FFFF even as character
// references; a message quoting such input would make the whole report unparseable.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVALID_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function escapeXmlText(s: string): string {
  return s.replace(INVALID_XML, "\ufffd").replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll("\r", "&#13;");
}

// Attribute values are whitespace-normalised by parsers, so newlines and tabs go as references.
export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replaceAll('"', "&quot;").replaceAll("\n", "&#10;").replaceAll("\t", "&#9;");
}

function attrs(pairs: Record<string, string | number>): string {
  return Object.entries(pairs)
    .map(([k, v]) => ` ${k}="${escapeXmlAttr(String(v))}"`)
    .join("");
}

interface Case {
  name: string;
  violations: Violation[];
}

interface Suite {
  name: string;
  cases: Case[];
}

function describe(v: Violation): string {
  const where = v.field !== undefined ? `field ${v.field}: ` : v.resource !== undefined ? `resource ${v.resource}: ` : "";
  const state = v.waivedBy !== undefined ? ` [${v.severity}, waived by ${v.waivedBy}]` : ` [${v.severity}]`;
  const fix = v.waivedBy === undefined ? `\n  → ${v.remediation.replaceAll("\n", "\n    ")}` : "";
  return `${where}${v.message}${state}${fix}`;
}

/** Unique within an integration: the rule, then the field or resource, else the message's first line. */
function caseName(v: Violation): string {
  if (v.field !== undefined) return `${ruleLabel(v)}: field ${v.field}`;
  if (v.resource !== undefined) return `${ruleLabel(v)}: resource ${v.resource}`;
  return `${ruleLabel(v)}: ${v.message.split("\n")[0]}`;
}

function suites(report: Report, ctx: ReportContext): Suite[] {
  const byIntegration = new Map<string, Case[]>();
  for (const name of ctx.integrations ?? []) byIntegration.set(name, []);
  for (const v of report.violations) {
    const cases = byIntegration.get(v.integration) ?? [];
    byIntegration.set(v.integration, cases);
    cases.push({ name: caseName(v), violations: [v] });
  }
  const names = [...byIntegration.keys()].sort();
  return names.map((name) => {
    const cases = byIntegration.get(name)!;
    if (!cases.some((c) => c.violations.some(isBlocking))) cases.push({ name: NO_BLOCKING, violations: [] });
    return { name, cases };
  });
}

type Outcome = "failure" | "skipped" | "passed";

function outcome(c: Case): Outcome {
  if (c.violations.some(isBlocking)) return "failure";
  if (c.violations.length > 0 && c.violations.every((v) => v.waivedBy !== undefined)) return "skipped";
  return "passed";
}

function renderCase(suite: string, c: Case): string[] {
  const open = `    <testcase${attrs({ name: c.name, classname: suite })}`;
  const body = c.violations.map(describe).join("\n");
  switch (outcome(c)) {
    case "failure": {
      const message = c.violations.find(isBlocking)!.message.split("\n")[0]!;
      return [`${open}>`, `      <failure${attrs({ message, type: "mandatory" })}>${escapeXmlText(body)}</failure>`, "    </testcase>"];
    }
    case "skipped": {
      const ids = [...new Set(c.violations.map((v) => v.waivedBy!))].sort().join(", ");
      return [`${open}>`, `      <skipped${attrs({ message: `waived by ${ids}` })}/>`, `      <system-out>${escapeXmlText(body)}</system-out>`, "    </testcase>"];
    }
    case "passed":
      if (c.violations.length === 0) return [`${open}/>`];
      return [`${open}>`, `      <system-out>${escapeXmlText(body)}</system-out>`, "    </testcase>"];
  }
}

export function formatJunit(report: Report, ctx: ReportContext): string {
  let all = suites(report, ctx);
  // An empty <testsuites> reads as "no tests ran" in most CI dashboards; a check that found
  // nothing to object to should read as a pass.
  if (all.length === 0) all = [{ name: ctx.source ?? ctx.tool.name, cases: [{ name: NO_BLOCKING, violations: [] }] }];

  const counts = (cases: Case[]) => ({
    tests: cases.length,
    failures: cases.filter((c) => outcome(c) === "failure").length,
    errors: 0,
    skipped: cases.filter((c) => outcome(c) === "skipped").length,
  });

  const body: string[] = [];
  for (const suite of all) {
    body.push(`  <testsuite${attrs({ name: suite.name, ...counts(suite.cases) })}>`);
    for (const c of suite.cases) body.push(...renderCase(suite.name, c));
    body.push("  </testsuite>");
  }
  const name = ctx.title ?? ctx.tool.name;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name, ...counts(all.flatMap((s) => s.cases)) })}>`,
    ...body,
    "</testsuites>",
    "",
  ].join("\n");
}
