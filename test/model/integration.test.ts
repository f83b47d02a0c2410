import { describe, expect, it } from "vitest";
import { defaultTaxonomy, type IntegrationDeclaration, integrationSchema, type IntegrationInput } from "../../src/model/index.ts";
import { problems } from "./helpers.ts";

const schema = integrationSchema(defaultTaxonomy);

const mixpanel = (): IntegrationInput => ({
  name: "product-analytics",
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
  credentials: { secret: true },
  fields: [
    { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
    { path: "properties.$os", category: "user.device" },
  ],
});

describe("integration schema", () => {
  it("accepts the SPEC example and fills the defaults", () => {
    const parsed = schema.parse(mixpanel());
    expect(parsed.enabled).toBe(true);
    expect(parsed.fields[1]!.transform).toBe("none");
    expect(parsed.fields[0]!.transform).toBe("pseudonymize");
  });

  it("keeps enabled: false and allows no fields and no credentials", () => {
    const { credentials: _, ...rest } = mixpanel();
    const parsed = schema.parse({ ...rest, enabled: false, fields: [] });
    expect(parsed.enabled).toBe(false);
    expect(parsed.credentials).toBeUndefined();
  });

  it("accepts a plain-http endpoint: that is VG008's to judge, not an input error", () => {
    expect(problems(schema, { ...mixpanel(), destination: { url: "http://api.mixpanel.com/track", region: "us" } })).toEqual([]);
  });

  it("rejects bad names, empty subjects and unknown transforms", () => {
    expect(problems(schema, { ...mixpanel(), name: "Product_Analytics", subjects: [] })).toEqual([
      'name: expected lowercase letters, digits and dashes, starting with a letter or digit, got "Product_Analytics"',
      "subjects: expected at least one item",
    ]);
    expect(problems(schema, { ...mixpanel(), name: "-lead" })).toHaveLength(1);
    expect(problems(schema, { ...mixpanel(), fields: [{ path: "a", category: "user.device", transform: "encrypt" }] })).toEqual([
      'fields[0].transform: expected one of none, hash, pseudonymize, truncate, generalize, got "encrypt"',
    ]);
  });

  it("checks taxonomy keys of every vocabulary, with suggestions", () => {
    expect(
      problems(schema, {
        ...mixpanel(),
        purpose: "analytics.reportng",
        subjects: ["customers"],
        fields: [{ path: "email", category: "user.contact.emial" }],
      }),
    ).toEqual([
      'purpose: unknown data use "analytics.reportng" (expected a fideslang data use such as analytics.reporting)',
      'subjects[0]: unknown data subject "customers" (expected a fideslang data subject such as customer)',
      'fields[0].category: unknown data category "user.contact.emial" (expected a fideslang data category such as user.contact.email)',
    ]);
  });

  it("does not accept a key from the wrong vocabulary", () => {
    expect(problems(schema, { ...mixpanel(), purpose: "user.contact.email" })).toHaveLength(1);
    expect(problems(schema, { ...mixpanel(), subjects: ["user"] })).toHaveLength(1);
  });

  it("rejects destination URLs that are not URLs, lack a host, or carry credentials (without echoing them)", () => {
    const withUrl = (url: string) => problems(schema, { ...mixpanel(), destination: { url, region: "eu" } });
    expect(withUrl("api.mixpanel.com/track")).toEqual([
      'destination.url: expected a URL such as https://api.vendor.example/track, got "api.mixpanel.com/track"',
    ]);
    expect(withUrl("mailto:track")).toEqual([
      'destination.url: expected a URL with a host, such as https://api.vendor.example/track, got "mailto:track"',
    ]);
    const leaked = withUrl("https://bot:hunter2@api.mixpanel.com/track");
    expect(leaked).toHaveLength(1);
    expect(leaked[0]).toMatch(/^destination\.url: the URL carries credentials/);
    expect(leaked[0]).not.toContain("hunter2");
  });

  it("refuses URLs that parsers read differently (one URL parser)", () => {
    const withUrl = (url: string) => problems(schema, { ...mixpanel(), destination: { url, region: "eu" } });
    const refused = (url: string, why: RegExp) => {
      const p = withUrl(url);
      expect(p, url).toHaveLength(1);
      expect(p[0], url).toMatch(/^destination\.url: the URL is refused, since parsers would read it differently: /);
      expect(p[0], url).toMatch(why);
    };
    // WHATWG sends this to api.mixpanel.com; curl and Python's urllib to evil.com.
    refused("https://api.mixpanel.com\\@evil.com/track", /backslash/);
    refused("https://api\uFF0Emixpanel.com/track", /non-ASCII/);
    refused("https://api..mixpanel.com/track", /empty label/);
    refused("https://.mixpanel.com/track", /empty label/);
    refused("https://api%2Emixpanel.com/track", /percent/);
    refused("https://0x7f.1/track", /normalise/);
    expect(withUrl("https://api.mixpanel.com:99999/track")[0]).toMatch(/^destination\.url: expected a URL such as/);
    // A non-default port parses: whether the vendor uses it is VG008's question.
    expect(withUrl("https://api.mixpanel.com:8443/track")).toEqual([]);
    expect(withUrl("https://API.Mixpanel.com./track")).toEqual([]);
  });

  it("rejects upper-case regions, which would never match the registry", () => {
    expect(problems(schema, { ...mixpanel(), destination: { url: "https://api.mixpanel.com", region: "EU" } })).toEqual([
      'destination.region: expected a lowercase region code such as eu or us-east-1, got "EU"',
    ]);
  });

  it("requires credentials.secret to be a boolean, without repeating what was written there", () => {
    expect(problems(schema, { ...mixpanel(), credentials: { secret: "sk_live_51Habc" } })).toEqual([
      "credentials.secret: expected true or false, got a value that is not shown (it may be a credential)",
    ]);
    expect(problems(schema, { ...mixpanel(), credentials: "sk_live_51Habc" })).toEqual([
      "credentials: expected a mapping, got a value that is not shown (it may be a credential)",
    ]);
    const unparsable = problems(schema, { ...mixpanel(), destination: { url: "https://bot:hunter2@exa mple.com", region: "eu" } });
    expect(unparsable).toHaveLength(1);
    expect(unparsable[0]).not.toContain("hunter2");
    expect(problems(schema, { ...mixpanel(), credentials: {} })).toEqual([
      "credentials.secret: missing required property (expected true or false)",
    ]);
  });

  it("rejects unknown properties at every level, naming the accepted ones", () => {
    expect(
      problems(schema, {
        ...mixpanel(),
        owner: "team-a",
        destination: { url: "https://api.mixpanel.com", region: "eu", port: 443 },
        fields: [{ path: "a", category: "user.device", trnsform: "hash" }],
      }),
    ).toEqual([
      'destination: unknown property "port" (expected url, region)',
      'fields[0]: unknown property "trnsform" (expected path, category, transform, source)',
      // the root's path renders empty; the loaders point at the key itself
      ': unknown property "owner" (expected name, vendor, purpose, subjects, enabled, destination, credentials, fields)',
    ]);
  });

  it("reports every duplicate field path, even when other fields are invalid", () => {
    expect(
      problems(schema, {
        ...mixpanel(),
        fields: [
          { path: "email", category: "user.contact.email" },
          { path: "email", category: "user.contact.emial" },
          { path: "email", category: "user.name" },
        ],
      }),
    ).toEqual([
      'fields[1].category: unknown data category "user.contact.emial" (expected a fideslang data category such as user.contact.email)',
      'fields[1].path: duplicate field path "email" (also at fields[0])',
      'fields[2].path: duplicate field path "email" (also at fields[0])',
    ]);
  });

  it("names what is missing", () => {
    expect(problems(schema, { name: "x" })).toEqual([
      "vendor: missing required property (expected a string)",
      "purpose: missing required property (expected a string)",
      "subjects: missing required property (expected a list)",
      "destination: missing required property (expected a mapping)",
      "fields: missing required property (expected a list)",
    ]);
  });
});

describe("IntegrationDeclaration (the type Pulumi programs write against)", () => {
  it("accepts fideslang keys and rejects typos at compile time", () => {
    const ok: IntegrationDeclaration = {
      name: "support-chat",
      vendor: "zendesk",
      purpose: "essential.service.operations.support",
      subjects: ["customer"],
      destination: { url: "https://acme.zendesk.com/api/v2/tickets", region: "eu" },
      fields: [{ path: "requester.email", category: "user.contact.email" }],
    };
    const typo: IntegrationDeclaration = {
      ...ok,
      // @ts-expect-error -- not a fideslang data category
      fields: [{ path: "requester.email", category: "user.contact.emial" }],
    };
    // @ts-expect-error -- a data category is not a data use
    const wrongVocabulary: IntegrationDeclaration = { ...ok, purpose: "user.contact.email" };
    expect(problems(schema, ok)).toEqual([]);
    // and what tsc cannot see (a cast, a JavaScript caller) the schema still catches
    expect(problems(schema, typo)).toHaveLength(1);
    expect(problems(schema, wrongVocabulary)).toHaveLength(1);
  });
});
