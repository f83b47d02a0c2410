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

/** Hosts a plain http:// bundle URL may name: a test server on this machine, nothing a network can reach. */
const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

function bundleUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an https:// URL, got ${describeValue(value)}`;
  }
  if (url.username !== "" || url.password !== "") return "expected a URL without credentials in it (the bundle is public; its signature is what is trusted)";
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && loopbackHosts.has(url.hostname)) return undefined;
  return `expected an https:// URL (http:// only for 127.0.0.1 or localhost), got ${url.protocol}//${url.host}`;
}

/** Security's signed OPA bundle (registry, exceptions, custom rules), pinned by digest and key. */
export const policyBundleSchema = strictObject({
  url: z
    .string()
    .superRefine((value, ctx) => {
      const problem = bundleUrlProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional()
    .describe("Where security publishes the bundle (built by `opa build -b … --signing-key …`): an https:// URL."),
  path: relativePath("The bundle as a local .tar.gz, instead of url").optional(),
  digest: z
    .string()
    .regex(/^(?:sha256:)?[0-9a-f]{64}$/, { error: (iss) => `expected the bundle's sha256 digest (sha256:<64 lowercase hex digits>), got ${describeValue(iss.input)}` })
    .describe("sha256 of the bundle file as published; anything else is refused."),
  publicKey: nonEmptyString.describe(
    "Security's public key (PEM, SPKI) the bundle's signature must verify with: a path relative to this file, or the PEM text itself.",
  ),
})
  .superRefine((b, ctx) => {
    if ((b.url === undefined) === (b.path === undefined)) ctx.addIssue({ code: "custom", path: [], message: "expected exactly one of `url` and `path`" });
  })
  .describe("Security's signed policy bundle. When set, the registry, exceptions and custom rules come from it, verified, never from this repository.");

/**
 * vendorgate.yaml: the organisation's policy for one project. `knownRules` are the bundle's rule
 * ids; without them (when the file is read before the bundle is chosen) only their shape is
 * checked, and {@link projectConfigSchema} is applied again once the rules are known.
 */
export function projectConfigSchema(knownRules?: readonly string[]) {
  const ruleId = knownRules ? ruleIdSchema(knownRules) : shapeOnlyRuleId;
  return strictObject({
    apiVersion: apiVersionSchema,
    registry: relativePath("The vendor registry security owns (YAML or JSON); not with policyBundle, which holds it").optional(),
    exceptions: relativePath("Time-boxed waivers (YAML or JSON); without it nothing is waived; not with policyBundle, which holds them").optional(),
    policyBundle: policyBundleSchema.optional(),
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
  })
    .superRefine((c, ctx) => {
      if (c.policyBundle === undefined && c.registry === undefined) {
        ctx.addIssue({ code: "custom", path: ["registry"], message: "expected `registry` (the vendor registry file) or `policyBundle` (security's signed policy bundle)" });
      }
      if (c.policyBundle === undefined) return;
      // The bundle is the policy: a path beside it would be a second registry a pull request can edit.
      for (const key of ["registry", "exceptions"] as const) {
        if (c[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `\`${key}\` cannot be set with \`policyBundle\`: the signed bundle holds the ${key}` });
      }
      // Also when other keys are wrong: a file missing both should hear so with the rest.
    }, { when: (payload) => typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value) })
    .meta({
    title: "vendorgate project config",
    description: "vendorgate.yaml: where the vendor registry, exceptions and custom rules are, the state backend, enforcement and per-stack settings.",
  });
}

/** A rule id's shape only, for reading the file before the policy bundle is known. */
const shapeOnlyRuleId = z.string().regex(ruleIdPattern, {
  error: (iss) => `expected a rule id such as VG004, got ${describeValue(iss.input)}`,
});

export type ProjectConfig = z.output<ReturnType<typeof projectConfigSchema>>;
