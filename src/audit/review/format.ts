import { escapeMarkdown } from "../../report/markdown.ts";
import type { Approval } from "../../model/index.ts";
import type { AssuranceState, Review, VendorReview } from "./review.ts";
import { printable } from "../../text/output.ts";

export const reviewFormats = ["text", "json", "markdown"] as const;
export type ReviewFormat = (typeof reviewFormats)[number];

const marker = { high: "▲", medium: "●", low: "·" } as const;

function assuranceText(a: AssuranceState): string {
  if (a.state === "missing") return "missing";
  if (a.state === "expired") return `${a.expires} (EXPIRED)`;
  if (a.state === "expiring") return `${a.expires} (${a.daysLeft}d left)`;
  return a.expires!;
}

function approvalText(a: Approval): string {
  const subjects = a.subjects ? ` (${a.subjects.join(", ")})` : " (any subject)";
  const req = a.requireTransform
    ? `; requires ${Object.entries(a.requireTransform)
        .map(([k, t]) => `${k}: ${t.join("|")}`)
        .join(", ")}`
    : "";
  return `${a.purpose}${subjects}: ${a.categories.join(", ") || "(no categories)"}${req}`;
}

function vendorText(v: VendorReview): string[] {
  const out = [
    `${v.vendor} (${printable(v.name)})  risk ${v.risk.level}${v.risk.score ? ` (${v.risk.score})` : ""}`,
    `  status ${v.status}${v.statusChanged ? ` since ${v.statusChanged}` : ""}${v.statusBy ? ` by ${printable(v.statusBy)}` : ""}${v.statusReason ? `: ${printable(v.statusReason)}` : ""}`,
    `  DPA ${assuranceText(v.assurance.dpa)}, SOC 2 ${assuranceText(v.assurance.soc2)}`,
  ];
  if (v.approvals.length) out.push("  approvals:", ...v.approvals.map((a, i) => `    [${i}] ${approvalText(a)}`));
  else out.push("  approvals: none");
  if (v.integrations.length) {
    out.push("  integrations:", ...v.integrations.map((i) => `    ${printable(i.stack)}/${printable(i.integration)} ${i.purpose}${i.enabled ? "" : " (switched off)"}  ${printable(i.source)}`));
  } else {
    out.push("  integrations: none");
  }
  if (v.findings.length) out.push("  findings:", ...v.findings.map((f) => `    ${marker[f.severity]} ${f.severity.padEnd(6)} ${f.kind}: ${printable(f.message)}`));
  else out.push("  findings: none");
  return out;
}

function formatText(r: Review): string {
  const out = [
    `Vendor review on ${r.now}: ${r.vendors.length} vendor(s), ${r.summary.high} high, ${r.summary.medium} medium, ${r.summary.low} low finding(s)`,
    `Flows from: ${r.sources.length ? r.sources.map(printable).join(", ") : "none (pass --manifest or deploy a stack: every approval looks unused)"}`,
  ];
  for (const v of r.vendors) out.push("", ...vendorText(v));
  return `${out.join("\n")}\n`;
}

const md = escapeMarkdown;
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;

function formatMarkdown(r: Review): string {
  const out = [
    `## Vendor review, ${r.now}`,
    "",
    `${r.summary.high} high, ${r.summary.medium} medium, ${r.summary.low} low finding(s). Flows from: ${r.sources.map((s) => `\`${s}\``).join(", ") || "none"}.`,
    "",
    row(["Vendor", "Status", "DPA", "SOC 2", "Integrations", "Risk"]),
    "|---|---|---|---|---|---|",
  ];
  for (const v of r.vendors) {
    out.push(
      row([
        `${md(v.name)} (\`${v.vendor}\`)`,
        v.status,
        assuranceText(v.assurance.dpa),
        assuranceText(v.assurance.soc2),
        String(v.integrations.filter((i) => i.enabled).length),
        `${v.risk.level}${v.risk.score ? ` (${v.risk.score})` : ""}`,
      ]),
    );
  }
  for (const v of r.vendors) {
    out.push("", `### ${md(v.name)} (\`${v.vendor}\`)`, "");
    if (v.statusReason) out.push(`Status ${v.status}${v.statusChanged ? ` since ${v.statusChanged}` : ""}: ${md(v.statusReason)}`, "");
    if (v.approvals.length) out.push("Approvals:", "", ...v.approvals.map((a, i) => `${i + 1}. ${md(approvalText(a))}`), "");
    if (v.findings.length) out.push(...v.findings.map((f) => `- **${f.severity}** ${f.kind}: ${md(f.message)}`));
    else out.push("No findings.");
  }
  return `${out.join("\n")}\n`;
}

export const reviewFormatters: Record<ReviewFormat, (r: Review) => string> = {
  text: formatText,
  json: (r) => `${JSON.stringify(r, null, 2)}\n`,
  markdown: formatMarkdown,
};
