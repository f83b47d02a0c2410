import * as z from "zod";
import { always, apiVersionSchema, isoDateSchema, nameSchema, nonEmptyString, reportDuplicates, ruleIdSchema, strictObject } from "./primitives.ts";

/**
 * Rules no exception may name. A prohibited category must never leave, so a waiver for it is a
 * mistake in the waiver file, reported before any evaluation.
 */
export const unwaivableRules: Readonly<Record<string, string>> = { VG006: "prohibited-category" };

export const exceptionIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function build(knownRules: readonly string[]) {
  const rule = ruleIdSchema(knownRules).superRefine((id, ctx) => {
    // Own keys only: "__proto__" or "constructor" must not find Object.prototype's members.
    const name = Object.hasOwn(unwaivableRules, id) ? unwaivableRules[id] : undefined;
    if (name) ctx.addIssue({ code: "custom", message: `${id} ${name} cannot be waived`, input: id });
  });
  const exception = strictObject({
    id: z.string().regex(exceptionIdPattern, { error: "expected an id such as EXC-42 (letters, digits, dot, dash, underscore)" }),
    rule,
    integration: nameSchema.optional().describe("Narrows the waiver to one integration."),
    field: nonEmptyString.optional().describe("Narrows the waiver to one field path of that integration."),
    reason: nonEmptyString,
    approvedBy: nonEmptyString.describe("Who approved the waiver, e.g. security@example.com."),
    expires: isoDateSchema.describe("Last day the waiver applies (YYYY-MM-DD)."),
  }).superRefine((e: unknown, ctx) => {
    if (typeof e !== "object" || e === null) return;
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
  }).meta({ title: "vendorgate exceptions", description: "Time-boxed, attributable waivers (policies/data/exceptions.yaml)." });
}

/** The exceptions file; `rule` must be one of `knownRules` (the policy bundle's catalogue). */
export function exceptionsSchema(knownRules: readonly string[]) {
  return build(knownRules);
}

export type ExceptionsFile = z.output<ReturnType<typeof exceptionsSchema>>;
export type Exception = ExceptionsFile["exceptions"][number];
