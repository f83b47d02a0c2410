import fc from "fast-check";
import type {
  DeclaredException,
  DeclaredField,
  DeclaredIntegration,
  DeclaredRegistry,
  DeclaredStack,
  EgressResource,
} from "../../src/engine/normalize.ts";
import type { EnforcementLevel } from "../../src/engine/violation.ts";

/**
 * One judge request together with the registry it is judged against. This is also the shape of
 * the JSON fixtures in test/fixtures/fuzz, so a shrunk counterexample can be replayed as is.
 */
export interface FuzzCase {
  registry: DeclaredRegistry;
  now: string;
  stack?: DeclaredStack;
  integrations: DeclaredIntegration[];
  resources: EgressResource[];
  exceptions: DeclaredException[];
  enforcement: Record<string, EnforcementLevel>;
}

/*
 * Every pool below is small on purpose: the interesting cases are collisions (a field path named by
 * an exception, a resource named like an integration, a category one segment below an approved one),
 * and a wide alphabet would almost never produce them.
 */

// Real fideslang keys, parents with their children, plus user.device.cookie / user.device.cookie_id:
// the one pair in the taxonomy where a plain string prefix is not coverage.
const categories = [
  "user",
  "user.contact",
  "user.contact.email",
  "user.contact.address",
  "user.contact.address.city",
  "user.device",
  "user.device.cookie",
  "user.device.cookie_id",
  "user.device.ip_address",
  "user.unique_id",
  "user.unique_id.pseudonymous",
  "user.location",
  "user.location.imprecise",
  "user.behavior",
  "user.name",
  "user.financial",
  "user.financial.bank_account",
  "user.authorization.credentials",
] as const;

const prohibitable = ["user.financial", "user.authorization", "user.device.cookie", "user.contact.address", "user"] as const;

const purposes = [
  "analytics",
  "analytics.reporting",
  "analytics.reporting.ad_performance",
  "marketing.advertising",
  "marketing.advertising.third_party",
  "essential.service.operations.support",
] as const;


const transforms = ["none", "hash", "pseudonymize", "truncate", "generalize"] as const;
const statuses = ["approved", "under_review", "suspended", "prohibited"] as const;
const regions = ["us", "eu", "in", "ap"] as const;
const levels: readonly EnforcementLevel[] = ["mandatory", "advisory", "disabled"];
export const ruleIds = ["VG001", "VG002", "VG003", "VG004", "VG005", "VG006", "VG007", "VG008", "VG009", "VG010", "VG011", "VG012"] as const;

// "segment" is referenced by integrations far more often than it is registered, which keeps VG001
// and the "unknown vendor silences the rest" contract busy.
const vendorKeys = ["mixpanel", "zendesk", "stripe", "segment"] as const;

const domains = ["mixpanel.com", "MixPanel.com", "api.mixpanel.com", "zendesk.com", "zdassets.com", "stripe.com", "segment.io", "com"] as const;

// Subdomains, a trailing dot, mixed case, lookalikes (suffix, prefix, userinfo, path), a port,
// plain http, another scheme and something that is not a URL at all.
const urls = [
  "https://api.mixpanel.com/track",
  "https://mixpanel.com/",
  "https://API.MixPanel.com./track",
  "https://api-eu.mixpanel.com:8443/track",
  "http://api.mixpanel.com/track",
  "https://mixpanel.com.evil.io/track",
  "https://notmixpanel.com/track",
  "https://mixpanel.com@evil.io/track",
  "https://evil.io/mixpanel.com",
  "https://acme.zendesk.com/api/v2",
  "https://zendesk.com./api",
  "https://static.zdassets.com/x",
  "https://api.stripe.com/v1",
  "ftp://stripe.com/upload",
  "https://api.segment.io/v1/track",
  "not a url",
] as const;

// Names, paths, URNs and ids are handed out by position, so they are unique without rejection
// and the first few, which exceptions and resources name most often, are nearly always there.
const integrationNames = ["web", "app", "crm", "r1"] as const;
const resourceNames = ["r1", "r2", "web"] as const;
const urns = ["urn:a", "urn:b", "urn:c"] as const;
const fieldPaths = ["properties.email", "properties.$os", "user_id", "ip"] as const;
// EXC-10 sorts before EXC-2 although it comes later: "smallest id" must mean string order.
const exceptionIds = ["EXC-2", "EXC-10", "EXC-1", "EXC-11", "EXC-3", "EXC-9"] as const;

