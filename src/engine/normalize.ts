import { credentialParams, displayUrl, parseDestinationUrl, parseUrl } from "../model/url.ts";
import type { IntegrationInput } from "../model/integration.ts";
import type { EnforcementLevel } from "./violation.ts";

/*
 * The one place where declarations become policy input. Rego has no URL parser and no notion of
 * "today", so hosts, schemes and the evaluation date are settled here, once, and rules only compare.
 * The shapes are those of docs/architecture.md. Input types are structural so that the zod-inferred
 * model types, the Pulumi component args and test fixtures all fit without conversion; the
 * declaration's is derived from the model's schema.
 */

/**
 * The declaration shape comes from the model's zod schema (what a user writes: `enabled` and
 * `transform` may be left out), loosened the way the engine reads it: every string-literal union
 * (transforms, credential sources) is a string, since Rego compares strings and recorded state
 * may hold a value this version's enum does not (it is judged, not refused), and arrays are
 * readonly so that component args and fixtures fit without copies. Keys and optionality are the
 * schema's: a property added there is a property here.
 */
type Structural<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? readonly Structural<U>[]
    : T extends object
      ? { [K in keyof T]: Structural<T[K]> }
      : T;

export type DeclaredIntegration = Structural<IntegrationInput>;
export type DeclaredField = DeclaredIntegration["fields"][number];

/**
 * A declaration with its defaults filled in (`enabled`, each field's `transform`): what the
 * Integration component records as its outputs, and so what a stack's state holds.
 */
export type RecordedDeclaration = Omit<DeclaredIntegration, "enabled" | "subjects" | "fields"> & {
  enabled: boolean;
  subjects: string[];
  fields: (DeclaredField & { transform: string })[];
};

export interface DeclaredStack {
  name: string;
  residency?: readonly string[] | undefined;
}

export interface DeclaredException {
  id: string;
  rule: string;
  vendor: string;
  integration?: string | undefined;
  category?: string | undefined;
  field?: string | undefined;
  stacks?: readonly string[] | undefined;
  expires: string;
}

/** Where a resource sends data, as the egress catalogue (src/stack/egress-catalogue.ts) reads it. */
export interface Destination {
  /** What carries the data there, for messages: "subscription endpoint", "enrichment". */
  via: string;
  url?: string;
  host?: string;
  scheme?: string;
  account?: string;
  /** An in-account hop: judged where it lands, not here. */
  hop?: true;
  /** Nothing names where the data goes. */
  opaque?: true;
}

export interface Egress {
  destinations: Destination[];
  /**
   * Whether this resource decides which bytes leave (a target, a subscription, a stream) rather
   * than only being where they go (an API destination, a connection). An Integration describes
   * one flow, so it owns at most one sender.
   */
  sender: boolean;
  /** For a sender that selects event fields: the JSONPaths it forwards; null when whole events. */
  forwards?: string[] | null;
}

/** A cloud resource that can send data out, as found in a Pulumi program (plan / pack). */
export interface EgressResource extends Egress {
  urn: string;
  type: string;
  name: string;
  /** The Integration among its parents, or null when none owns it (VG010). */
  integration: string | null;
}

export interface WasmIntegration {
  name: string;
  vendor: string;
  purpose: string;
  subjects: string[];
  destination: { url: string; scheme: string; host: string; port?: number; region: string; credentialParams?: string[] };
  credentials?: { secret: boolean; source?: string };
  fields: { path: string; category: string; transform: string; source?: string }[];
}

/** A destination as the policy compares it: the URL parsed once, and only its scheme, host and port kept. */
export interface WasmDestination {
  via: string;
  /** scheme://host[:port] of a URL: what messages may print of it. */
  endpoint?: string;
  scheme?: string;
  host?: string;
  port?: number;
  account?: string;
  hop?: true;
  opaque?: true;
  /** Why the URL was refused (src/model/url.ts). */
  problem?: string;
  /** Names of query parameters that look like credentials (VG011). */
  credentialParams?: string[];
}

