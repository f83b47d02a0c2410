import { sortViolations, summarize } from "./summarize.ts";
import type { Engine } from "./engine.ts";
import { normalizeInput, type JudgeRequest } from "./normalize.ts";
import type { Report } from "./violation.ts";

/** One evaluation of a whole manifest (or stack), sorted so the same input gives the same bytes. */
export function judge(engine: Engine, req: JudgeRequest): Report {
  const violations = sortViolations(engine.evaluate(normalizeInput(req)));
  return { violations, summary: summarize(violations) };
}

/** A mandatory violation that nobody waived blocks the deploy. */
export const blocks = (report: Report): boolean => report.summary.mandatory > 0;
