import * as z from "zod";
import { always, apiVersionSchema, isoDateSchema, nameSchema, namePattern, nonEmptyString, reportDuplicates, ruleIdSchema, strictObject, taxonomyKeySchema } from "./primitives.ts";
import { defaultTaxonomy, type Taxonomy } from "./taxonomy.ts";

/**
 * Rules no exception may name. A prohibited category must never leave, so a waiver for it is a
 * mistake in the waiver file, reported before any evaluation.
 */
export const unwaivableRules: Readonly<Record<string, string>> = { VG006: "prohibited-category" };

export const exceptionIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A Pulumi stack name as `--stack` takes it. */
const stackNameSchema = z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: "expected a Pulumi stack name such as prod" });

export interface ExceptionsSchemaOptions {
  /**
   * Rules whose violations name a field (METADATA `custom.per_field`): an exception for one of
   * them must name the category or the field it covers, never the whole integration.
   */
  fieldRules?: readonly string[];
  /** The registry's taxonomy, for `category` (default: fideslang's). */
  taxonomy?: Taxonomy;
}

/** The default maximum lifetime of an exception, in days from the evaluation date (registry `policy.maxExceptionLifetimeDays`). */
export const DEFAULT_MAX_EXCEPTION_LIFETIME_DAYS = 365;

function build(knownRules: readonly string[], opts: ExceptionsSchemaOptions) {
  const fieldRules = new Set(opts.fieldRules ?? []);
  const rule = ruleIdSchema(knownRules).superRefine((id, ctx) => {
    // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
    const name = Object.hasOwn(unwaivableRules, id) ? unwaivableRules[id] : undefined;
    if (name) ctx.addIssue({ code: "custom", message: `${id} ${name} cannot be waived`, input: id });
  });
  const exception = strictObject({
    id: z.string().regex(exceptionIdPattern, { error: "expected an id such as EXC-42 (letters, digits, dot, dash, underscore)" }),
    rule,
    vendor: z
      .string()
      .regex(namePattern, { error: "expected the vendor's registry key, such as zendesk" })
      .describe("The vendor (registry key) the waiver was approved for; it matches flows to that vendor only."),
    integration: nameSchema.optional().describe("Narrows the waiver to one integration."),
    category: taxonomyKeySchema(opts.taxonomy ?? defaultTaxonomy, "categories")
      .optional()
      .describe("The data category the waiver covers (and the keys under it); field rules need this or `field`."),
    field: nonEmptyString.optional().describe("Narrows the waiver to one field path of that integration."),
    stacks: z
      .array(stackNameSchema)
      .min(1)
      .optional()
      .describe("The stacks the waiver applies to; absent: every stack."),
    reason: nonEmptyString,
    approvedBy: nonEmptyString.describe("Who approved the waiver, e.g. security@example.com."),
    expires: isoDateSchema.describe("Last day the waiver applies (YYYY-MM-DD)."),
  }).superRefine((e: unknown, ctx) => {
    if (typeof e !== "object" || e === null) return;
    const rule = "rule" in e && typeof e.rule === "string" ? e.rule : undefined;
    const named = (key: string) => key in e && (e as Record<string, unknown>)[key] !== undefined;
    if (rule !== undefined && fieldRules.has(rule) && !named("category") && !named("field")) {
      ctx.addIssue({
        code: "custom",
        path: ["rule"],
        message: `${rule} is judged per field: name the category (or the field) the exception covers`,
        input: rule,
      });
    }
    if ("field" in e && e.field !== undefined && (!("integration" in e) || e.integration === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["field"],
        message: "field requires integration: name the integration the field belongs to",
        input: e.field,
      });
    }
  }, always);
  return strictObject({
    apiVersion: apiVersionSchema.optional(),
    exceptions: z
      .array(exception)
      .superRefine((items, ctx) => reportDuplicates(items, "id", ctx, (id, first) => `duplicate exception id "${id}" (also at exceptions[${first}])`), always),
  }).meta({ title: "vendorgate exceptions", description: "Time-boxed, attributable waivers (the file vendorgate.yaml's `exceptions` names)." });
}

/** The exceptions file; `rule` must be one of `knownRules` (the policy bundle's catalogue). */
export function exceptionsSchema(knownRules: readonly string[], opts: ExceptionsSchemaOptions = {}) {
  return build(knownRules, opts);
}

export type ExceptionsFile = z.output<ReturnType<typeof exceptionsSchema>>;
export type Exception = ExceptionsFile["exceptions"][number];
