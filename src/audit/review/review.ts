import type { Violation } from "../../engine/violation.ts";
import { covers, nameOf, vendorStatusRecord, type Approval, type Registry, type Taxonomy } from "../../model/index.ts";
import { isBlocking } from "../../report/format.ts";
import type { Flow } from "../../sources/flows.ts";
import { stackLabel } from "../../sources/flows.ts";
import { cmp, uniqueSorted } from "../../text/output.ts";
import { assuranceState, type AssuranceState } from "../assurance.ts";

export type { AssuranceState } from "../assurance.ts";

/*
 * The periodic vendor review the incident forces: for every vendor, where its paperwork stands
 * and whether its approvals grant more than the flows use. Least privilege is judged against the
 * flows as they stand now (manifests and the stacks' current state).
 */

export type FindingSeverity = "high" | "medium" | "low";

export type FindingKind =
  | "blocked-flows"
  | "dpa-missing"
  | "dpa-expired"
  | "dpa-expiring"
  | "soc2-expired"
  | "soc2-expiring"
  | "soc2-missing"
  | "identifier-untransformed"
  | "broad-approval"
  | "unused-category"
  | "unused-approval"
  | "approved-without-integration"
  | "approval-covers-prohibited";

export interface Finding {
  kind: FindingKind;
  severity: FindingSeverity;
  message: string;
  /** Index into the vendor's approvals, when the finding is about one. */
  approval?: number;
  category?: string;
  /** The narrower key(s) to approve instead, for broad approvals. */
  suggestion?: string[];
  integration?: string;
  stack?: string;
  field?: string;
}


export interface VendorReview {
  vendor: string;
  name: string;
  status: string;
  statusReason?: string;
  statusChanged?: string;
  statusBy?: string;
  assurance: { dpa: AssuranceState; soc2: AssuranceState };
  approvals: Approval[];
  integrations: { stack: string; integration: string; purpose: string; enabled: boolean; source: string }[];
  findings: Finding[];
  risk: { level: FindingSeverity | "none"; score: number };
}

export interface Review {
  now: string;
  /** Where the flows came from; with none, every approved vendor looks unused. */
  sources: string[];
  vendors: VendorReview[];
  summary: Record<FindingSeverity, number>;
}

/**
 * Categories that single a person out across datasets on their own: shipped as is, they let
 * whoever holds the vendor's data join it with any other breach.
 */
export const identifierCategories = [
  "user.unique_id",
  "user.device.device_id",
  "user.device.cookie_id",
  "user.device.ip_address",
  "user.account.username",
  "user.government_id",
] as const;

/** The engine's violations of each flow (judgeFlows). */
export type FlowVerdicts = ReadonlyMap<Flow, readonly Violation[]>;

const VENDOR_NOT_APPROVED = "VG002";
const PURPOSE_NOT_APPROVED = "VG003";

const weight: Record<FindingSeverity, number> = { high: 100, medium: 10, low: 1 };
const severityRank: Record<FindingSeverity | "none", number> = { high: 3, medium: 2, low: 1, none: 0 };


/**
 * Which of the flows an approval serves: its purpose covers theirs and its subjects all of theirs.
 * Whether a flow has any approval at all is VG003's verdict (the caller passes only the flows the
 * engine finds approved); this only says which one, and test/audit/review.test.ts holds the
 * two to the same answer.
 */
export function approvalUsers(approval: Approval, flows: readonly Flow[]): Flow[] {
  return flows.filter(
    (f) =>
      covers(approval.purpose, f.integration.purpose) &&
      (approval.subjects === undefined || f.integration.subjects.every((s) => approval.subjects!.some((a) => covers(a, s)))),
  );
}

const label = (taxonomy: Taxonomy, key: string) => {
  const name = nameOf(taxonomy, "categories", key);
  return name ? `${key} (${name})` : key;
};

