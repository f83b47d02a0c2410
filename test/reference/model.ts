import type {
  DeclaredException,
  DeclaredIntegration,
  DeclaredRegistry,
  DeclaredStack,
  EgressResource,
} from "../../src/engine/normalize.ts";
import type { EnforcementLevel, Severity } from "../../src/engine/violation.ts";

/*
 * A second, independent statement of rules VG001..VG012 (SPEC.md section 2 and the exception and
 * enforcement contract of docs/architecture.md), in the plainest TypeScript that will do. It is
 * written without reading the Rego so that the differential fuzz test compares two readings of the
 * contract rather than one implementation with itself. Only the request types are shared with the
 * product; hosts, dates and coverage are recomputed here on purpose.
 *
 * Messages are not modelled: a violation is the tuple the contract fixes (rule, integration,
 * field, resource, severity, waivedBy). Where one rule can fire twice for the same tuple with two
 * different reasons (VG007, VG008, VG009), the model emits it twice, so comparisons must be by
 * multiset.
 */

export interface ModelRequest {
  registry: DeclaredRegistry;
  now: string;
  stack?: DeclaredStack | undefined;
  integrations: readonly DeclaredIntegration[];
  resources?: readonly EgressResource[] | undefined;
  exceptions?: readonly DeclaredException[] | undefined;
  enforcement?: Readonly<Record<string, EnforcementLevel>> | undefined;
}

export interface ModelViolation {
  rule: string;
  integration: string;
  field?: string;
  resource?: string;
  severity: Severity;
  waivedBy?: string;
}

type Vendor = DeclaredRegistry["vendors"][string];
type Approval = NonNullable<Vendor["approvals"]>[number];

export function covers(parent: string, child: string): boolean {
  return child === parent || child.startsWith(`${parent}.`);
}

const coveredByAny = (keys: readonly string[] | undefined, key: string): boolean => (keys ?? []).some((k) => covers(k, key));

const DAY_MS = 86_400_000;
const dayNumber = (iso: string): number => {
  const [y, m, d] = iso.split("-").map(Number);
  return Date.UTC(y!, m! - 1, d!) / DAY_MS;
};

/**
 * Scheme, host and explicit port as a browser would see them. The contract refuses a URL that
 * parsers could read differently (here: one with a user:password part or a backslash); a refused
 * or unparseable URL has neither scheme nor host.
 */
export function parseEndpoint(url: string): { scheme: string; host: string; port?: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { scheme: "", host: "" };
  }
  if (u.username !== "" || u.password !== "" || url.includes("\\")) return { scheme: "", host: "" };
  let host = u.hostname.toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  return { scheme: u.protocol.slice(0, -1).toLowerCase(), host, ...(u.port !== "" ? { port: Number(u.port) } : {}) };
}

function hostIsVendors(host: string, vendor: Vendor): boolean {
  if ((vendor.hosts ?? []).some((h) => h.toLowerCase() === host)) return true;
  return (vendor.domains ?? []).some((raw) => {
    const d = raw.toLowerCase();
    return host === d || host.endsWith(`.${d}`);
  });
}

// Own-property lookup: a vendor called "constructor" is unknown, not Object.prototype's.
function vendorOf(registry: DeclaredRegistry, key: string): Vendor | undefined {
  return Object.hasOwn(registry.vendors, key) ? registry.vendors[key] : undefined;
}

function matchingApprovals(vendor: Vendor, i: DeclaredIntegration): Approval[] {
  return (vendor.approvals ?? []).filter(
    (a) => covers(a.purpose, i.purpose) && (a.subjects === undefined || i.subjects.every((s) => coveredByAny(a.subjects, s))),
  );
}

const approvalCovers = (a: Approval, category: string): boolean => coveredByAny(a.categories, category);

/** True when the approval accepts the category only with transforms that do not include this one. */
function transformMissing(a: Approval, category: string, transform: string): boolean {
  return Object.entries(a.requireTransform ?? {}).some(([key, allowed]) => covers(key, category) && !allowed.includes(transform));
}

interface Raw {
  rule: string;
  integration: string;
  field?: string;
  resource?: string;
  severity: Severity;
}

function raw(rule: string, integration: string, extra: Partial<Raw> = {}): Raw {
  return { rule, integration, severity: "mandatory", ...extra };
}

