import * as z from "zod";
import { enforcementLevelSchema } from "./config.ts";
import { apiVersionSchema, describeValue, nonEmptyString, regionSchema, ruleIdPattern, ruleIdSchema, strictObject } from "./primitives.ts";

/** The project config's file name, looked for in the working directory and each of its parents. */
export const PROJECT_CONFIG_FILE = "vendorgate.yaml";

/** Report formats `output.format` may name; the report module holds the same list (tested). */
export const outputFormats = ["text", "json", "sarif", "junit", "markdown", "github"] as const;

/** Pulumi's own rule for stack names (letters, digits, `-`, `_`, `.`), optionally org/project/stack. */
export const stackNamePattern = /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+){0,2}$/;

/** Pulumi backend URLs vendorgate can be pointed at; a plain path would be ambiguous with a cloud URL. */
export const backendUrlPattern = /^(?:file|s3|gs|azblob|https?):\/\/\S*$/;

const relativePath = (what: string) =>
  nonEmptyString.describe(`${what}. A path relative to the directory of this vendorgate.yaml.`);

/**
 * vendorgate.yaml: the organisation's policy for one project. `knownRules` are the bundle's rule
 * ids; without them (when the file is read before the bundle is chosen) only their shape is
 * checked, and {@link projectConfigSchema} is applied again once the rules are known.
 */
export function projectConfigSchema(knownRules?: readonly string[]) {
  const ruleId = knownRules ? ruleIdSchema(knownRules) : shapeOnlyRuleId;
  return strictObject({
    apiVersion: apiVersionSchema,
    registry: relativePath("The vendor registry security owns (YAML or JSON)"),
    exceptions: relativePath("Time-boxed waivers (YAML or JSON); without it nothing is waived").optional(),
    customRules: relativePath("Folder of the organisation's own Rego rules, compiled by `vendorgate build`").optional(),
    backend: z
      .string()
      .regex(backendUrlPattern, {
        error: (iss) => `expected a Pulumi backend URL such as file://.vendorgate/backend or s3://bucket/prefix, got ${describeValue(iss.input)}`,
      })
      .optional()
      .describe("Pulumi state backend URL; a relative file:// path is relative to this file. Default: file://.vendorgate/backend."),
    policy: strictObject({
      enforcement: z
        .record(ruleId, enforcementLevelSchema)
        .optional()
        .describe("Rule id -> mandatory | advisory | disabled, replacing the rule's default level."),
    })
      .optional()
      .describe("How the rules apply to every stack of this project."),
    stacks: z
      .record(
        z.string().regex(stackNamePattern, { error: (iss) => `expected a Pulumi stack name, got ${describeValue(iss.input)}` }),
        strictObject({
          residency: z.array(regionSchema).min(1).optional().describe("Regions this stack's data may go to (VG008)."),
        }),
      )
      .optional()
      .describe("Settings per stack, by stack name."),
    output: strictObject({
      format: z.enum(outputFormats).optional().describe("Report format when --format is not given (default text)."),
    })
      .optional()
      .describe("Output defaults."),
  }).meta({
    title: "vendorgate project config",
    description: "vendorgate.yaml: where the vendor registry, exceptions and custom rules are, the state backend, enforcement and per-stack settings.",
  });
}

/** A rule id's shape only, for reading the file before the policy bundle is known. */
const shapeOnlyRuleId = z.string().regex(ruleIdPattern, {
  error: (iss) => `expected a rule id such as VG004, got ${describeValue(iss.input)}`,
});

export type ProjectConfig = z.output<ReturnType<typeof projectConfigSchema>>;
