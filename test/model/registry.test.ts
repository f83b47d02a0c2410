import { describe, expect, it } from "vitest";
import { defaultTaxonomy, registrySchema, registryTaxonomy } from "../../src/model/index.ts";
import { problems } from "./helpers.ts";

const registry = (over: Record<string, unknown> = {}, vendor: Record<string, unknown> = {}) => ({
  apiVersion: "vendorgate/v1",
  prohibitedCategories: ["user.financial"],
  vendors: {
    mixpanel: {
      name: "Mixpanel",
      status: "approved",
      domains: ["mixpanel.com"],
      regions: ["us", "eu"],
      assurance: { dpa: { expires: "2027-06-30" }, soc2: { expires: "2026-12-31" } },
      approvals: [
        {
          purpose: "analytics.reporting",
          subjects: ["customer"],
          categories: ["user.device", "user.unique_id"],
          requireTransform: { "user.unique_id": ["hash", "pseudonymize"] },
        },
      ],
      ...vendor,
    },
  },
  ...over,
});

const schema = registrySchema(defaultTaxonomy);

describe("registry schema", () => {
  it("accepts the SPEC example and defaults assurance and approvals", () => {
    expect(problems(schema, registry())).toEqual([]);
    const parsed = schema.parse(registry({}, { assurance: undefined, approvals: undefined }));
    expect(parsed.vendors.mixpanel!.assurance).toEqual({});
    expect(parsed.vendors.mixpanel!.approvals).toEqual([]);
  });

  it("accepts the status history a suspension writes", () => {
    expect(
      problems(schema, registry({}, { status: "suspended", statusReason: "breach", statusChanged: "2025-11-27", statusBy: "sec@example.com" })),
    ).toEqual([]);
    expect(problems(schema, registry({}, { statusChanged: "27/11/2025" }))).toEqual([
      'vendors.mixpanel.statusChanged: expected a calendar date as YYYY-MM-DD, got "27/11/2025"',
    ]);
  });

  it("rejects unknown statuses, impossible dates and unknown assurance kinds", () => {
    expect(
      problems(schema, registry({}, { status: "paused", assurance: { dpa: { expires: "2026-02-29" }, iso27001: { expires: "2027-01-01" } } })),
    ).toEqual([
      'vendors.mixpanel.status: expected one of approved, under_review, suspended, prohibited, got "paused"',
      'vendors.mixpanel.assurance.dpa.expires: expected a calendar date as YYYY-MM-DD, got "2026-02-29"',
      'vendors.mixpanel.assurance: unknown property "iso27001" (expected dpa, soc2)',
    ]);
    // 2028 is a leap year
    expect(problems(schema, registry({}, { assurance: { dpa: { expires: "2028-02-29" } } }))).toEqual([]);
  });

  it("requires vendor keys and domains in canonical lowercase form", () => {
    const vendors = { "Acme CRM": registry().vendors.mixpanel };
    expect(problems(schema, registry({ vendors }))).toEqual([
      'vendors["Acme CRM"]: expected a vendor key of lowercase letters, digits and dashes, got "Acme CRM"',
    ]);
    expect(problems(schema, registry({}, { domains: ["https://mixpanel.com", "Mixpanel.com", "mixpanel"] }))).toEqual([
      'vendors.mixpanel.domains[0]: expected a lowercase host name such as mixpanel.com, got "https://mixpanel.com"',
      'vendors.mixpanel.domains[1]: expected a lowercase host name such as mixpanel.com, got "Mixpanel.com"',
      'vendors.mixpanel.domains[2]: expected a lowercase host name such as mixpanel.com, got "mixpanel"',
    ]);
  });

  it("checks taxonomy keys in prohibitions, approvals and transform requirements", () => {
    const approvals = [
      { purpose: "analytics.reportin", subjects: ["custome"], categories: ["user.devise"], requireTransform: { "user.devise": ["hash"] } },
    ];
    const out = problems(schema, registry({ prohibitedCategories: ["user.financal"] }, { approvals }));
    expect(out).toEqual([
      'prohibitedCategories[0]: unknown data category "user.financal" (expected a fideslang data category such as user.financial)',
      'vendors.mixpanel.approvals[0].purpose: unknown data use "analytics.reportin" (expected a fideslang data use such as analytics.reporting)',
      'vendors.mixpanel.approvals[0].subjects[0]: unknown data subject "custome" (expected a fideslang data subject such as customer)',
      'vendors.mixpanel.approvals[0].categories[0]: unknown data category "user.devise" (expected a fideslang data category such as user.device)',
      'vendors.mixpanel.approvals[0].requireTransform["user.devise"]: unknown data category "user.devise" (expected a fideslang data category such as user.device)',
    ]);
  });

  it("rejects a transform requirement the approval cannot apply, or one of `none`", () => {
    const approvals = [{ purpose: "analytics.reporting", categories: ["user.device"], requireTransform: { "user.contact.email": ["none"] } }];
    expect(problems(schema, registry({}, { approvals }))).toEqual([
      'vendors.mixpanel.approvals[0].requireTransform["user.contact.email"][0]: "none" is not a transform that makes a category acceptable (expected hash, pseudonymize, truncate, generalize)',
      `vendors.mixpanel.approvals[0].requireTransform["user.contact.email"]: "user.contact.email" is not covered by this approval's categories, so the requirement would never apply`,
    ]);
    // a requirement on a key below an approved category does apply
    const below = [{ purpose: "analytics.reporting", categories: ["user.unique_id"], requireTransform: { "user.unique_id.pseudonymous": ["hash"] } }];
    expect(problems(schema, registry({}, { approvals: below }))).toEqual([]);
  });

  it("requires prohibitedCategories and vendors even when empty, since leaving them out must not pass silently", () => {
    expect(problems(schema, { apiVersion: "vendorgate/v1" })).toEqual([
      "prohibitedCategories: missing required property (expected a list)",
      "vendors: missing required property (expected a mapping)",
    ]);
    expect(problems(schema, { apiVersion: "vendorgate/v1", prohibitedCategories: [], vendors: {} })).toEqual([]);
  });

  it("uses the registry's own taxonomy additions for its keys", () => {
    const data = registry({
      taxonomy: { dataCategories: [{ key: "user.contact.loyalty_id", name: "Loyalty ID" }] },
      prohibitedCategories: ["user.contact.loyalty_id"],
    });
    expect(problems(schema, data)).toHaveLength(1);
    expect(problems(registrySchema(registryTaxonomy(data)), data)).toEqual([]);
  });

  it("reports broken taxonomy additions under taxonomy.*", () => {
    const data = registry({ taxonomy: { dataUses: [{ key: "acme", name: "Acme" }, { key: "Bad Key", name: "" }], dataThings: [] } });
    expect(problems(registrySchema(registryTaxonomy(data)), data)).toEqual([
      "taxonomy.dataUses[1].key: expected a lowercase dotted key such as user.contact.loyalty_id",
      "taxonomy.dataUses[1].name: expected a non-empty string",
      'taxonomy: unknown property "dataThings" (expected dataCategories, dataUses, dataSubjects)',
      // the well-formed entries are still checked in the same pass
      'taxonomy.dataUses[0].key: "acme" has no parent: an added data use must hang under an existing one (such as essential.acme)',
    ]);
    const onlyRoot = registry({ taxonomy: { dataUses: [{ key: "acme", name: "Acme" }] } });
    expect(problems(registrySchema(registryTaxonomy(onlyRoot)), onlyRoot)).toEqual([
      'taxonomy.dataUses[0].key: "acme" has no parent: an added data use must hang under an existing one (such as essential.acme)',
    ]);
  });
});