function judgeIntegration(req: ModelRequest, i: DeclaredIntegration): Raw[] {
  const out: Raw[] = [];
  const prohibited = req.registry.prohibitedCategories ?? [];
  const isProhibited = (category: string) => coveredByAny(prohibited, category);

  // VG006 and VG011 do not depend on the vendor being known: a prohibited category is prohibited
  // for everyone, and a plaintext credential leaks whoever it is for.
  for (const f of i.fields) {
    if (isProhibited(f.category)) out.push(raw("VG006", i.name, { field: f.path }));
    // A category broader than a prohibited one may carry it.
    else if (prohibited.some((p) => p !== f.category && covers(f.category, p))) out.push(raw("VG006", i.name, { field: f.path }));
  }
  const plainSources = ["plain-config", "literal", "plain"];
  if (i.credentials !== undefined && (i.credentials.secret === false || plainSources.includes(i.credentials.source ?? ""))) out.push(raw("VG011", i.name));

  const vendor = vendorOf(req.registry, i.vendor);
  if (vendor === undefined) {
    out.push(raw("VG001", i.name));
    return out;
  }

  if (["under_review", "suspended", "prohibited"].includes(vendor.status)) out.push(raw("VG002", i.name));

  const matching = matchingApprovals(vendor, i);
  if (matching.length === 0) out.push(raw("VG003", i.name));
  for (const f of i.fields) {
    if (isProhibited(f.category) || matching.length === 0) continue;
    const covering = matching.filter((a) => approvalCovers(a, f.category));
    if (covering.length === 0) {
      out.push(raw("VG004", i.name, { field: f.path }));
      continue;
    }
    const transform = f.transform ?? "none";
    if (covering.every((a) => transformMissing(a, f.category, transform))) out.push(raw("VG005", i.name, { field: f.path }));
  }

  const region = i.destination.region;
  if (!vendor.regions.includes(region)) out.push(raw("VG007", i.name));
  if (req.stack?.residency !== undefined && !req.stack.residency.includes(region)) out.push(raw("VG007", i.name));

  // Plain http to a lookalike host is two mistakes with two remedies; the SPEC's "(or not https)"
  // leaves the count open and the WASM reports each, so the model does too.
  const dest = parseEndpoint(i.destination.url);
  if (dest.scheme !== "https") out.push(raw("VG008", i.name));
  if (!hostIsVendors(dest.host, vendor)) out.push(raw("VG008", i.name));
  const portOk = (port: number | undefined) => port === undefined || (vendor.ports ?? []).includes(port);
  if (!portOk(dest.port)) out.push(raw("VG008", i.name));
  const regional = vendor.regionHosts;
  const regionalOk = (host: string) => regional === undefined || (regional[region] ?? []).includes(host);
  if (!regionalOk(dest.host)) out.push(raw("VG008", i.name));
  // Owned resources: each destination must be the declared host or the vendor's, over https,
  // on a registered port, in the stack's account or one registered for the vendor.
  const owned = (req.resources ?? []).filter((r) => r.integration === i.name);
  for (const r of owned) {
    const problems = new Set<string>();
    for (const d of r.destinations) {
      let host = d.host;
      let scheme = d.scheme;
      let port: number | undefined;
      if (d.url !== undefined) {
        const parsed = parseEndpoint(d.url);
        if (parsed.host === "") {
          problems.add(`refused ${d.via}`);
          continue;
        }
        ({ host, scheme, port } = parsed);
      }
      if (host !== undefined && host !== dest.host && !hostIsVendors(host, vendor)) problems.add(`host ${host}`);
      if (host !== undefined && !regionalOk(host)) problems.add(`regional ${host}`);
      if (scheme !== undefined && scheme !== "https" && scheme !== "sftp") problems.add(`scheme ${host} ${scheme}`);
      if (!portOk(port)) problems.add(`port ${host} ${port}`);
      if (d.account !== undefined && !(vendor.accounts ?? []).includes(d.account)) problems.add(`account ${d.via} ${d.account}`);
      if (d.opaque) problems.add(`opaque ${d.via}`);
    }
    if (r.forwards === null) problems.add("whole events");
    const sources = new Set(i.fields.map((f) => f.source ?? `$.detail.${f.path}`));
    for (const path of r.forwards ?? []) if (!sources.has(path)) problems.add(`forwards ${path}`);
    for (const _ of problems) out.push(raw("VG008", i.name, { resource: r.urn }));
  }
  const senders = owned.filter((r) => r.sender);
  if (senders.length > 1) for (const r of senders) out.push(raw("VG008", i.name, { resource: r.urn }));

  const today = dayNumber(req.now);
  const assurance = (expires: string | undefined, missingIsMandatory: boolean) => {
    if (expires === undefined) {
      if (missingIsMandatory) out.push(raw("VG009", i.name));
      return;
    }
    const days = dayNumber(expires) - today;
    if (days < 0) out.push(raw("VG009", i.name));
    else if (days <= 30) out.push(raw("VG009", i.name, { severity: "advisory" }));
  };
  assurance(vendor.assurance?.dpa?.expires, true);
  assurance(vendor.assurance?.soc2?.expires, false);

  return out;
}

/** The longest an exception may run past `now`, in days: the registry's setting or 365. */
const maxLifetime = (req: ModelRequest): number => req.registry.policy?.maxExceptionLifetimeDays ?? 365;
const tooLong = (req: ModelRequest, e: DeclaredException): boolean => dayNumber(e.expires) - dayNumber(req.now) > maxLifetime(req);
const inForce = (req: ModelRequest, e: DeclaredException): boolean => e.expires >= req.now && !tooLong(req, e);
const appliesToStack = (req: ModelRequest, e: DeclaredException): boolean =>
  e.stacks === undefined || (req.stack !== undefined && e.stacks.includes(req.stack.name));

