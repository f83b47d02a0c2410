import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/engine/violation.ts";
import { FINGERPRINT_KEY } from "../../src/report/sarif.ts";
import { summarize } from "../../src/engine/summarize.ts";
import { catalogue, context, emptyReport, report } from "./fixture.ts";
import { formats } from "../../src/report/index.ts";

// Through `formats`, as the commands call them: that is where violations are put in order.
const formatSarif = formats.sarif;

// ajv-formats is CommonJS with a `default` property; which of the two an ESM import sees depends
// on the loader, so accept either.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

const schema = JSON.parse(readFileSync(new URL("schemas/sarif-schema-2.1.0.json", import.meta.url), "utf8")) as object;
// The schema's `language` pattern has a stray `]` that only non-unicode regular expressions accept.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

interface Result {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations?: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn?: number } } }[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: string; justification: string }[];
  properties: Record<string, string>;
}
interface Log {
  $schema: string;
  version: string;
  runs: { tool: { driver: { name: string; version: string; informationUri?: string; rules: { id: string; defaultConfiguration: { level: string } }[] } }; results: Result[] }[];
}

function parse(r: Report, ctx = context): Log {
  const text = formatSarif(r, ctx);
  expect(validate(JSON.parse(text)), JSON.stringify(validate.errors, null, 2)).toBe(true);
  return JSON.parse(text) as Log;
}