const named = <T, K extends string, N extends string>(arb: fc.Arbitrary<T>, key: K, names: readonly N[], size: fc.SizeForArbitrary = "medium") =>
  fc.array(arb, { maxLength: names.length, size }).map((xs) => xs.map((x, n) => ({ [key]: names[n]!, ...x }) as { [P in K]: N } & T));

// Leap day, month and year ends: date arithmetic in the policy must not care.
const nows = ["2026-11-29", "2028-02-28", "2026-12-31", "2027-03-01"] as const;
// Relative to now: boundaries of "expired" (-1/0) and of "within 30 days" (30/31).
const offsets = [-400, -31, -30, -1, 0, 1, 29, 30, 31, 32, 400] as const;

export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

/** A date drawn as an offset and resolved once `now` is known. */
type Later = (now: string) => string;
const dateArb: fc.Arbitrary<Later> = fc.constantFrom(...offsets).map((n) => (now: string) => addDays(now, n));

const oneOf = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const some = <T>(xs: readonly T[], maxLength: number, minLength = 0) => fc.subarray([...xs], { minLength, maxLength });
/** Mostly the first pool, sometimes anything from the second: steers towards collisions. */
const mostly = <T>(likely: readonly T[], any: readonly T[]) =>
  fc.oneof({ arbitrary: oneOf(likely), weight: 3 }, { arbitrary: oneOf(any), weight: 1 });

// Approvals lean on parent keys so that they often cover the fields' leaf keys, which is where
// VG004 and VG005 have something to decide.
const broadCategories = ["user", "user.device", "user.contact", "user.unique_id", "user.location", "user.device.cookie"] as const;
const broadPurposes = ["analytics", "analytics.reporting"] as const;

const approvalArb = fc.record(
  {
    purpose: mostly(broadPurposes, purposes),
    subjects: mostly([["customer"]], [["prospect"], ["customer", "employee"], ["employee"], []]),
    categories: fc.uniqueArray(mostly(broadCategories, categories), { minLength: 1, maxLength: 3 }),
    requireTransform: fc
      .uniqueArray(fc.tuple(mostly(broadCategories, categories), some(transforms, 2)), { selector: ([k]) => k, minLength: 1, maxLength: 2 })
      .map((entries) => Object.fromEntries(entries)),
  },
  { requiredKeys: ["purpose", "categories"] },
);

const vendorArb = fc.record(
  {
    status: mostly(["approved"], statuses),
    domains: some(domains, 2),
    regions: some(regions, 3),
    dpa: dateArb,
    soc2: dateArb,
    // Without approvals only VG003 speaks; keep that case (and shrink towards it) but rarer.
    approvals: fc.oneof({ arbitrary: fc.constant([]), weight: 1 }, { arbitrary: fc.array(approvalArb, { minLength: 1, maxLength: 3 }), weight: 5 }),
  },
  { requiredKeys: ["status", "domains", "regions"] },
);

const registryArb = fc.record({
  prohibited: some(prohibitable, 2),
  // 30 and 31 sit on the offsets' boundary; absent is the default of 365.
  maxExceptionLifetimeDays: fc.option(oneOf([30, 31, 365]), { nil: undefined, freq: 2 }),
  vendors: fc.record(
    { mixpanel: vendorArb, zendesk: vendorArb, stripe: vendorArb, segment: vendorArb },
    { requiredKeys: [] },
  ),
});

const fieldArb: fc.Arbitrary<Omit<DeclaredField, "path">> = fc.record(
  {
    category: mostly(["user.device.ip_address", "user.device.cookie_id", "user.unique_id", "user.contact.email", "user.location.imprecise"], categories),
    transform: oneOf(transforms),
  },
  { requiredKeys: ["category"] },
);

const integrationArb: fc.Arbitrary<Omit<DeclaredIntegration, "name">> = fc.record(
  {
    vendor: mostly(vendorKeys.slice(0, 3), vendorKeys),
    purpose: mostly(["analytics.reporting", "analytics.reporting.ad_performance"], purposes),
    // "employee" also trips the custom rule ACME001, which the comparison leaves out; the subject
    // still matters for VG003.
    subjects: mostly([["customer"]], [[], ["customer", "prospect"], ["employee"], ["prospect"]]),
    enabled: mostly([true], [false]),
    destination: fc.record({ url: oneOf(urls), region: oneOf(regions) }),
    credentials: fc.record({ secret: mostly([true], [false]) }),
    fields: named(fieldArb, "path", fieldPaths),
  },
  { requiredKeys: ["vendor", "purpose", "subjects", "destination", "fields"] },
);

