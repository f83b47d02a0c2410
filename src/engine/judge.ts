import { sortViolations, summarize } from "./summarize.ts";
import type { Engine } from "./engine.ts";
import { hasIllFormed } from "../model/source.ts";
import { PolicyFault } from "./errors.ts";
import { normalizeInput, type JudgeRequest } from "./normalize.ts";
import type { Report } from "./violation.ts";

/** One evaluation of a whole manifest (or stack), sorted so the same input gives the same bytes. */
export function judge(engine: Engine, req: JudgeRequest): Report {
  const input = normalizeInput(req);
  // The loaders refuse such text with its place in the file; whatever got past them (a resource
  // name in a program) must not reach the WASM, which faults on it.
  if (hasIllFormed(input)) throw new PolicyFault("the policy input holds a lone UTF-16 surrogate, which is not text; nothing was judged");
  const violations = sortViolations(engine.evaluate(input));
  return { violations, summary: summarize(violations) };
}

/** A mandatory violation that nobody waived blocks the deploy. */
export const blocks = (report: Report): boolean => report.summary.mandatory > 0;