describe("sarif", () => {
  const log = parse(report);
  const run = log.runs[0]!;

  it("matches the golden output", async () => {
    await expect(formatSarif(report, context)).toMatchFileSnapshot("golden/report.sarif");
  });

  it("is valid SARIF 2.1.0, empty or not", () => {
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toBe("https://json.schemastore.org/sarif-2.1.0.json");
    parse(emptyReport);
    const { informationUri: _, ...tool } = context.tool;
    parse(report, { catalogue, tool });
    parse(report, { catalogue: [], tool });
  });

  it("uses a validator that does reject invalid SARIF", () => {
    const good = JSON.parse(formatSarif(report, context)) as Log;
    expect(validate(good)).toBe(true);
    const badLevel = structuredClone(good);
    (badLevel.runs[0]!.results[0] as { level: string }).level = "fatal";
    expect(validate(badLevel)).toBe(false);
    const badSuppression = structuredClone(good);
    badSuppression.runs[0]!.results[0]!.suppressions = [{ kind: "waiver", justification: "x" }];
    expect(validate(badSuppression)).toBe(false);
    expect(validate({ ...good, version: "2.0.0" })).toBe(false);
  });

  it("describes every rule of the catalogue, in its order, with its default level", () => {
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(catalogue.map((r) => r.id));
    expect(run.tool.driver.rules.find((r) => r.id === "VG012")?.defaultConfiguration.level).toBe("warning");
    expect(run.tool.driver.rules.find((r) => r.id === "VG004")?.defaultConfiguration.level).toBe("error");
  });

  it("points each result at its rule", () => {
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
  });

  it("levels by the severity in force, not the rule's default", () => {
    const vg009 = run.results.filter((r) => r.ruleId === "VG009").map((r) => r.level).sort();
    expect(vg009).toEqual(["error", "warning"]);
  });

  it("marks a waived violation as an external suppression naming the exception", () => {
    const suppressed = run.results.filter((r) => r.suppressions !== undefined);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.properties.field).toBe("properties.email");
    expect(suppressed[0]!.suppressions).toEqual([{ kind: "external", justification: "waived by EXC-42" }]);
  });

  it("locates results at the violation, or at the input file when the violation has no position", () => {
    const email = run.results.find((r) => r.properties.field === "properties.name");
    expect(email?.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: "manifest.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: 16, startColumn: 9 } });
    const orphan = run.results.find((r) => r.ruleId === "VG010");
    expect(orphan?.locations?.[0]?.physicalLocation).toEqual({ artifactLocation: { uri: "manifest.yaml", uriBaseId: "%SRCROOT%" } });
    expect(orphan?.properties.resource).toMatch(/^urn:pulumi:/);
    const { source: _, ...noSource } = context;
    expect(parse(report, noSource).runs[0]!.results.find((r) => r.ruleId === "VG010")?.locations).toBeUndefined();
  });

  it("fingerprints stably across runs, edits and reorderings, and uniquely within a run", () => {
    const prints = run.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(new Set(prints).size).toBe(prints.length);
    const moved = report.violations.map((v) => ({ ...v, location: v.location && { ...v.location, line: v.location.line + 10 } })).reverse();
    const again = parse({ violations: moved, summary: summarize(moved) }).runs[0]!.results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(again).toEqual(prints);
  });

  it("keeps a violation of a rule the catalogue lacks, with a rule to point at", () => {
    const custom = { ...report.violations[0]!, rule: "ACME001", name: "no-pager", title: "No pager vendors", message: "m" };
    const extended = [...report.violations, custom];
    const r = parse({ violations: extended, summary: summarize(extended) }).runs[0]!;
    expect(r.tool.driver.rules.map((x) => x.id)).toEqual([...catalogue.map((x) => x.id), "ACME001"]);
    const result = r.results.find((x) => x.ruleId === "ACME001")!;
    expect(r.tool.driver.rules[result.ruleIndex]!.id).toBe("ACME001");
  });

  it("encodes file paths as URI references", () => {
    const at = { ...report.violations[1]!, location: { file: "stacks/my stack#1.yaml", line: 1, column: 1 } };
    const uri = parse({ violations: [at], summary: summarize([at]) }).runs[0]!.results[0]!.locations![0]!.physicalLocation.artifactLocation.uri;
    expect(uri).toBe("stacks/my%20stack%231.yaml");
  });

  // What GitHub code scanning needs beyond the 2.1.0 schema (docs: "SARIF support for code
  // scanning"): a location on every result, URIs relative to the repository root, a fingerprint,
  // and rules carrying `security-severity` and the `security` tag to rank and filter alerts.
  describe("GitHub code scanning ingestion", () => {
    const logged = parse(report, { ...context, cwdFromRoot: "examples" });
    const r0 = logged.runs[0]! as unknown as {
      originalUriBaseIds: Record<string, unknown>;
      tool: { driver: { rules: { id: string; properties: { tags: string[]; "security-severity": string }; help?: { text: string; markdown: string } }[] } };
      results: Result[];
    };

    it("gives every rule a security-severity GitHub ranks by and a security tag", () => {
      for (const rule of r0.tool.driver.rules) {
        const score = Number(rule.properties["security-severity"]);
        expect(rule.properties["security-severity"]).toMatch(/^\d+\.\d$/);
        expect(score).toBeGreaterThan(0);
        expect(score).toBeLessThanOrEqual(10);
        expect(rule.properties.tags).toContain("security");
        expect(rule.properties.tags).toContain("privacy");
      }
      const sev = (id: string) => r0.tool.driver.rules.find((r) => r.id === id)!.properties["security-severity"];
      // Blocking rules rank high (7.0-8.9), warnings medium (4.0-6.9).
      expect(sev("VG004")).toBe("8.0");
      expect(sev("VG012")).toBe("4.0");
    });

    it("locates every result in a repository-relative URI with a uriBaseId, never absolute, never outside the repository", () => {
      for (const result of r0.results) {
        const loc = result.locations?.[0]?.physicalLocation.artifactLocation as { uri: string; uriBaseId?: string } | undefined;
        expect(loc).toBeDefined();
        expect(loc!.uriBaseId).toBe("%SRCROOT%");
        expect(loc!.uri).toBe("examples/manifest.yaml");
        expect(loc!.uri).not.toMatch(/^(\/|[a-z]+:|\.\.)/);
        expect(Object.keys(result.partialFingerprints)).toEqual([FINGERPRINT_KEY]);
      }
      expect(Object.keys(r0.originalUriBaseIds)).toEqual(["%SRCROOT%"]);
      // No absolute path of the machine that ran it.
      expect(JSON.stringify(r0.originalUriBaseIds)).not.toMatch(/file:|\/home|\/tmp/);
    });

    it("gives the fix as Markdown help, since remediations quote code", () => {
      const help = r0.tool.driver.rules.find((r) => r.id === "VG004")!.help!;
      expect(help.markdown).toBe(help.text);
    });
  });
});
