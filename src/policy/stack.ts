import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import * as z from "zod";
import type { EnforcementLevel } from "../engine/violation.ts";
import { enforcementLevelSchema, locate, parseSource, readSourceText, renderPath, type SourceDocument, validateSource } from "../model/index.ts";
import { regionSchema, ruleIdSchema } from "../model/primitives.ts";
import type { LoadedProject } from "../project/index.ts";
import type { ProjectInfo } from "../pulumi/project.ts";
import type { EnforcementSource } from "./enforcement.ts";

/*
 * What a stack's own config file (Pulumi.<stack>.yaml) may say about policy: its residency, and
 * enforcement levels that only tighten security's. The file is part of any pull request.
 */

/** The vendorgate keys of a stack file, validated where they stand. */
function stackSettings(configSrc: SourceDocument, knownRules: readonly string[]) {
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


/** A stack file as read (Pulumi.<stack>.yaml, or an empty document when the stack has none). */
export interface StackFile {
  file: string;
  src: SourceDocument;
}

/** Reads Pulumi.<stack>.yaml of the project; Pulumi reads a stack without one as an empty config. */
export async function readStackFile(project: Pick<ProjectInfo, "stackConfigDir">, stack: string): Promise<StackFile & { path: string }> {
  const path = join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
  const file = relative(process.cwd(), path) || path;
  return { path, file, src: parseSource(existsSync(path) ? await readSourceText(path) : "{}\n", file) };
}

/** What judges one stack beyond the shared policy. */
export interface StackPolicy {
  residency: readonly string[] | undefined;
  /** The stack file's own levels, applied last; they may only tighten. */
  enforcement: EnforcementSource | undefined;
}

/**
 * The one reader of a stack's policy settings, for plan, preview, up and the pack: the stack
 * file's `vendorgate:residency` and `vendorgate:enforcement`, validated where they stand (a scalar
 * residency or an unknown rule is an input error at its line), with vendorgate.yaml's residency
 * for the stack first.
 */
export function readStackPolicy(stack: string, stackFile: StackFile, project: LoadedProject | undefined, knownRules: readonly string[]): StackPolicy {
  const settings = stackSettings(stackFile.src, knownRules);
  return {
    residency: stackResidency(project, stack, settings.residency),
    enforcement: stackEnforcementSource(stackFile.file, stackFile.src, settings.enforcement),
  };
}

/**
 * A stack's residency: vendorgate.yaml's `stacks.<name>.residency`, else the stack file's key (the
 * older place), which the incident commands, reading state rather than stack files, do not have.
 */
export function stackResidency(project: LoadedProject | undefined, stack: string, fromStackFile?: readonly string[]): string[] | undefined {
  const r = project?.config.stacks?.[stack]?.residency ?? fromStackFile;
  return r ? [...r] : undefined;
}
