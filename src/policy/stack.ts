import * as z from "zod";
import type { EnforcementLevel } from "../engine/violation.ts";
import { enforcementLevelSchema, locate, renderPath, type SourceDocument, validateSource } from "../model/index.ts";
import { regionSchema, ruleIdSchema } from "../model/primitives.ts";
import type { EnforcementSource } from "./enforcement.ts";

/*
 * What a stack's own config file (Pulumi.<stack>.yaml) may say about policy: its residency, and
 * enforcement levels that only tighten security's. The file is part of any pull request.
 */

/** The vendorgate keys of a stack file, validated where they stand. */
export function stackSettings(configSrc: SourceDocument, knownRules: readonly string[]) {
  const schema = z.looseObject({
    config: z
      .looseObject({
        "vendorgate:residency": z.array(regionSchema).optional(),
        "vendorgate:enforcement": z.record(ruleIdSchema(knownRules), enforcementLevelSchema).optional(),
      })
      .nullish(),
  });
  const data = validateSource(configSrc, schema);
  return { residency: data.config?.["vendorgate:residency"], enforcement: data.config?.["vendorgate:enforcement"] ?? {} };
}

const STACK_ENFORCEMENT = ["config", "vendorgate:enforcement"] as const;

/** The stack file's own enforcement levels: a pull request can edit it, so they may only tighten. */
export function stackEnforcementSource(file: string, src: SourceDocument, levels: Record<string, EnforcementLevel>): EnforcementSource | undefined {
  if (Object.keys(levels).length === 0) return undefined;
  return {
    kind: "stack",
    file,
    levels,
    mayLoosen: false,
    at: (rule) => ({ ...locate(src, [...STACK_ENFORCEMENT, rule], "key"), path: renderPath([...STACK_ENFORCEMENT, rule]) }),
  };
}

