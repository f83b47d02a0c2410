import { type PolicyContext, withStackEnforcement } from "../policy/context.ts";
import { judge } from "../engine/judge.ts";
import type { DeclaredIntegration } from "../engine/normalize.ts";
import type { Violation } from "../engine/violation.ts";
import { integrationSchema, renderPath } from "../model/index.ts";
import { compareFlows, type Flow } from "../sources/flows.ts";

/*
 * The engine's verdict on recorded flows, for every analysis that speaks of what the gate would
 * do (review's blocked flows, the report's verdicts, what a status change blocks): each manifest
 * and each stack's state is judged as one unit, as `check` and the policy pack would, so none of
 * them matches a rule again in TypeScript and drifts from the Rego.
 */

export interface JudgedFlows {
  /** Every flow (switched-off ones included, with none) to the violations about it. */
  violations: Map<Flow, Violation[]>;
  /** Recorded declarations the current taxonomy no longer accepts, each shown as blocked. */
  warnings: string[];
}

export function judgeFlows(ctx: PolicyContext, flows: readonly Flow[]): JudgedFlows {
  const warnings: string[] = [];
  const groups = new Map<string, Flow[]>();
  for (const f of [...flows].sort(compareFlows)) {
    const group = groups.get(f.file);
    if (group) group.push(f);
    else groups.set(f.file, [f]);
  }

  const perFlow = new Map<Flow, Violation[]>();
  for (const [file, group] of groups) {
    const valid: DeclaredIntegration[] = [];
    for (const f of group) {
      perFlow.set(f, []);
      // Recorded state was validated when it was deployed, but the taxonomy may have moved since.
      const parsed = f.origin === "manifest" ? undefined : integrationSchema(ctx.taxonomy).safeParse(f.integration);
      if (parsed && !parsed.success) {
        warnings.push(`${file}: ${f.integration.name} is not a valid declaration (${parsed.error.issues.map((i) => `${renderPath(i.path)}: ${i.message}`).join("; ")}); shown as blocked`);
        perFlow.get(f)!.push({
          rule: "INPUT",
          name: "invalid-declaration",
          title: "Invalid declaration",
          severity: "mandatory",
          integration: f.integration.name,
          message: "The recorded declaration does not validate against the current taxonomy.",
          remediation: "Fix the declaration in the program and deploy again.",
        });
        continue;
      }
      valid.push(f.integration);
    }
    const first = group[0]!;
    // A stack file's own levels judge its state, as they judge its plan and its deployments.
    const stackCtx = withStackEnforcement(ctx, first.enforcement);
    const report = judge(stackCtx.engine, {
      now: stackCtx.now,
      ...(first.stack !== undefined ? { stack: { name: first.stack, ...(first.residency ? { residency: first.residency } : {}) } } : {}),
      integrations: valid,
      exceptions: stackCtx.exceptions,
      enforcement: stackCtx.enforcement,
    });
    // A name's first flow owns its violations: one lookup each, not a scan of the group.
    const byName = new Map<string, Flow>();
    for (const f of group) if (!byName.has(f.integration.name)) byName.set(f.integration.name, f);
    for (const v of report.violations) {
      const owner = byName.get(v.integration);
      if (owner) perFlow.get(owner)!.push(v);
    }
  }
  return { violations: perFlow, warnings };
}
