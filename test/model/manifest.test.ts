import { describe, expect, it } from "vitest";
import { defaultTaxonomy, extendTaxonomy, manifestSchema } from "../../src/model/index.ts";
import { problems } from "./helpers.ts";

const integration = (name: string, category = "user.device") => ({
  name,
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url: "https://api.mixpanel.com/track", region: "us" },
  fields: [{ path: "properties.$os", category }],
});

describe("manifest schema", () => {
  const schema = manifestSchema(defaultTaxonomy);

  it("accepts a manifest with and without a stack", () => {
    expect(problems(schema, { apiVersion: "vendorgate/v1", integrations: [integration("a")] })).toEqual([]);
    expect(
      problems(schema, { apiVersion: "vendorgate/v1", stack: { name: "prod", residency: ["eu", "eu-west-1"] }, integrations: [] }),
    ).toEqual([]);
  });

  it("requires the apiVersion, exactly", () => {
    expect(problems(schema, { integrations: [] })).toEqual(['apiVersion: missing required property (expected "vendorgate/v1")']);
    expect(problems(schema, { apiVersion: "vendorgate/v2", integrations: [] })).toEqual([
      'apiVersion: expected "vendorgate/v1", got "vendorgate/v2"',
    ]);
  });

  it("rejects a stack without a name and residency regions in the wrong form", () => {
    expect(problems(schema, { apiVersion: "vendorgate/v1", stack: { residency: ["EU"] }, integrations: [] })).toEqual([
      "stack.name: missing required property (expected a string)",
      'stack.residency[0]: expected a lowercase region code such as eu or us-east-1, got "EU"',
    ]);
  });

  it("reports each reuse of an integration name", () => {
    expect(
      problems(schema, { apiVersion: "vendorgate/v1", integrations: [integration("a"), integration("b"), integration("a"), integration("a")] }),
    ).toEqual([
      'integrations[2].name: duplicate integration name "a" (also at integrations[0])',
      'integrations[3].name: duplicate integration name "a" (also at integrations[0])',
    ]);
  });

  it("allows the same field path in different integrations", () => {
    expect(problems(schema, { apiVersion: "vendorgate/v1", integrations: [integration("a"), integration("b")] })).toEqual([]);
  });

  it("checks keys against the taxonomy it was built with, so registry additions are accepted", () => {
    const data = { apiVersion: "vendorgate/v1", integrations: [integration("a", "user.contact.loyalty_id")] };
    expect(problems(schema, data)).toHaveLength(1);
    const extended = extendTaxonomy(defaultTaxonomy, { dataCategories: [{ key: "user.contact.loyalty_id", name: "Loyalty ID" }] });
    expect(problems(manifestSchema(extended), data)).toEqual([]);
    // and the default schema is not affected by building the extended one
    expect(problems(schema, data)).toHaveLength(1);
  });

  it("rejects a stack of the wrong shape and unknown top-level properties", () => {
    expect(problems(schema, { apiVersion: "vendorgate/v1", stack: "prod", integrations: [], vendors: {} })).toEqual([
      'stack: expected a mapping, got "prod"',
      ': unknown property "vendors" (expected apiVersion, stack, integrations)',
    ]);
  });
});
