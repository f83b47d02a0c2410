import type { Report, RuleInfo, Violation } from "../../src/engine/violation.ts";
import type { ReportContext } from "../../src/report/format.ts";
import { summarize } from "../../src/engine/summarize.ts";

function rule(id: string, name: string, title: string, severity: RuleInfo["severity"], remediation: string): RuleInfo {
  return { id, name, title, description: `${title}.`, severity, remediation, custom: false };
}

export const catalogue: readonly RuleInfo[] = [
  rule("VG001", "unknown-vendor", "Vendor not in the registry", "mandatory", "Register the vendor, or remove the integration."),
  rule("VG002", "vendor-not-approved", "Vendor not approved", "mandatory", "Wait for security to approve the vendor."),
  rule("VG003", "purpose-not-approved", "Purpose not approved for this vendor", "mandatory", "Ask security to approve the purpose."),
  rule("VG004", "category-not-approved", "Category not approved for this vendor", "mandatory", "Remove the field, or ask security to add the category to the approval."),
  rule("VG005", "transform-required", "Category needs a transform", "mandatory", "Apply one of the transforms the approval requires."),
  rule("VG006", "prohibited-category", "Prohibited category", "mandatory", "Remove the field; prohibited categories cannot be waived."),
  rule("VG007", "residency", "Destination outside the allowed regions", "mandatory", "Use an endpoint in an allowed region."),
  rule("VG008", "endpoint-not-vendor", "Endpoint is not the vendor's", "mandatory", "Send only to an https endpoint on a registered domain of the vendor."),
  rule("VG009", "assurance-expired", "Vendor assurance expired", "mandatory", "Ask security to renew the DPA or SOC 2 evidence."),
  rule("VG010", "undeclared-egress", "Undeclared egress", "mandatory", "Create the resource as a child of an Integration."),
  rule("VG011", "plaintext-credential", "Plaintext vendor credential", "mandatory", "Store the credential as a Pulumi secret."),
  rule("VG012", "exception-expired", "Exception expired", "advisory", "Renew the exception or fix the violation."),
];

function fromCatalogue(id: string, rest: Omit<Violation, "rule" | "name" | "title" | "remediation" | "severity"> & Partial<Violation>): Violation {
  const r = catalogue.find((x) => x.id === id);
  if (r === undefined) throw new Error(`fixture names unknown rule ${id}`);
  return { rule: r.id, name: r.name, title: r.title, severity: r.severity, remediation: r.remediation, ...rest };
}

/** Deliberately out of order: every formatter must sort for itself. */
export const violations: readonly Violation[] = [
  fromCatalogue("VG012", {
    integration: "crm-sync",
    message: "Exception EXC-7 expired on 2026-01-31; the violation it covered stands.",
  }),
  fromCatalogue("VG004", {
    integration: "support-chat",
    field: "properties.email",
    message: "Category user.contact.email is not approved for zendesk (purpose support.chat).",
    waivedBy: "EXC-42",
    location: { file: "manifest.yaml", line: 14, column: 9 },
  }),
  fromCatalogue("VG010", {
    integration: "orphan-webhook",
    resource: "urn:pulumi:prod::shop::aws:cloudwatch/eventApiDestination:EventApiDestination::orphan-webhook",
    message: "EventBridge API destination orphan-webhook sends to https://hooks.example.net/in, and no Integration owns it.",
  }),
  fromCatalogue("VG009", {
    integration: "product-analytics",
    severity: "advisory",
    message: "SOC 2 evidence for mixpanel expires on 2026-12-31, within 30 days.",
    location: { file: "manifest.yaml", line: 22, column: 3 },
  }),
  fromCatalogue("VG005", {
    integration: "product-analytics",
    field: "properties.distinct_id",
    // Every character some format has to escape: table pipes, markup, percent-encoding, a line
    // break and quotes.
    message: 'Category "user.unique_id" needs hash | pseudonymize; sent <raw> & 100% plain\nsee approval "analytics.reporting"',
    location: { file: "manifest.yaml", line: 31, column: 9 },
  }),
  fromCatalogue("VG004", {
    integration: "support-chat",
    field: "properties.name",
    message: "Category user.name is not approved for zendesk (purpose support.chat).",
    location: { file: "manifest.yaml", line: 16, column: 9 },
  }),
  fromCatalogue("VG009", {
    integration: "product-analytics",
    message: "DPA with mixpanel expired on 2026-06-30.",
    location: { file: "manifest.yaml", line: 22, column: 3 },
  }),
];

export const report: Report = { violations: [...violations], summary: summarize(violations) };

export const context: ReportContext = {
  catalogue,
  tool: { name: "vendorgate", version: "0.1.0", informationUri: "https://example.com/vendorgate" },
  source: "manifest.yaml",
  integrations: ["support-chat", "product-analytics", "newsletter", "crm-sync"],
};

export const emptyReport: Report = { violations: [], summary: { mandatory: 0, advisory: 0, waived: 0 } };
