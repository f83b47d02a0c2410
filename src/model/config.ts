import * as z from "zod";
import { apiVersionSchema, ruleIdSchema, strictObject } from "./primitives.ts";

export const enforcementLevels = ["mandatory", "advisory", "disabled"] as const;
export type EnforcementLevel = (typeof enforcementLevels)[number];
export const enforcementLevelSchema = z.enum(enforcementLevels);

/** Policy configuration (pack config and per-stack overrides): enforcement level per rule id. */
export function configSchema(knownRules: readonly string[]) {
  return strictObject({
    apiVersion: apiVersionSchema.optional(),
    enforcement: z
      .record(ruleIdSchema(knownRules), enforcementLevelSchema)
      .optional()
      .describe("Rule id -> mandatory | advisory | disabled, replacing the rule's default level."),
  }).meta({ title: "vendorgate config", description: "Enforcement level overrides per rule." });
}

export type Config = z.output<ReturnType<typeof configSchema>>;
