import type { EnforcementLevel } from "./violation.ts";

/*
 * The one place where declarations become policy input. Rego has no URL parser and no notion of
 * "today", so hosts, schemes and the evaluation date are settled here, once, and rules only compare.
 * The shapes are those of docs/architecture.md. Input types are structural so that the zod-inferred
 * model types, the Pulumi component args and test fixtures all fit without conversion.
 */

export interface DeclaredField {
  path: string;
  category: string;
  transform?: string | undefined;
}

export interface DeclaredIntegration {
  name: string;
  vendor: string;
  purpose: string;
  subjects: readonly string[];
  enabled?: boolean | undefined;
  destination: { url: string; region: string };
  credentials?: { secret: boolean } | undefined;
  fields: readonly DeclaredField[];
}

export interface DeclaredStack {
  name: string;
  residency?: readonly string[] | undefined;
}

export interface DeclaredException {
  id: string;
  rule: string;
  integration?: string | undefined;
  field?: string | undefined;
  expires: string;
}

/** A cloud resource that can send data out, as found in a Pulumi program (plan / pack). */
export interface EgressResource {
  urn: string;
  type: string;
  name: string;
  /** The Integration among its parents, or null when none owns it (VG010). */
  integration: string | null;
  endpoint: string | null;
}

export interface WasmIntegration {
  name: string;
  vendor: string;
  purpose: string;
  subjects: string[];
  destination: { url: string; scheme: string; host: string; region: string };
  credentials?: { secret: boolean };
  fields: { path: string; category: string; transform: string }[];
}

export interface WasmResource extends EgressResource {
  host: string | null;
}

export interface WasmInput {
  now: string;
  stack?: { name: string; residency?: string[] };
  integrations: WasmIntegration[];
  resources: WasmResource[];
  exceptions: { id: string; rule: string; integration?: string; field?: string; expires: string }[];
  enforcement: Record<string, EnforcementLevel>;
}

export interface DeclaredRegistry {
  prohibitedCategories?: readonly string[] | undefined;
  vendors: Record<
    string,
    {
      name: string;
      status: string;
      statusReason?: string | undefined;
      domains: readonly string[];
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

const hostOf = (url: string): { scheme: string; host: string } => {
  try {
    const u = new URL(url);
    // A trailing dot names the same host; without stripping it "mixpanel.com." would not match.
    return { scheme: u.protocol.replace(/:$/, ""), host: u.hostname.toLowerCase().replace(/\.$/, "") };
  } catch {
    return { scheme: "", host: "" };
  }
};

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

export function normalizeIntegration(i: DeclaredIntegration): WasmIntegration {
  return {
    name: i.name,
    vendor: i.vendor,
    purpose: i.purpose,
    subjects: [...i.subjects],
    destination: { url: i.destination.url, ...hostOf(i.destination.url), region: i.destination.region },
    ...opt("credentials", i.credentials ? { secret: i.credentials.secret } : undefined),
    fields: i.fields.map((f) => ({ path: f.path, category: f.category, transform: f.transform ?? "none" })),
  };
}

export function normalizeRegistry(r: DeclaredRegistry) {
  const vendors: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(r.vendors)) {
    vendors[key] = {
      name: v.name,
      status: v.status,
      ...opt("statusReason", v.statusReason),
      domains: v.domains.map((d) => d.toLowerCase()),
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
  return { prohibitedCategories: [...(r.prohibitedCategories ?? [])], vendors };
}

export interface JudgeRequest {
  now: Date | string;
  stack?: DeclaredStack | undefined;
  integrations: readonly DeclaredIntegration[];
  resources?: readonly EgressResource[] | undefined;
  exceptions?: readonly DeclaredException[] | undefined;
  enforcement?: Readonly<Record<string, EnforcementLevel>> | undefined;
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
    resources: (req.resources ?? []).map((r) => ({ ...r, host: r.endpoint ? hostOf(r.endpoint).host || null : null })),
    exceptions: (req.exceptions ?? []).map((e) => ({
      id: e.id,
      rule: e.rule,
      ...opt("integration", e.integration),
      ...opt("field", e.field),
      expires: e.expires,
    })),
    enforcement: { ...(req.enforcement ?? {}) },
  };
}
