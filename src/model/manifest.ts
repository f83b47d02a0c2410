import * as z from "zod";
import { integrationSchema } from "./integration.ts";
import { always, apiVersionSchema, nonEmptyString, regionSchema, reportDuplicates, strictObject } from "./primitives.ts";
import type { Taxonomy } from "./taxonomy.ts";

const cache = new WeakMap<Taxonomy, ReturnType<typeof build>>();

function build(taxonomy: Taxonomy) {
  return strictObject({
    apiVersion: apiVersionSchema,
    stack: strictObject({
      name: nonEmptyString.describe("The Pulumi stack the integrations belong to."),
      residency: z.array(regionSchema).optional().describe("Regions personal data of this stack may go to; absent = any."),
    }).optional(),
    integrations: z
      .array(integrationSchema(taxonomy))
      .superRefine(
        (items, ctx) =>
          reportDuplicates(items, "name", ctx, (name, first) => `duplicate integration name "${name}" (also at integrations[${first}])`),
        always,
      ),
  }).meta({ title: "vendorgate manifest", description: "The outbound data integrations of a stack (vendorgate check --manifest)." });
}

/** The manifest file of `vendorgate check --manifest`, with keys checked against `taxonomy`. */
export function manifestSchema(taxonomy: Taxonomy) {
  let s = cache.get(taxonomy);
  if (!s) cache.set(taxonomy, (s = build(taxonomy)));
  return s;
}

export type Manifest = z.output<ReturnType<typeof manifestSchema>>;
export type ManifestInput = z.input<ReturnType<typeof manifestSchema>>;
export type StackInfo = NonNullable<Manifest["stack"]>;
