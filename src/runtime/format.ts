/*
 * Facts about the allow-list document that both its zod schema (src/model/allowlist.ts, the
 * source of truth for its shape and the generated JSON Schema) and the run-time guard's own
 * check need. Kept here, free of dependencies, so the guard can ship to a browser without zod.
 */

/** Names the document, so a report or manifest handed to a guard by mistake is refused. */
export const ALLOWLIST_KIND = "vendorgate/allowlist";
/** The only version there is; a guard refuses any other rather than guess at its meaning. */
export const ALLOWLIST_SCHEMA_VERSION = 1;

export const verdicts = ["pass", "blocked"] as const;
export type Verdict = (typeof verdicts)[number];

export const transforms = ["none", "hash", "pseudonymize", "truncate", "generalize"] as const;
export type Transform = (typeof transforms)[number];

export const sources = ["plan", "state", "deploy"] as const;
export type AllowlistSource = (typeof sources)[number];

/**
 * Segments a declared path may not have: the guard builds its output by these names, and these
 * would reach an object's prototype instead of a property.
 */
export const forbiddenSegments: ReadonlySet<string> = new Set(["__proto__", "prototype", "constructor"]);

/** Why a declared path cannot be used, or undefined when it can. */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return "the path is empty";
  const segments = path.split(".");
  if (segments.some((s) => s.length === 0)) return `path "${path}" has an empty segment (expected names separated by single dots)`;
  const bad = segments.find((s) => forbiddenSegments.has(s));
  if (bad !== undefined) return `path "${path}" names "${bad}", which would reach an object's prototype`;
  return undefined;
}