/** The direct child of `parent` on the way down to `key`. */
const childToward = (parent: string, key: string) => key.slice(0, key.indexOf(".", parent.length + 1) < 0 ? key.length : key.indexOf(".", parent.length + 1));

function vendorFindings(
  vendor: string,
  registry: Registry,
  taxonomy: Taxonomy,
  flows: readonly Flow[],
  verdicts: FlowVerdicts,
  now: string,
  warningDays: number,
): { findings: Finding[]; dpa: AssuranceState; soc2: AssuranceState } {
  const v = registry.vendors[vendor]!;
  const findings: Finding[] = [];
  const enabled = flows.filter((f) => f.integration.enabled);

  const approved = enabled.filter((f) => !(verdicts.get(f) ?? []).some((x) => x.rule === PURPOSE_NOT_APPROVED));
  // Blocked is the engine's word (VG002 as enforced, exceptions applied), not the status read again.
  const blocked = enabled.filter((f) => (verdicts.get(f) ?? []).some((x) => x.rule === VENDOR_NOT_APPROVED && isBlocking(x)));
  if (blocked.length > 0) {
    findings.push({
      kind: "blocked-flows",
      severity: "high",
      message: `status is ${v.status}, yet ${blocked.length} integration(s) still send to it (${uniqueSorted(blocked.map((f) => `${stackLabel(f)}/${f.integration.name}`)).join(", ")}); they are blocked (VG002) until switched off or removed`,
    });
  }

  const dpa = assuranceState(v.assurance.dpa?.expires, now, warningDays);
  const soc2 = assuranceState(v.assurance.soc2?.expires, now, warningDays);
  if (dpa.state === "missing") findings.push({ kind: "dpa-missing", severity: "high", message: "no data processing agreement on record" });
  if (dpa.state === "expired") findings.push({ kind: "dpa-expired", severity: "high", message: `DPA expired on ${dpa.expires}` });
  if (dpa.state === "expiring") findings.push({ kind: "dpa-expiring", severity: "medium", message: `DPA expires on ${dpa.expires}, in ${dpa.daysLeft} day(s)` });
  if (soc2.state === "expired") findings.push({ kind: "soc2-expired", severity: "high", message: `SOC 2 report expired on ${soc2.expires}` });
  if (soc2.state === "expiring") findings.push({ kind: "soc2-expiring", severity: "medium", message: `SOC 2 report expires on ${soc2.expires}, in ${soc2.daysLeft} day(s)` });
  if (soc2.state === "missing") findings.push({ kind: "soc2-missing", severity: "low", message: "no SOC 2 report on record" });

  // An approval of a category above a prohibited one (user, above user.financial) reads as a
  // licence for the prohibited data too. VG006 refuses fields declared that broadly; the approval
  // itself should name the narrower categories it means.
  const prohibited = registry.prohibitedCategories;
  v.approvals.forEach((approval, index) => {
    for (const category of approval.categories) {
      const below = uniqueSorted(prohibited.filter((p) => p !== category && covers(category, p)));
      if (below.length === 0) continue;
      findings.push({
        kind: "approval-covers-prohibited",
        severity: "high",
        approval: index,
        category,
        message: `${label(taxonomy, category)} is approved for ${approval.purpose}, and it covers the prohibited ${below.join(", ")}: approve the narrower categories meant instead (fields declared as ${category} are VG006)`,
      });
    }
  });

  if (v.approvals.length > 0 && enabled.length === 0) {
    findings.push({
      kind: "approved-without-integration",
      severity: "medium",
      message: `${v.approvals.length} approval(s) (${uniqueSorted(v.approvals.map((a) => a.purpose)).join(", ")}) but no integration sends to it: remove the approvals until a flow needs them`,
    });
  } else {
    v.approvals.forEach((approval, index) => {
      const users = approvalUsers(approval, approved);
      if (users.length === 0) {
        findings.push({
          kind: "unused-approval",
          severity: "low",
          approval: index,
          message: `approval for ${approval.purpose} is used by no integration: remove it`,
        });
        return;
      }
      const used = users.flatMap((f) => f.integration.fields.map((x) => x.category));
      for (const category of approval.categories) {
        const under = uniqueSorted(used.filter((u) => covers(category, u)));
        if (under.length === 0) {
          findings.push({
            kind: "unused-category",
            severity: "low",
            approval: index,
            category,
            message: `${label(taxonomy, category)} is approved for ${approval.purpose} but no integration sends it: remove it from the approval`,
          });
          continue;
        }
        if (under.includes(category)) continue;
        const children = uniqueSorted(under.map((u) => childToward(category, u)));
        if (children.length === 1) {
          const suggestion = under.length === 1 ? under : children;
          findings.push({
            kind: "broad-approval",
            severity: "medium",
            approval: index,
            category,
            suggestion,
            message: `${label(taxonomy, category)} is approved for ${approval.purpose}, but only ${under.map((u) => label(taxonomy, u)).join(", ")} is sent: narrow the approval to ${suggestion.join(", ")}`,
          });
        }
      }
    });
  }

  for (const f of enabled) {
    for (const field of f.integration.fields) {
      if (field.transform !== "none" || !identifierCategories.some((id) => covers(id, field.category))) continue;
      findings.push({
        kind: "identifier-untransformed",
        severity: "medium",
        stack: stackLabel(f),
        integration: f.integration.name,
        field: field.path,
        category: field.category,
        message: `${stackLabel(f)}/${f.integration.name} sends identifier ${field.path} (${field.category}) as is: pseudonymize or hash it, and require that in the approval (requireTransform)`,
      });
    }
  }

  findings.sort(
    (a, b) =>
      severityRank[b.severity] - severityRank[a.severity] ||
      cmp(a.kind, b.kind) ||
      cmp(a.stack ?? "", b.stack ?? "") ||
      cmp(a.integration ?? "", b.integration ?? "") ||
      cmp(a.field ?? "", b.field ?? "") ||
      cmp(a.category ?? "", b.category ?? "") ||
      (a.approval ?? -1) - (b.approval ?? -1),
  );
  return { findings, dpa, soc2 };
}