export interface WasmResource {
  urn: string;
  type: string;
  name: string;
  integration: string | null;
  sender: boolean;
  forwards?: string[] | null;
  destinations: WasmDestination[];
}

export interface WasmInput {
  now: string;
  stack?: { name: string; residency?: string[] };
  integrations: WasmIntegration[];
  resources: WasmResource[];
  exceptions: { id: string; rule: string; vendor: string; integration?: string; category?: string; field?: string; stacks?: string[]; expires: string }[];
  enforcement: Record<string, EnforcementLevel>;
}

export interface DeclaredRegistry {
  prohibitedCategories?: readonly string[] | undefined;
  policy?: { maxExceptionLifetimeDays?: number | undefined } | undefined;
  vendors: Record<
    string,
    {
      name: string;
      status: string;
      statusReason?: string | undefined;
      domains?: readonly string[] | undefined;
      hosts?: readonly string[] | undefined;
      ports?: readonly number[] | undefined;
      accounts?: readonly string[] | undefined;
      regionHosts?: Readonly<Record<string, readonly string[]>> | undefined;
      regions: readonly string[];
      assurance?: { dpa?: { expires: string } | undefined; soc2?: { expires: string } | undefined } | undefined;
      approvals?:
        | readonly {
            purpose: string;
            subjects?: readonly string[] | undefined;
            categories: readonly string[];
            requireTransform?: Record<string, readonly string[]> | undefined;
          }[]
        | undefined;
    }
  >;
}

export type WasmRegistry = ReturnType<typeof normalizeRegistry>;

function destinationOf(d: Destination): WasmDestination {
  const out: WasmDestination = { via: d.via };
  if (d.url !== undefined) {
    const parsed = parseUrl(d.url);
    if (parsed.ok) {
      Object.assign(out, parsed.value, { endpoint: displayUrl(d.url) });
      const params = credentialParams(d.url);
      if (params.length > 0) out.credentialParams = params;
    } else {
      out.problem = parsed.reason;
    }
  }
  if (d.host !== undefined) out.host = d.host;
  if (d.scheme !== undefined) out.scheme = d.scheme;
  if (d.account !== undefined) out.account = d.account;
  if (d.hop) out.hop = true;
  if (d.opaque) out.opaque = true;
  return out;
}

export function normalizeResource(r: EgressResource): WasmResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    integration: r.integration,
    sender: r.sender,
    ...(r.forwards !== undefined ? { forwards: r.forwards === null ? null : [...r.forwards] } : {}),
    destinations: r.destinations.map(destinationOf),
  };
}

