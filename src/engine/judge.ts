import { summarize } from "./summarize.ts";
import type { Engine } from "./engine.ts";
import { PolicyFault } from "./errors.ts";
import { normalizeInput, type JudgeRequest } from "./normalize.ts";
import type { Report } from "./violation.ts";

/**
 * One evaluation of a whole manifest (or stack). The violations come in the engine's order: each
 * edge that prints them (report/index.ts formats, the HTML report, the policy pack) puts them in
 * its order once, so nothing between sorts them again.
 */
export function judge(engine: Engine, req: JudgeRequest): Report {
  const json = JSON.stringify(normalizeInput(req));
  // The loaders refuse such text with its place in the file; whatever got past them (a resource
  // name in a program) must not reach the WASM, which faults on it.
  if (holdsLoneSurrogate(json)) throw new PolicyFault("the policy input holds a lone UTF-16 surrogate, which is not text; nothing was judged");
  const violations = engine.evaluateJson(json);
  return { violations, summary: summarize(violations) };
}

/**
 * JSON.stringify writes a lone surrogate as the escape \udXXX and everything else (pairs
 * included) as is, so one scan of the text the WASM will read finds every such string, key or
 * value: an odd run of backslashes before ud8..udf is that escape, an even run is a backslash the
 * user wrote. One regular expression over the text costs a fraction of walking the object.
 */
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

export function holdsLoneSurrogate(json: string): boolean {
  // Almost no input holds the escape at all; a substring search rules that out in a fraction of
  // the regular expression's time (which backtracks at every backslash).
  return json.includes("\\ud") && LONE_SURROGATE_ESCAPE.test(json);
}

/** A mandatory violation that nobody waived blocks the deploy. */
export const blocks = (report: Report): boolean => report.summary.mandatory > 0;
