import * as z from "zod";
import {
  always,
  describeValue,
  nameSchema,
  nonEmptyString,
  notShown,
  regionSchema,
  reportDuplicates,
  strictObject,
  taxonomyKeySchema,
} from "./primitives.ts";
import { parseUrl } from "./url.ts";
import type { DataCategory, DataSubject, DataUse, Taxonomy } from "./taxonomy.ts";
import { transforms, type Transform } from "../runtime/format.ts";

/**
 * What is done to a field before it leaves; `none` sends it as is. Defined with the run-time guard,
 * which applies them (docs/runtime.md), so the gate and the guard know the same transforms.
 */
export { transforms, type Transform };
export const transformSchema = z.enum(transforms);

/**
 * The endpoint the flow sends to. Any scheme parses (a plain-http endpoint is a policy violation,
 * VG008, not an input error), but the URL must read the same to every parser (src/model/url.ts):
 * a host to compare with the vendor's domains, no user:password part (the URL is printed in
 * reports, and credentials belong in `credentials`), no backslash, no host WHATWG had to rewrite.
 */
export const destinationUrlSchema = z
  .string()
  .superRefine((url, ctx) => {
    let whatwg: URL | undefined;
    try {
      whatwg = new URL(url);
    } catch {
      // reported below
    }
    // A refused URL may still hold user:password@ or a token; then it is not repeated.
    const got = /[@?]/.test(url) ? notShown : `got ${describeValue(url)}`;
    if (!whatwg) {
      ctx.addIssue({ code: "custom", message: `expected a URL such as https://api.vendor.example/track, ${got}`, input: "(redacted)" });
      return;
    }
    if (!whatwg.hostname) {
      ctx.addIssue({ code: "custom", message: `expected a URL with a host, such as https://api.vendor.example/track, ${got}`, input: "(redacted)" });
      return;
    }
    const parsed = parseUrl(url);
    if (parsed.ok) return;
    if (!url.includes("\\") && (whatwg.username || whatwg.password || /^[^/?#]*:\/\/[^/?#]*@/.test(url))) {
      ctx.addIssue({
        code: "custom",
        message: "the URL carries credentials (user:password@); they would appear in reports, so declare them as a secret under credentials instead",
        input: "(redacted)",
      });
      return;
    }
    ctx.addIssue({ code: "custom", message: `the URL is refused, since parsers would read it differently: ${parsed.reason}; ${got}`, input: "(redacted)" });
  })
  .meta({ format: "uri" });

/**
 * Where an EventBridge pipeline reads a field from the event: a JSONPath in dot notation that names
 * one value. The envelope's objects (`$`, `$.detail`, `$.resources`) would forward everything under
 * them under a harmless-looking field name, so they are refused; so are wildcards and filters.
 */
export const SOURCE_PATH = /^\$(\.[A-Za-z0-9_\-/]+|\[\d+\])+$/;
const OBJECT_SOURCES = new Set(["$", "$.detail", "$.resources"]);
export const fieldSourceSchema = z.string().superRefine((from, ctx) => {
  if (!SOURCE_PATH.test(from)) {
    ctx.addIssue({ code: "custom", message: `expected a JSONPath in dot notation such as $.detail.user.id, got ${describeValue(from)}`, input: from });
  } else if (OBJECT_SOURCES.has(from)) {
    ctx.addIssue({ code: "custom", message: `${from} is a whole object of the event, not one value: name the value itself, such as $.detail.user.id`, input: from });
  }
});

/** Where a credential came from: a secret config value or resource output is kept secret; the rest are VG011. */
export const credentialSources = ["secret-config", "secret-output", "plain-config", "literal", "plain"] as const;
export type CredentialSource = (typeof credentialSources)[number];

const cache = new WeakMap<Taxonomy, ReturnType<typeof build>>();

// Taxonomy key schemas stay undecorated (no .describe()): the JSON Schema generator recognises
// them by identity to emit one shared definition per vocabulary.
function build(taxonomy: Taxonomy) {
  const field = strictObject({
    path: nonEmptyString.describe("Where the value sits in the outbound payload, e.g. properties.distinct_id."),
    category: taxonomyKeySchema(taxonomy, "categories"),
    transform: transformSchema.default("none").describe("What is done to the value before it leaves."),
    source: fieldSourceSchema.optional().describe("Where an EventBridge pipeline reads the value from in the event (JSONPath, one value)."),
  });
  const integration = strictObject({
    name: nameSchema.describe("Unique within the stack."),
    vendor: nameSchema.describe("Key of the vendor in the registry."),
    purpose: taxonomyKeySchema(taxonomy, "uses"),
    subjects: z.array(taxonomyKeySchema(taxonomy, "subjects")).min(1),
    enabled: z.boolean().default(true).describe("false: the flow is switched off and kept for audit; it is not judged."),
    destination: strictObject({
      url: destinationUrlSchema,
      region: regionSchema.describe("Region of the vendor endpoint."),
    }),
    credentials: strictObject(
      {
        secret: z
          .boolean({ error: (iss) => (iss.input === undefined ? undefined : `expected true or false, ${notShown}`) })
          .describe("Whether the credential is a Pulumi secret; false is VG011."),
        source: z
          .enum(credentialSources)
          .optional()
          .describe("Where the credential comes from, as the Integration component found it; plain-config and literal are VG011."),
      },
      { redact: true },
    ).optional(),
    fields: z
      .array(field)
      .superRefine(
        (fields, ctx) => reportDuplicates(fields, "path", ctx, (p, first) => `duplicate field path "${p}" (also at fields[${first}])`),
        always,
      )
      .describe("Every field that leaves, and nothing else."),
  });
  return { field, integration };
}

function schemas(taxonomy: Taxonomy) {
  let s = cache.get(taxonomy);
  if (!s) cache.set(taxonomy, (s = build(taxonomy)));
  return s;
}

/** One field of an outbound payload. */
export function fieldSchema(taxonomy: Taxonomy) {
  return schemas(taxonomy).field;
}

/** One outbound data flow, as SPEC section 1 declares it. */
export function integrationSchema(taxonomy: Taxonomy) {
  return schemas(taxonomy).integration;
}

export type Integration = z.output<ReturnType<typeof integrationSchema>>;
/** What a user writes: `enabled` and `transform` may be left out. */
export type IntegrationInput = z.input<ReturnType<typeof integrationSchema>>;
export type IntegrationField = Integration["fields"][number];

/**
 * The declaration as a Pulumi program writes it: taxonomy keys as the fideslang string-literal
 * unions, so that a mistyped key fails `tsc` rather than the deploy. Keys a registry adds are not
 * in the unions; a program using them casts, and the loaders still check them at run time.
 */
export type IntegrationDeclaration = Omit<IntegrationInput, "purpose" | "subjects" | "fields"> & {
  purpose: DataUse;
  subjects: DataSubject[];
  fields: (Omit<IntegrationInput["fields"][number], "category"> & { category: DataCategory })[];
};