/** `verdicts`: the engine's violations of each flow; `warningDays`: VG009's window (assuranceWarningDays of the bundle that judges). */
export function buildReview(registry: Registry, taxonomy: Taxonomy, flows: readonly Flow[], verdicts: FlowVerdicts, now: string, sources: string[], warningDays: number): Review {
  const vendors: VendorReview[] = Object.keys(registry.vendors).map((key) => {
    const v = registry.vendors[key]!;
    const mine = flows.filter((f) => f.integration.vendor === key);
    const { findings, dpa, soc2 } = vendorFindings(key, registry, taxonomy, mine, verdicts, now, warningDays);
    const score = findings.reduce((n, f) => n + weight[f.severity], 0);
    const level = findings.reduce<FindingSeverity | "none">((l, f) => (severityRank[f.severity] > severityRank[l] ? f.severity : l), "none");
    return {
      vendor: key,
      name: v.name,
      ...vendorStatusRecord(v),
      assurance: { dpa, soc2 },
      approvals: v.approvals,
      integrations: mine
        .map((f) => ({
          stack: stackLabel(f),
          integration: f.integration.name,
          purpose: f.integration.purpose,
          enabled: f.integration.enabled,
          source: f.file,
        }))
        .sort((a, b) => cmp(a.stack, b.stack) || cmp(a.integration, b.integration) || cmp(a.source, b.source)),
      findings,
      risk: { level, score },
    };
  });
  vendors.sort((a, b) => b.risk.score - a.risk.score || cmp(a.vendor, b.vendor));
  const summary: Record<FindingSeverity, number> = { high: 0, medium: 0, low: 0 };
  for (const v of vendors) for (const f of v.findings) summary[f.severity]++;
  return { now, sources, vendors, summary };
}
