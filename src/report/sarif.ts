import { createHash } from "node:crypto";
import type { Report, RuleInfo, Severity, Violation } from "../engine/violation.ts";
import { fromRoot, knownPosition, type ReportContext } from "./format.ts";
import { policyJson } from "./policy.ts";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const FINGERPRINT_KEY = "vendorgateFinding/v1";
/** The base every artifact URI is relative to: the repository root (see repository.ts). */
export const SRCROOT = "%SRCROOT%";

/**
 * GitHub code scanning ranks and filters alerts by `security-severity` (a CVSS-like score as a
 * string: 9.0+ critical, 7.0+ high, 4.0+ medium) and only treats a rule as a security rule when
 * it carries the `security` tag. Rules have no score of their own in METADATA; their enforcement
 * level is the fact, and a blocking rule is high, a warning medium.
 */
const SECURITY_SEVERITY: Record<Severity, string> = { mandatory: "8.0", advisory: "4.0" };

type Level = "error" | "warning";
const LEVEL: Record<Severity, Level> = { mandatory: "error", advisory: "warning" };

type RuleDescriptor = Pick<RuleInfo, "id" | "name" | "title" | "description" | "remediation" | "severity"> & { custom?: boolean };

function descriptor(rule: RuleDescriptor): object {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.title },
    // Custom rules may leave these out of their METADATA; an empty SARIF message renders as a blank panel.
    ...(rule.description !== "" && { fullDescription: { text: rule.description } }),
    // Remediations are written in Markdown (code spans); the text form shows them as written.
    ...(rule.remediation !== "" && { help: { text: rule.remediation, markdown: rule.remediation } }),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ["security", "privacy", rule.custom === true ? "custom-rule" : "vendorgate-rule"],
      "security-severity": SECURITY_SEVERITY[rule.severity],
      precision: "very-high",
      "problem.severity": rule.severity === "mandatory" ? "error" : "warning",
    },
  };
}

/**
 * The catalogue in its own order, then any rule a violation names that the catalogue lacks (a
 * fault reported by the engine itself, a stale catalogue): dropping such a result would hide a
 * blocked deploy from code scanning, and a result whose ruleIndex points nowhere is invalid.
 */
function ruleTable(catalogue: readonly RuleInfo[], violations: readonly Violation[]): RuleDescriptor[] {
  const rules: RuleDescriptor[] = [...catalogue];
  const known = new Set(catalogue.map((r) => r.id));
  const extra = new Map<string, RuleDescriptor>();
  for (const v of violations) {
    if (known.has(v.rule) || extra.has(v.rule)) continue;
    extra.set(v.rule, { id: v.rule, name: v.name, title: v.title, description: "", remediation: v.remediation, severity: v.severity });
  }
  const ids = [...extra.keys()].sort();
  for (const id of ids) rules.push(extra.get(id)!);
  return rules;
}

// Relative paths with spaces or '#' are not valid uri-references as they stand.
function toUri(path: string): string {
  return path.replaceAll("\\", "/").split("/").map(encodeURIComponent).join("/");
}

function locations(v: Violation, ctx: ReportContext): object[] | undefined {
  const given = v.location?.file ?? ctx.source;
  if (given === undefined) return undefined;
  const file = fromRoot(given, ctx);
  const line = v.location?.line;
  const column = v.location?.column;
  const region = knownPosition(line) ? { startLine: line, ...(knownPosition(column) && { startColumn: column }) } : undefined;
  return [{ physicalLocation: { artifactLocation: { uri: toUri(file), uriBaseId: SRCROOT }, ...(region && { region }) } }];
}

/**
 * Code scanning matches alerts across runs by this value, so it leaves out the message (which may
 * quote dates or counts) and the line (which moves when the manifest is edited). Two findings with
 * the same identity (VG009 for both the DPA and SOC 2) are told apart by their occurrence number,
 * the convention GitHub's own primaryLocationLineHash uses.
 */
function fingerprints(sorted: readonly Violation[]): string[] {
  const seen = new Map<string, number>();
  return sorted.map((v) => {
    const identity = JSON.stringify([v.rule, v.integration, v.field ?? null, v.resource ?? null]);
    const hash = createHash("sha256").update(identity).digest("hex");
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return `${hash}:${n}`;
  });
}

export function formatSarif(report: Report, ctx: ReportContext): string {
  const sorted = report.violations;
  const rules = ruleTable(ctx.catalogue, sorted);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const prints = fingerprints(sorted);

  const results = sorted.map((v, i) => {
    const locs = locations(v, ctx);
    return {
      ruleId: v.rule,
      ruleIndex: index.get(v.rule)!,
      level: LEVEL[v.severity],
      message: { text: v.message },
      ...(locs && { locations: locs }),
      partialFingerprints: { [FINGERPRINT_KEY]: prints[i]! },
      // The waiver lives in exceptions.yaml, not in the flagged file: hence "external".
      ...(v.waivedBy !== undefined && {
        suppressions: [{ kind: "external", justification: `waived by ${v.waivedBy}` }],
      }),
      properties: {
        integration: v.integration,
        ...(v.field !== undefined && { field: v.field }),
        ...(v.resource !== undefined && { resource: v.resource }),
      },
    };
  });

  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: ctx.tool.name,
            version: ctx.tool.version,
            ...(ctx.tool.informationUri !== undefined && { informationUri: ctx.tool.informationUri }),
            rules: rules.map(descriptor),
          },
        },
        // No absolute path: the report must not depend on where the repository was checked out.
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: "The repository root (git top level), or the project root outside a repository." } },
        },
        results,
        // What judged, so an alert that disappears can be told from a policy that changed.
        ...(ctx.policy && { properties: { policy: policyJson(ctx.policy) } }),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
