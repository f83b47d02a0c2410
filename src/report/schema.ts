import * as z from "zod";
import { violationSchema } from "../engine/violation.ts";
import { manifestSchema } from "../model/manifest.ts";
import { defaultTaxonomy, type Taxonomy } from "../model/taxonomy.ts";

/*
 * The shape of `check --format json` and `plan --format json`: the JSON Schemas in schemas/ are
 * generated from here, and `diff` reads plan's output through the same schema. To add a top-level
 * section (such as the policy inputs in force), add it to `reportShape`: plan's schema extends it.
 */

/**
 * Bumped only when a key changes meaning or goes away; new optional keys keep the version, so a
 * script written for version 1 reads every version-1 report.
 */
export const REPORT_SCHEMA_VERSION = 1;

export const severitySchema = violationSchema.shape.severity;

export const locationSchema = z
  .object({
    file: z.string().min(1).describe("Relative to the repository root (git top level), or to the project root outside a repository."),
    line: z.number().int().min(1),
    column: z.number().int().min(1).optional(),
  })
  .describe("Where the violation points in the input: the manifest entry or the program line that declares the integration.");

/** The engine's violation (its one schema) as the report writes it: less its title and exception id, with where it points. */
export const reportViolationSchema = violationSchema.omit({ title: true, exception: true }).extend({ location: locationSchema.optional() });

export const summarySchema = z.object({
  mandatory: z.number().int().min(0).describe("Unwaived mandatory violations: more than 0 blocks the deploy."),
  advisory: z.number().int().min(0),
  waived: z.number().int().min(0),
});

const inputRefSchema = z.object({
  source: z.string().describe("The file (or bundle) as the command named it."),
  digest: z.string().describe("sha256:<hex> of its bytes."),
});
const levelSchema = z.enum(["mandatory", "advisory", "disabled"]);

export const policySchema = z
  .object({
    bundle: z.object({
      wasm: z.string().describe("sha256:<hex> of the compiled policy (policy.wasm)."),
      signed: z.object({ source: z.string(), digest: z.string(), keyId: z.string().optional() }).optional().describe("The organisation's signed OPA bundle, when vendorgate.yaml names one."),
    }),
    registry: inputRefSchema,
    exceptions: inputRefSchema.optional(),
    enforcement: z
      .array(
        z.object({
          rule: z.string(),
          level: levelSchema,
          was: levelSchema.describe("The level before this override: the rule's own or an earlier source's."),
          source: z.enum(["registry", "project", "stack", "pack"]).describe("registry, vendorgate.yaml (project), the stack file, or the policy pack's config."),
          file: z.string(),
          line: z.number().int(),
        }),
      )
      .describe("Every enforcement override in force, in the order applied, with the file and line it came from."),
    disabled: z.array(z.string()).describe("Rules switched off."),
  })
  .describe("What judged: the policy's inputs and digests, enforcement overrides and disabled rules.");

/** The top-level keys of check's JSON, in output order. */
export const reportShape = {
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  violations: z.array(reportViolationSchema).describe("Sorted by integration, rule, field, resource."),
  summary: summarySchema,
  policy: policySchema.optional(),
};

export const reportSchema = z.object(reportShape).meta({
  title: "vendorgate report",
  description: "The verdict of `vendorgate check --format json`.",
});

export const egressResourceSchema = z.object({
  urn: z.string(),
  type: z.string(),
  name: z.string(),
  integration: z.string().nullable().describe("The Integration that owns the resource; null when none does (VG010)."),
  destinations: z
    .array(
      z.object({
        via: z.string().describe("What carries the data there (subscription endpoint, target, enrichment, ...)."),
        endpoint: z.string().optional().describe("scheme://host[:port] of the URL it sends to; never its path or query."),
        host: z.string().optional().describe("A host reached without a URL (an email domain, a database, a SaaS connector's service)."),
        account: z.string().optional().describe("Another AWS account that receives the data; * for any account."),
        problem: z.string().optional().describe("Why vendorgate refused the URL (parsers would read it differently)."),
      }),
    )
    .describe("Where it sends data, as the egress catalogue reads it (docs/egress-catalogue.md)."),
});

/** check's report plus what `diff` needs: the stack, the declarations as a manifest, the egress resources. */
export function planReportSchema(taxonomy: Taxonomy = defaultTaxonomy) {
  const manifest = manifestSchema(taxonomy);
  return z
    .object({
      ...reportShape,
      stack: manifest.shape.stack.unwrap(),
      manifest,
      resources: z.array(egressResourceSchema),
    })
    .meta({ title: "vendorgate plan report", description: "The verdict of `vendorgate plan --format json`, with the declarations it judged." });
}

export type ReportDocument = z.output<typeof reportSchema>;
export type JsonViolation = z.output<typeof reportViolationSchema>;
