import type { PolicyContext } from "../../policy/context.ts";
import type { Violation } from "../../engine/violation.ts";
import { covers, nameOf } from "../../model/index.ts";
import { judgeFlows } from "../judge-flows.ts";
import { isBlocking } from "../../report/format.ts";
import { compareFlows, type Flow, stackLabel } from "../../sources/flows.ts";
import { cmp, uniqueSorted } from "../../text/output.ts";
import { assuranceState } from "../assurance.ts";
import { displayUrl } from "../../model/url.ts";
import type { PolicySummary } from "../../policy/summary.ts";
import { assuranceWarningDays } from "../../engine/bundle.ts";

/*
 * What the HTML report shows, computed apart from the markup: each flow with its verdict from the
 * same engine `check` uses (judgeFlows), the vendors with what they are approved for and sent,
 * and the assurances that run out.
 */

export type Verdict = "blocked" | "advisory" | "pass" | "off";

export interface ReportFlow {
  id: string;
  stack: string;
  integration: string;
  vendor: string;
  purpose: string;
  source: string;
  endpoint: string;
  region: string;
  verdict: Verdict;
  fields: { path: string; category: string; transform: string }[];
  violations: Violation[];
}

export interface ReportVendor {
  vendor: string;
  name: string;
  status: string;
  statusReason?: string;
  known: boolean;
  approved: string[];
}

export interface Assurance {
  vendor: string;
  name: string;
  kind: "DPA" | "SOC 2";
  expires?: string;
  daysLeft?: number;
  state: "missing" | "expired" | "expiring" | "soon";
}

export interface ReportModel {
  now: string;
  tool: { name: string; version: string };
  sources: string[];
  flows: ReportFlow[];
  vendors: ReportVendor[];
  /** Columns of the matrix: every category sent or approved, sorted. */
  categories: { key: string; name: string }[];
  violations: (Violation & { stack: string; flowId: string })[];
  assurances: Assurance[];
  /** VG009's window: assurances ending within it are "expiring". */
  warningDays: number;
  warnings: string[];
  /** What judged: digests of the policy, signed bundle, registry and exceptions, overrides, disabled rules. */
  policy: PolicySummary;
}

/** Assurances ending within this many days are listed; within VG009's window (its METADATA) they are its advisories. */
export const ASSURANCE_HORIZON_DAYS = 90;

function verdictOf(violations: readonly Violation[], enabled: boolean): Verdict {
  if (!enabled) return "off";
  if (violations.some(isBlocking)) return "blocked";
  return violations.some((v) => v.waivedBy === undefined) ? "advisory" : "pass";
}

export function buildReportModel(ctx: PolicyContext, flows: readonly Flow[], sources: string[], tool: ReportModel["tool"]): ReportModel {
  const sorted = [...flows].sort(compareFlows);
  const { violations: perFlow, warnings } = judgeFlows(ctx, sorted);

  const reportFlows: ReportFlow[] = sorted.map((f, index) => {
    const violations = perFlow.get(f) ?? [];
    return {
      id: `flow-${index + 1}`,
      stack: stackLabel(f),
      integration: f.integration.name,
      vendor: f.integration.vendor,
      purpose: f.integration.purpose,
      source: f.file,
      endpoint: displayUrl(f.integration.destination.url),
      region: f.integration.destination.region,
      verdict: verdictOf(violations, f.integration.enabled),
      fields: f.integration.fields,
      violations,
    };
  });

  const vendorKeys = uniqueSorted([...Object.keys(ctx.registry.vendors), ...reportFlows.map((f) => f.vendor)]);
  const vendors: ReportVendor[] = vendorKeys.map((key) => {
    const v = ctx.registry.vendors[key];
    return {
      vendor: key,
      name: v?.name ?? key,
      status: v?.status ?? "unknown",
      ...(v?.statusReason ? { statusReason: v.statusReason } : {}),
      known: v !== undefined,
      approved: uniqueSorted((v?.approvals ?? []).flatMap((a) => a.categories)),
    };
  });

  const sent = reportFlows.filter((f) => f.verdict !== "off").flatMap((f) => f.fields.map((x) => x.category));
  const categories = uniqueSorted([...sent, ...vendors.flatMap((v) => v.approved)]).map((key) => ({
    key,
    name: nameOf(ctx.taxonomy, "categories", key) ?? key,
  }));

  const violations = reportFlows
    .flatMap((f) => f.violations.map((v) => ({ ...v, stack: f.stack, flowId: f.id })))
    .sort(
      (a, b) =>
        Number(isBlocking(b)) - Number(isBlocking(a)) ||
        Number(a.waivedBy !== undefined) - Number(b.waivedBy !== undefined) ||
        cmp(a.stack, b.stack) ||
        cmp(a.integration, b.integration) ||
        cmp(a.rule, b.rule) ||
        cmp(a.field ?? "", b.field ?? "") ||
        cmp(a.message, b.message),
    );

  const assurances: Assurance[] = [];
  const warningDays = assuranceWarningDays(ctx.engine.catalogue);
  for (const key of Object.keys(ctx.registry.vendors).sort(cmp)) {
    const v = ctx.registry.vendors[key]!;
    for (const [kind, doc] of [
      ["DPA", v.assurance.dpa],
      ["SOC 2", v.assurance.soc2],
    ] as const) {
      if (doc === undefined) {
        if (kind === "DPA") assurances.push({ vendor: key, name: v.name, kind, state: "missing" });
        continue;
      }
      const { daysLeft = 0, state } = assuranceState(doc.expires, ctx.now, warningDays);
      if (daysLeft > ASSURANCE_HORIZON_DAYS) continue;
      assurances.push({ vendor: key, name: v.name, kind, expires: doc.expires, daysLeft, state: state === "valid" ? "soon" : state });
    }
  }
  assurances.sort((a, b) => (a.daysLeft ?? -Infinity) - (b.daysLeft ?? -Infinity) || cmp(a.vendor, b.vendor) || cmp(a.kind, b.kind));

  return { now: ctx.now, tool, sources, flows: reportFlows, vendors, categories, violations, assurances, warningDays, warnings, policy: ctx.policy.summary };
}

/** Whether any approval of the vendor covers the category. */
export function approves(vendor: ReportVendor, category: string): boolean {
  return vendor.approved.some((a) => covers(a, category));
}