/** Evaluation date as YYYY-MM-DD (UTC); rules compare dates as strings of that form. */
export function isoDate(now: Date | string): string {
  const d = typeof now === "string" ? new Date(withZone(now)) : now;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(now)}`);
  return d.toISOString().slice(0, 10);
}

/**
 * A date-time with no offset is read as UTC, never as the machine's local time: the verdict must
 * not depend on the TZ of the CI runner. A date-time with an offset is that instant, and the day
 * is the UTC day of it (2026-12-15T23:30:00-05:00 is 2026-12-16), for the CLI and library alike.
 */
export function withZone(value: string): string {
  return /[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
}

const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/*
 * normalizeIntegration and normalizeInput run for every integration and exception of every
 * judgement (a fifth of judge() at N = 1,000 when written with object spreads and three URL parses
 * per destination), so they assign properties one by one and parse each URL once.
 */
export function normalizeIntegration(i: DeclaredIntegration): WasmIntegration {
  const { url, region } = i.destination;
  const { parsed, credentialParams: params } = parseDestinationUrl(url);
  // A declaration's URL was refused at validation where parsers disagree; what reaches here parses.
  const at = parsed.ok ? parsed.value : { scheme: "", host: "", port: undefined };
  const destination: WasmIntegration["destination"] =
    at.port === undefined ? { url, scheme: at.scheme, host: at.host, region } : { url, scheme: at.scheme, host: at.host, port: at.port, region };
  if (params.length > 0) destination.credentialParams = params;
  const fields: WasmIntegration["fields"] = [];
  for (const f of i.fields) {
    fields.push(f.source === undefined ? { path: f.path, category: f.category, transform: f.transform ?? "none" } : { path: f.path, category: f.category, transform: f.transform ?? "none", source: f.source });
  }
  const c = i.credentials;
  return c
    ? { name: i.name, vendor: i.vendor, purpose: i.purpose, subjects: [...i.subjects], destination, credentials: c.source === undefined ? { secret: c.secret } : { secret: c.secret, source: c.source }, fields }
    : { name: i.name, vendor: i.vendor, purpose: i.purpose, subjects: [...i.subjects], destination, fields };
}

export function normalizeRegistry(r: DeclaredRegistry) {
  const vendors: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(r.vendors)) {
    vendors[key] = {
      name: v.name,
      status: v.status,
      ...opt("statusReason", v.statusReason),
      domains: (v.domains ?? []).map((d) => d.toLowerCase()),
      ...opt("hosts", v.hosts?.map((h) => h.toLowerCase())),
      ...opt("ports", v.ports ? [...v.ports] : undefined),
      ...opt("accounts", v.accounts ? [...v.accounts] : undefined),
      ...opt("regionHosts", v.regionHosts ? Object.fromEntries(Object.entries(v.regionHosts).map(([r, hs]) => [r, hs.map((h) => h.toLowerCase())])) : undefined),
      regions: [...v.regions],
      assurance: {
        ...opt("dpa", v.assurance?.dpa ? { expires: v.assurance.dpa.expires } : undefined),
        ...opt("soc2", v.assurance?.soc2 ? { expires: v.assurance.soc2.expires } : undefined),
      },
      approvals: (v.approvals ?? []).map((a) => ({
        purpose: a.purpose,
        ...opt("subjects", a.subjects ? [...a.subjects] : undefined),
        categories: [...a.categories],
        ...opt("requireTransform", a.requireTransform),
      })),
    };
  }
  return {
    prohibitedCategories: [...(r.prohibitedCategories ?? [])],
    vendors,
    ...opt("maxExceptionLifetimeDays", r.policy?.maxExceptionLifetimeDays),
  };
}

export interface JudgeRequest {
  now: Date | string;
  stack?: DeclaredStack | undefined;
  integrations: readonly DeclaredIntegration[];
  resources?: readonly EgressResource[] | undefined;
  exceptions?: readonly DeclaredException[] | undefined;
  enforcement?: Readonly<Record<string, EnforcementLevel>> | undefined;
}

type WasmException = WasmInput["exceptions"][number];

// Property by property, not with spreads: a shared exceptions file can hold thousands of entries.
function normalizeException(e: DeclaredException): WasmException {
  const out: Omit<WasmException, "expires"> & { expires?: string } = { id: e.id, rule: e.rule, vendor: e.vendor };
  if (e.integration !== undefined) out.integration = e.integration;
  if (e.category !== undefined) out.category = e.category;
  if (e.field !== undefined) out.field = e.field;
  if (e.stacks !== undefined) out.stacks = [...e.stacks];
  out.expires = e.expires;
  return out as WasmException;
}

export function normalizeInput(req: JudgeRequest): WasmInput {
  return {
    now: isoDate(req.now),
    ...opt(
      "stack",
      req.stack ? { name: req.stack.name, ...opt("residency", req.stack.residency ? [...req.stack.residency] : undefined) } : undefined,
    ),
    // A disabled flow sends nothing: it stays in the manifest for audit and is not judged.
    integrations: req.integrations.filter((i) => i.enabled !== false).map(normalizeIntegration),
    resources: (req.resources ?? []).map(normalizeResource),
    exceptions: (req.exceptions ?? []).map(normalizeException),
    enforcement: { ...(req.enforcement ?? {}) },
  };
}
