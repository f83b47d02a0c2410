import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allowlistSchema } from "../../src/model/allowlist.ts";
import { AllowlistError, parseAllowlist } from "../../src/runtime/index.ts";
import { allowlist, digest } from "./helpers.ts";

/*
 * The guard checks allow-lists by hand (no zod in a browser bundle); the zod schema is the source
 * of truth. Both must accept and refuse the same documents.
 */

const valid = allowlist([
  {
    name: "product-analytics",
    vendor: "mixpanel",
    verdict: "pass",
    destination: { url: "https://api-eu.mixpanel.com/track" },
    fields: [
      { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
      { path: "properties.$os", category: "user.device", transform: "none" },
    ],
  },
]);

function agree(doc: unknown): void {
  const zod = allowlistSchema.safeParse(doc).success;
  let runtime = true;
  try {
    parseAllowlist(doc);
  } catch (err) {
    if (!(err instanceof AllowlistError)) throw err;
    runtime = false;
  }
  expect(runtime, JSON.stringify(doc)).toBe(zod);
}

// Values chosen near the edges of each property's shape.
const mutations: [string, unknown[]][] = [
  ["kind", ["vendorgate/allowlist", "vendorgate/allowlist2", undefined, 1]],
  ["schemaVersion", [1, 2, "1", undefined]],
  ["source", ["plan", "state", "deploy", "manifest", undefined]],
  ["stack", ["dev", "", 3, undefined]],
  ["policy", [{ bundleDigest: digest }, { bundleDigest: "sha256:abc" }, { bundleDigest: digest, extra: 1 }, {}, null, undefined]],
  ["verdict", ["pass", "blocked", "PASS", undefined]],
  ["integrations", [[], "x", undefined]],
  ["extra", [undefined, 1]],
];
const integrationMutations: [string, unknown[]][] = [
  ["name", ["product-analytics", "Product", "", "-x", 1]],
  ["vendor", ["mixpanel", "Mix Panel", undefined]],
  ["verdict", ["pass", "blocked", "unjudged"]],
  ["destination", [{ url: "https://api.mixpanel.com/track" }, { url: "not a url" }, { url: "https://u:p@h.example/" }, { url: "https://h.example/", region: "eu" }, { url: "mailto:x" }]],
  ["extra", [undefined, true]],
];
const fieldMutations: [string, unknown[]][] = [
  ["path", ["a.b", "", "a..b", ".a", "a.", "__proto__", "a.constructor", "prototype.x", "$os", "a b"]],
  ["category", ["user.device", "User.Device", "user..device", "", 3]],
  ["transform", ["none", "hash", "pseudonymize", "truncate", "generalize", "encrypt", undefined]],
  ["extra", [undefined, "x"]],
];

const set = (o: Record<string, unknown>, k: string, v: unknown) => {
  const copy = { ...o };
  if (v === undefined) delete copy[k];
  else copy[k] = v;
  return copy;
};

const pick = (table: [string, unknown[]][]) => fc.constantFrom(...table).chain(([k, vs]) => fc.constantFrom(...vs).map((v) => [k, v] as const));

describe("allow-list check", () => {
  it("accepts what `vendorgate allowlist` writes", () => {
    expect(parseAllowlist(valid)).toEqual(valid);
    expect(allowlistSchema.parse(valid)).toEqual(valid);
  });

  it("the guard's check and the zod schema agree (property test over mutated documents)", () => {
    fc.assert(
      fc.property(fc.array(pick(mutations), { maxLength: 2 }), fc.array(pick(integrationMutations), { maxLength: 2 }), fc.array(pick(fieldMutations), { maxLength: 2 }), fc.boolean(), (top, integ, field, duplicate) => {
        const base = structuredClone(valid) as unknown as Record<string, unknown> & { integrations: Record<string, unknown>[] };
        let f = (base.integrations[0]!.fields as Record<string, unknown>[])[0]!;
        for (const [k, v] of field) f = set(f, k, v);
        let i: Record<string, unknown> = { ...base.integrations[0]!, fields: [f, (base.integrations[0]!.fields as unknown[])[1]] };
        for (const [k, v] of integ) i = set(i, k, v);
        let doc: Record<string, unknown> = { ...base, integrations: duplicate ? [i, i] : [i] };
        for (const [k, v] of top) doc = set(doc, k, v);
        agree(doc);
      }),
      { numRuns: 2000 },
    );
  });

  it("a deploy-recorded list may omit the bundle digest; a judged one may not", () => {
    const { policy: _policy, ...rest } = valid;
    agree({ ...rest, source: "deploy" });
    expect(() => parseAllowlist({ ...rest, source: "deploy" })).not.toThrow();
    expect(() => parseAllowlist(rest)).toThrow(/policy: missing/);
  });

  it("the guard's copy is its own: changing the document afterwards changes nothing", () => {
    const doc = structuredClone(valid);
    const parsed = parseAllowlist(doc);
    doc.integrations[0]!.fields[0]!.path = "properties.email";
    expect(parsed.integrations[0]!.fields[0]!.path).toBe("properties.distinct_id");
  });
});