const stackArb: fc.Arbitrary<DeclaredStack> = fc.record({ name: fc.constant("prod"), residency: some(regions, 2) }, { requiredKeys: ["name"] });

const resourceArb: fc.Arbitrary<Omit<EgressResource, "urn">> = fc
  .record({
    type: fc.constant("aws:cloudwatch/eventApiDestination:EventApiDestination"),
    name: oneOf(resourceNames),
    integration: mostly(["web", "app"], [null, ...integrationNames]),
    endpoint: fc.option(oneOf(urls), { nil: null }),
  })
  .map(({ endpoint, ...rest }) => ({ ...rest, sender: false, destinations: endpoint === null ? [] : [{ via: "invocation endpoint", url: endpoint }] }));

// Optional keys are drawn explicitly (and dropped when absent) because a record's optional keys
// are present most of the time, and an exception narrowed to a field cannot match the many rules
// that report no field.
const exceptionArb: fc.Arbitrary<Omit<DeclaredException, "id" | "expires"> & { expires: Later }> = fc
  .record({
    // The rules that fire most often, more often: an exception that matches nothing teaches little.
    rule: mostly(["VG003", "VG004", "VG005", "VG006", "VG007", "VG008", "VG009", "VG010", "VG011"], ruleIds),
    // Mostly the vendors integrations use; "acme" is in no registry.
    vendor: mostly(vendorKeys.slice(0, 3), [...vendorKeys, "acme"]),
    integration: fc.option(mostly(["web", "app"], [...integrationNames, ...resourceNames]), { nil: undefined, freq: 3 }),
    category: fc.option(mostly(broadCategories, categories), { nil: undefined, freq: 2 }),
    field: fc.option(oneOf(fieldPaths), { nil: undefined, freq: 2 }),
    stacks: fc.option(mostly([["prod"]], [["dev"], ["dev", "prod"]]), { nil: undefined, freq: 3 }),
    expires: dateArb,
  })
  .map(({ integration, category, field, stacks, ...rest }) => ({
    ...rest,
    ...(integration === undefined ? {} : { integration }),
    ...(category === undefined ? {} : { category }),
    ...(field === undefined ? {} : { field }),
    ...(stacks === undefined ? {} : { stacks }),
  }));

const enforcementArb = fc
  .uniqueArray(fc.tuple(oneOf(ruleIds), oneOf(levels)), { selector: ([k]) => k, maxLength: 3 })
  .map((entries) => Object.fromEntries(entries) as Record<string, EnforcementLevel>);

export const caseArb: fc.Arbitrary<FuzzCase> = fc
  .record(
    {
      now: oneOf(nows),
      registry: registryArb,
      stack: stackArb,
      integrations: named(integrationArb, "name", integrationNames, "small"),
      resources: named(resourceArb, "urn", urns.slice(0, 2), "small"),
      exceptions: named(exceptionArb, "id", exceptionIds),
      enforcement: enforcementArb,
    },
    { requiredKeys: ["now", "registry", "integrations", "resources", "exceptions", "enforcement"] },
  )
  .map(({ now, registry, stack, integrations, resources, exceptions, enforcement }): FuzzCase => {
    const vendors: DeclaredRegistry["vendors"] = {};
    for (const [key, v] of Object.entries(registry.vendors)) {
      const assurance: { dpa?: { expires: string }; soc2?: { expires: string } } = {};
      if (v.dpa) assurance.dpa = { expires: v.dpa(now) };
      if (v.soc2) assurance.soc2 = { expires: v.soc2(now) };
      vendors[key] = {
        name: key,
        status: v.status,
        domains: v.domains,
        regions: v.regions,
        assurance,
        ...(v.approvals ? { approvals: v.approvals } : {}),
      };
    }
    return {
      registry: {
        prohibitedCategories: registry.prohibited,
        vendors,
        ...(registry.maxExceptionLifetimeDays === undefined ? {} : { policy: { maxExceptionLifetimeDays: registry.maxExceptionLifetimeDays } }),
      },
      now,
      ...(stack ? { stack } : {}),
      integrations,
      resources,
      exceptions: exceptions.map((e) => ({ ...e, expires: e.expires(now) })),
      enforcement,
    };
  });
