import type { PolicySummary } from "../policy/summary.ts";
import { escapeMarkdown, policyMarkdown } from "../report/markdown.ts";
import { isEmptyDiff, type Change, type DataDiff, type IntegrationChange, type SideSummary, type ViolationSummary } from "./diff.ts";
import { flowchart } from "./mermaid.ts";

/*
 * The diff's formats: json (for scripts; the DataDiff as computed, key order fixed by the code
 * that builds it), markdown (the pull-request comment) and text (a terminal). Each is a pure
 * function of the diff, so the same inputs give the same bytes.
 */

export const diffFormatNames = ["text", "json", "markdown"] as const;
export type DiffFormatName = (typeof diffFormatNames)[number];

export interface DiffContext {
  vendorName: (key: string) => string;
  title?: string;
  /** The policy that judged the head side, folded at the end of the comment. */
  policy?: PolicySummary | undefined;
}

export function formatDiffJson(d: DataDiff): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}

const code = (s: string) => (/[`\r\n]/.test(s) ? escapeMarkdown(s) : `\`${s.replaceAll("|", "\\|")}\``);
const verdictMark = (s: SideSummary) => (s.verdict === "blocked" ? "❌ blocked" : "✅ passed");
const counts = (s: SideSummary) => `${s.summary.mandatory} mandatory, ${s.summary.advisory} advisory, ${s.summary.waived} waived`;
const arrow = <T>(c: Change<T>) => `${String(c.base)} → ${String(c.head)}`;

function changeLines(c: IntegrationChange, md: boolean): string[] {
  const q = (s: string) => (md ? code(s) : s);
  const out: string[] = [];
  if (c.vendor) out.push(`vendor ${q(c.vendor.base)} → ${q(c.vendor.head)}`);
  if (c.purpose) out.push(`purpose ${q(c.purpose.base)} → ${q(c.purpose.head)}`);
  if (c.subjects) {
    if (c.subjects.added.length) out.push(`subjects added: ${c.subjects.added.map(q).join(", ")}`);
    if (c.subjects.removed.length) out.push(`subjects removed: ${c.subjects.removed.map(q).join(", ")}`);
  }
  if (c.enabled) out.push(c.enabled.head ? "switched on" : "switched off (sends nothing)");
  if (c.destination?.url) out.push(`destination ${q(c.destination.url.base)} → ${q(c.destination.url.head)}`);
  if (c.destination?.region) out.push(`region ${q(c.destination.region.base)} → ${q(c.destination.region.head)}`);
  if (c.credentials) out.push(`credentials ${arrow(c.credentials)}`);
  for (const f of c.fields.added) out.push(`field added: ${q(f.path)} (${q(f.category)}, transform ${f.transform}${f.source !== undefined ? `, read from ${q(f.source)}` : ""})`);
  for (const f of c.fields.removed) out.push(`field removed: ${q(f.path)} (${q(f.category)})`);
  for (const f of c.fields.changed) {
    const parts = [
      f.category ? `category ${q(f.category.base)} → ${q(f.category.head)}` : "",
      f.transform ? `transform ${arrow(f.transform)}` : "",
      f.source ? `read from ${q(f.source.base)} → ${q(f.source.head)}` : "",
    ].filter(Boolean);
    out.push(`field ${q(f.path)}: ${parts.join(", ")}`);
  }
  return out;
}

function violationRow(v: ViolationSummary): string {
  const target = v.field !== undefined ? code(v.field) : v.resource !== undefined ? code(v.resource) : "—";
  return `| ${escapeMarkdown(v.rule)} | ${escapeMarkdown(v.integration)} | ${target} | ${v.severity} | ${escapeMarkdown(v.message)} |`;
}

/** The verdict moved although no declaration did: the policy, not the flows, changed it. */
const verdictByPolicy = (d: DataDiff) => d.flowsUnchanged && d.policy.changes.length > 0 && d.base.verdict !== d.head.verdict;

function policyReviewMarkdown(d: DataDiff): string[] {
  if (d.policy.changes.length === 0) return [];
  const out = ["### ⚠️ Policy inputs changed: needs security's review", ""];
  out.push(
    verdictByPolicy(d)
      ? "The data flows are the same on both sides; the verdict changed because the registry, exceptions or enforcement changed."
      : "This change also changes what judges the flows (the registry, exceptions or enforcement levels).",
    "",
  );
  out.push("| Input | base | head |", "|---|---|---|");
  for (const c of d.policy.changes) out.push(`| ${escapeMarkdown(c.input)} | ${c.base === null ? "—" : code(c.base)} | ${c.head === null ? "—" : code(c.head)} |`);
  out.push("");
  out.push(`Rules affected: ${d.policy.rules.length ? d.policy.rules.map(code).join(", ") : "—"}`);
  out.push(`Integrations affected: ${d.policy.integrations.length ? d.policy.integrations.map(code).join(", ") : "—"}`, "");
  return out;
}

export function formatDiffMarkdown(d: DataDiff, ctx: DiffContext): string {
  const title = escapeMarkdown(ctx.title ?? "vendorgate");
  const head = verdictByPolicy(d)
    ? `⚠️ ${title}: the verdict changed (${d.base.verdict} → ${d.head.verdict}) because the policy changed, not the data flows`
    : d.head.verdict === "blocked"
      ? `❌ ${title}: this change would be blocked`
      : `✅ ${title}: this change passes`;
  const out: string[] = [`## ${head}`, ""];
  out.push("| | base | head |", "|---|---|---|");
  out.push(`| source | ${code(d.base.file)} | ${code(d.head.file)} |`);
  if (d.base.stack !== null || d.head.stack !== null) out.push(`| stack | ${code(d.base.stack ?? "—")} | ${code(d.head.stack ?? "—")} |`);
  out.push(`| verdict | ${verdictMark(d.base)} | ${verdictMark(d.head)} |`);
  out.push(`| violations | ${counts(d.base)} | ${counts(d.head)} |`, "");

  out.push(...policyReviewMarkdown(d));
  if (isEmptyDiff(d)) {
    out.push("No change to the personal data this stack shares.", "");
    if (ctx.policy) out.push(...policyMarkdown(ctx.policy));
    return `${out.join("\n").trimEnd()}\n`;
  }

  const chart = flowchart(d.flows, ctx.vendorName);
  if (chart) out.push("### Data flows this change touches", "", "```mermaid", chart.trimEnd(), "```", "");

  const { added, removed, changed } = d.integrations;
  if (added.length + removed.length + changed.length > 0) {
    out.push("### Integrations", "");
    for (const i of added) {
      const state = i.enabled ? "" : " (disabled)";
      out.push(`- **added** ${code(i.name)}${state} → ${escapeMarkdown(ctx.vendorName(i.vendor))} at ${code(i.destination.url)} (${code(i.destination.region)}), purpose ${code(i.purpose)}`);
      for (const f of i.fields) out.push(`  - ${code(f.path)}: ${code(f.category)}${f.transform === "none" ? "" : `, ${f.transform}`}${f.source !== undefined ? `, read from ${code(f.source)}` : ""}`);
    }
    for (const i of removed) out.push(`- **removed** ${code(i.name)} → ${escapeMarkdown(ctx.vendorName(i.vendor))}`);
    for (const c of changed) {
      out.push(`- **changed** ${code(c.name)}`);
      for (const line of changeLines(c, true)) out.push(`  - ${line}`);
    }
    out.push("");
  }

  if (d.vendors.added.length + d.vendors.removed.length + d.categories.length > 0) {
    out.push("### Vendors and categories", "", "| Vendor | Categories now sent | Categories no longer sent |", "|---|---|---|");
    const vendors = [...new Set([...d.vendors.added, ...d.vendors.removed, ...d.categories.map((c) => c.vendor)])].sort();
    for (const v of vendors) {
      const c = d.categories.find((x) => x.vendor === v);
      const status = d.vendors.added.includes(v) ? " **(new vendor)**" : d.vendors.removed.includes(v) ? " (no longer receives data)" : "";
      out.push(`| ${escapeMarkdown(ctx.vendorName(v))}${status} | ${(c?.added ?? []).map(code).join(", ") || "—"} | ${(c?.removed ?? []).map(code).join(", ") || "—"} |`);
    }
    out.push("");
  }

  const table = ["| Rule | Integration | Field / resource | Severity | Message |", "|---|---|---|---|---|"];
  if (d.violations.introduced.length) out.push("### Violations this change introduces", "", ...table, ...d.violations.introduced.map(violationRow), "");
  if (d.violations.resolved.length) out.push("<details>", "<summary>Violations this change resolves</summary>", "", ...table, ...d.violations.resolved.map(violationRow), "", "</details>", "");
  const { introduced: raised, lifted } = d.violations.byPolicy;
  if (raised.length) out.push("### Violations the policy change raises", "", ...table, ...raised.map(violationRow), "");
  if (lifted.length) out.push("### Violations the policy change lifts (not fixed: the flows are unchanged)", "", ...table, ...lifted.map(violationRow), "");
  if (ctx.policy) out.push(...policyMarkdown(ctx.policy));
  return `${out.join("\n").trimEnd()}\n`;
}

export function formatDiffText(d: DataDiff, ctx: DiffContext): string {
  const out: string[] = [];
  const side = (name: string, s: SideSummary) => `${name}: ${s.file}${s.stack ? ` (stack ${s.stack})` : ""} — ${s.verdict}, ${counts(s)}`;
  out.push(side("base", d.base), side("head", d.head), "");
  if (isEmptyDiff(d)) out.push("No change to the personal data this stack shares.");
  for (const i of d.integrations.added) out.push(`+ ${i.name} → ${ctx.vendorName(i.vendor)} (${i.fields.map((f) => `${f.path}: ${f.category}`).join(", ")})${i.enabled ? "" : " [disabled]"}`);
  for (const i of d.integrations.removed) out.push(`- ${i.name} → ${ctx.vendorName(i.vendor)}`);
  for (const c of d.integrations.changed) {
    out.push(`~ ${c.name}`);
    for (const line of changeLines(c, false)) out.push(`    ${line}`);
  }
  for (const v of d.vendors.added) out.push(`new vendor: ${ctx.vendorName(v)}`);
  for (const c of d.categories) {
    if (c.added.length) out.push(`${ctx.vendorName(c.vendor)} now receives: ${c.added.join(", ")}`);
    if (c.removed.length) out.push(`${ctx.vendorName(c.vendor)} no longer receives: ${c.removed.join(", ")}`);
  }
  const line = (v: ViolationSummary) => `${v.rule} ${v.integration}${v.field ? ` ${v.field}` : ""}: ${v.message}`;
  if (d.violations.introduced.length) out.push("", "introduced:", ...d.violations.introduced.map((v) => `  ${v.severity === "mandatory" ? "✖" : "!"} ${line(v)}`));
  if (d.violations.resolved.length) out.push("", "resolved:", ...d.violations.resolved.map((v) => `  ✓ ${line(v)}`));
  if (d.policy.changes.length) {
    out.push("", "policy inputs changed (needs security's review):");
    for (const c of d.policy.changes) out.push(`  ${c.input}: ${c.base ?? "—"} → ${c.head ?? "—"}`);
    if (verdictByPolicy(d)) out.push(`  the flows are unchanged: the verdict changed (${d.base.verdict} → ${d.head.verdict}) because of the policy`);
    out.push(`  rules affected: ${d.policy.rules.join(", ") || "—"}`, `  integrations affected: ${d.policy.integrations.join(", ") || "—"}`);
    const { introduced: raised, lifted } = d.violations.byPolicy;
    if (raised.length) out.push("  raised by the policy change:", ...raised.map((v) => `    ${v.severity === "mandatory" ? "✖" : "!"} ${line(v)}`));
    if (lifted.length) out.push("  lifted by the policy change (not fixed):", ...lifted.map((v) => `    ~ ${line(v)}`));
  }
  out.push("", d.head.verdict === "blocked" ? "head: deploy blocked" : "head: ok");
  return `${out.join("\n")}\n`;
}