/**
 * An exception holds for the rule, the vendor (that of the declared integration the violation
 * names), and each of integration, field, category (covering the field's) and stacks it names.
 */
function matches(req: ModelRequest, judged: readonly DeclaredIntegration[], e: DeclaredException, v: Raw): boolean {
  if (e.rule !== v.rule || v.rule === "VG006") return false;
  if (e.integration !== undefined && e.integration !== v.integration) return false;
  if (e.field !== undefined && e.field !== v.field) return false;
  if (!appliesToStack(req, e)) return false;
  return judged.some(
    (i) =>
      i.name === v.integration &&
      i.vendor === e.vendor &&
      (e.category === undefined || i.fields.some((f) => f.path === v.field && covers(e.category!, f.category))),
  );
}

/** Every violation the contract requires for this request, waivers and enforcement applied, unsorted. */
export function referenceJudge(req: ModelRequest): ModelViolation[] {
  const found: Raw[] = [];
  const judged = req.integrations.filter((i) => i.enabled !== false);
  for (const i of judged) found.push(...judgeIntegration(req, i));
  // SPEC: VG010 is a resource "not owned by a declared integration". An owner that is not
  // declared owns nothing, and one that is switched off cannot vouch for a resource that still
  // sends: both count as unowned, exactly like a resource with no Integration among its parents.
  const owners = new Set(judged.map((i) => i.name));
  for (const r of req.resources ?? []) {
    if (r.integration === null || !owners.has(r.integration)) found.push(raw("VG010", r.name, { resource: r.urn }));
  }

  const exceptions = req.exceptions ?? [];
  const withWaivers: ModelViolation[] = [];
  // The SPEC leaves open what VG012 points at; the WASM gives it the field and resource of the
  // violation it covered, so a user sees which flow lost its waiver. It is keyed by exception and
  // that location, not by violation: when one expired exception covers two violations that differ
  // only by message (VG008 for http and for the host), the WASM reports it once, since Rego sets
  // drop equal objects.
  const notices = new Map<string, ModelViolation>();
  for (const v of found) {
    // SPEC: VG006 cannot be waived. The model layer rejects such an exception; here it must simply
    // have no effect, and since it never covered anything it never "expires" into a VG012 either.
    const matching = exceptions.filter((e) => matches(req, judged, e, v));
    const active = matching.filter((e) => inForce(req, e)).map((e) => e.id);
    if (active.length > 0) {
      withWaivers.push({ ...v, waivedBy: active.reduce((a, b) => (b < a ? b : a)) });
      continue;
    }
    withWaivers.push({ ...v });
    for (const e of matching.filter((x) => x.expires < req.now)) {
      const notice: ModelViolation = { rule: "VG012", integration: v.integration, severity: "advisory" };
      if (v.field !== undefined) notice.field = v.field;
      if (v.resource !== undefined) notice.resource = v.resource;
      notices.set(JSON.stringify(["expired", e.id, v.integration, v.field ?? null, v.resource ?? null]), notice);
    }
  }
  // Findings about the exceptions themselves: each points at the exception, grouped under the
  // integration it names (or "(exceptions)").
  const declared = new Set(judged.map((i) => i.name));
  const knownVendor = (e: DeclaredException) => Object.hasOwn(req.registry.vendors, e.vendor);
  for (const e of exceptions) {
    const about = (why: string) =>
      notices.set(JSON.stringify([why, e.id]), { rule: "VG012", integration: e.integration ?? "(exceptions)", severity: "advisory" });
    if (tooLong(req, e)) about("too long");
    if (!knownVendor(e)) about("unknown vendor");
    const inScope = appliesToStack(req, e) && knownVendor(e);
    if (inScope && e.integration !== undefined && !declared.has(e.integration)) about("unknown integration");
    if (inScope && (e.integration === undefined || declared.has(e.integration)) && !found.some((v) => matches(req, judged, e, v))) {
      about("matches nothing");
    }
  }
  // Notices are added after matching on purpose: an exception naming VG012 neither waives nor
  // "expires into" another notice, or the report could chase its own tail. The WASM agrees.
  withWaivers.push(...notices.values());

  // Overrides come after waivers (docs/architecture.md, step 3), so an expired exception on a
  // disabled rule still yields its VG012; VG012 itself is only silenced by disabling VG012.
  // VG006 keeps its level whatever the overrides say.
  const out: ModelViolation[] = [];
  for (const v of withWaivers) {
    const level = v.rule === "VG006" ? undefined : req.enforcement?.[v.rule];
    if (level === "disabled") continue;
    out.push(level === undefined ? v : { ...v, severity: level });
  }
  return out;
}

/** One comparable line per violation; sorting these gives a multiset both sides can agree on. */
export function tupleKey(v: ModelViolation): string {
  return JSON.stringify([v.rule, v.integration, v.field ?? null, v.resource ?? null, v.severity, v.waivedBy ?? null]);
}

export function tupleKeys(vs: readonly ModelViolation[]): string[] {
  return vs.map(tupleKey).sort();
}
