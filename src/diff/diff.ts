import type { Summary, Violation } from "../engine/violation.ts";
import type { PolicySummary } from "../policy/summary.ts";
import { isBlocking } from "../report/index.ts";
import type { Declaration, Side } from "./load.ts";
import { displayUrl } from "../model/url.ts";

/*
 * What a change does to the data a stack shares: integrations, vendors, fields, categories,
 * transforms and destinations that appear, go or change, with each side's verdict. A disabled
 * integration sends nothing, so for vendors, categories and flows it counts as absent; the
 * integration list still shows it being switched on or off.
 *
 * Every list is sorted by plain code-unit order: the output must be byte-identical wherever it runs.
 */

export interface Change<T> {
  base: T;
  head: T;
}

export interface FieldSummary {
  path: string;
  category: string;
  transform: string;
  /** Where the pipeline reads the value in the event, when it says. */
  source?: string;
}

export interface FieldChange {
  path: string;
  category?: Change<string>;
  transform?: Change<string>;
  source?: Change<string>;
}

type Credentials = "secret" | "plain" | "none";

export interface IntegrationChange {
  name: string;
  vendor?: Change<string>;
  purpose?: Change<string>;
  subjects?: { added: string[]; removed: string[] };
  enabled?: Change<boolean>;
  destination?: { url?: Change<string>; region?: Change<string> };
  credentials?: Change<Credentials>;
  fields: { added: FieldSummary[]; removed: FieldSummary[]; changed: FieldChange[] };
}

export interface IntegrationSummary {
  name: string;
  vendor: string;
  purpose: string;
  enabled: boolean;
  destination: { url: string; region: string };
  fields: FieldSummary[];
}

/** One integration sending to one vendor: an edge of the flow chart. */
export interface Flow {
  integration: string;
  vendor: string;
  status: "added" | "removed" | "changed";
  /** Categories sent on the side where the flow exists (head, or base for a removed flow). */
  categories: string[];
  addedCategories: string[];
  removedCategories: string[];
}

export interface SideSummary {
  file: string;
  kind: Side["kind"];
  stack: string | null;
  verdict: "passed" | "blocked";
  summary: Summary;
}

/** A violation as diff shows it: the engine's violation, its identity and message only. */
export type ViolationSummary = Pick<Violation, "rule" | "severity" | "integration" | "field" | "resource" | "message">;

/** One policy input that differs between the sides (null: that side has none, or did not say). */
export interface PolicyChange {
  input: "policy" | "signed bundle" | "registry" | "exceptions" | "enforcement" | "disabled rules";
  base: string | null;
  head: string | null;
}

/**
 * What changed in the policy that judged each side. A pull request may change the registry,
 * exceptions, vendorgate.yaml or a stack's enforcement along with (or instead of) the flows; any
 * such change needs security's review, and the verdict changes it causes are never "resolved".
 */
export interface PolicyDiff {
  changes: PolicyChange[];
  /** Rules whose verdicts or levels the policy change moved. */
  rules: string[];
  /** Integrations whose verdicts moved although their declaration did not change. */
  integrations: string[];
}

export interface DataDiff {
  base: SideSummary;
  head: SideSummary;
  integrations: { added: IntegrationSummary[]; removed: IntegrationSummary[]; changed: IntegrationChange[] };
  vendors: { added: string[]; removed: string[] };
  categories: { vendor: string; added: string[]; removed: string[] }[];
  flows: Flow[];
  /**
   * Blocking or advisory findings present on one side only (waived ones count as resolved). Those
   * on integrations the change does not touch, when the policy changed, are the policy's doing:
   * `byPolicy`, never `resolved`.
   */
  violations: {
    introduced: ViolationSummary[];
    resolved: ViolationSummary[];
    byPolicy: { introduced: ViolationSummary[]; lifted: ViolationSummary[] };
  };
  policy: PolicyDiff;
  /** True when no integration was added, removed or changed: any verdict change is the policy's. */
  flowsUnchanged: boolean;
}

const digestOrNull = (x: { digest: string } | undefined) => x?.digest ?? null;
const overrideKey = (o: PolicySummary["enforcement"][number]) => `${o.rule} ${o.level} (${o.source} ${o.file})`;

/** The policy inputs that differ; a side without a policy record differs from one with it. */
export function policyChanges(base: PolicySummary | undefined, head: PolicySummary | undefined): PolicyChange[] {
  const out: PolicyChange[] = [];
  const add = (input: PolicyChange["input"], b: string | null, h: string | null) => {
    if (b !== h) out.push({ input, base: b, head: h });
  };
  add("policy", base?.bundle.wasm ?? null, head?.bundle.wasm ?? null);
  add("signed bundle", digestOrNull(base?.bundle.signed), digestOrNull(head?.bundle.signed));
  add("registry", digestOrNull(base?.registry), digestOrNull(head?.registry));
  add("exceptions", digestOrNull(base?.exceptions), digestOrNull(head?.exceptions));
  const list = (xs: readonly string[] | undefined) => (xs === undefined ? null : xs.length ? [...xs].sort(cmp).join("; ") : "none");
  add("enforcement", list(base?.enforcement.map(overrideKey)), list(head?.enforcement.map(overrideKey)));
  add("disabled rules", list(base?.disabled), list(head?.disabled));
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort(cmp);
const minus = (a: Iterable<string>, b: Iterable<string>) => {
  const drop = new Set(b);
  return sorted([...a].filter((x) => !drop.has(x)));
};

const fieldOf = (f: Declaration["fields"][number]): FieldSummary => ({
  path: f.path,
  category: f.category,
  transform: f.transform ?? "none",
  ...(f.source !== undefined ? { source: f.source } : {}),
});
const credentialsOf = (i: Declaration): Credentials => (i.credentials ? (i.credentials.secret ? "secret" : "plain") : "none");
const enabled = (i: Declaration) => i.enabled !== false;

function summaryOf(i: Declaration): IntegrationSummary {
  return {
    name: i.name,
    vendor: i.vendor,
    purpose: i.purpose,
    enabled: enabled(i),
    destination: { url: displayUrl(i.destination.url), region: i.destination.region },
    fields: i.fields.map(fieldOf).sort((a, b) => cmp(a.path, b.path)),
  };
}

function change<T>(base: T, head: T): Change<T> | undefined {
  return base === head ? undefined : { base, head };
}

function integrationChange(b: Declaration, h: Declaration): IntegrationChange | undefined {
  const out: IntegrationChange = { name: h.name, fields: { added: [], removed: [], changed: [] } };
  const set = <K extends keyof IntegrationChange>(k: K, v: IntegrationChange[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("vendor", change(b.vendor, h.vendor));
  set("purpose", change(b.purpose, h.purpose));
  const subjectsAdded = minus(h.subjects, b.subjects);
  const subjectsRemoved = minus(b.subjects, h.subjects);
  if (subjectsAdded.length || subjectsRemoved.length) out.subjects = { added: subjectsAdded, removed: subjectsRemoved };
  set("enabled", change(enabled(b), enabled(h)));
  const url = change(displayUrl(b.destination.url), displayUrl(h.destination.url));
  const region = change(b.destination.region, h.destination.region);
  if (url || region) out.destination = { ...(url ? { url } : {}), ...(region ? { region } : {}) };
  set("credentials", change(credentialsOf(b), credentialsOf(h)));

  const bf = new Map(b.fields.map((f) => [f.path, fieldOf(f)]));
  const hf = new Map(h.fields.map((f) => [f.path, fieldOf(f)]));
  for (const path of sorted([...bf.keys(), ...hf.keys()])) {
    const x = bf.get(path);
    const y = hf.get(path);
    if (!x) out.fields.added.push(y!);
    else if (!y) out.fields.removed.push(x);
    else {
      const category = change(x.category, y.category);
      const transform = change(x.transform, y.transform);
      // A field read from another place in the event is another value under the same name.
      const source = change(x.source ?? "(default)", y.source ?? "(default)");
      if (category || transform || source) {
        out.fields.changed.push({ path, ...(category ? { category } : {}), ...(transform ? { transform } : {}), ...(source ? { source } : {}) });
      }
    }
  }
  const { fields, name: _name, ...rest } = out;
  const changed = Object.keys(rest).length > 0 || fields.added.length + fields.removed.length + fields.changed.length > 0;
  return changed ? out : undefined;
}

/** vendor -> categories it receives, over enabled integrations. */
function categoriesByVendor(integrations: readonly Declaration[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const i of integrations.filter(enabled)) {
    const set = out.get(i.vendor) ?? new Set<string>();
    for (const f of i.fields) set.add(f.category);
    out.set(i.vendor, set);
  }
  return out;
}

function flows(base: readonly Declaration[], head: readonly Declaration[], changedNames: Set<string>): Flow[] {
  const edges = (side: readonly Declaration[]) => {
    const m = new Map<string, Set<string>>();
    for (const i of side.filter(enabled)) m.set(`${i.name}\u0000${i.vendor}`, new Set(i.fields.map((f) => f.category)));
    return m;
  };
  const b = edges(base);
  const h = edges(head);
  const out: Flow[] = [];
  for (const key of sorted([...b.keys(), ...h.keys()])) {
    const [integration, vendor] = key.split("\u0000") as [string, string];
    const x = b.get(key);
    const y = h.get(key);
    if (!x) out.push({ integration, vendor, status: "added", categories: sorted(y!), addedCategories: sorted(y!), removedCategories: [] });
    else if (!y) out.push({ integration, vendor, status: "removed", categories: sorted(x), addedCategories: [], removedCategories: sorted(x) });
    else if (changedNames.has(integration)) {
      out.push({ integration, vendor, status: "changed", categories: sorted(y), addedCategories: minus(y, x), removedCategories: minus(x, y) });
    }
  }
  return out;
}

const identity = (v: Violation) => JSON.stringify([v.rule, v.integration, v.field ?? null, v.resource ?? null, v.message]);

function violationSummary(v: Violation): ViolationSummary {
  return {
    rule: v.rule,
    severity: v.severity,
    integration: v.integration,
    ...(v.field !== undefined ? { field: v.field } : {}),
    ...(v.resource !== undefined ? { resource: v.resource } : {}),
    message: v.message,
  };
}

function sideSummary(s: Side): SideSummary {
  return {
    file: s.file,
    kind: s.kind,
    stack: s.stack?.name ?? null,
    verdict: s.report.violations.some(isBlocking) ? "blocked" : "passed",
    summary: s.report.summary,
  };
}

export function diffSides(base: Side, head: Side): DataDiff {
  const b = new Map(base.integrations.map((i) => [i.name, i]));
  const h = new Map(head.integrations.map((i) => [i.name, i]));
  const names = sorted([...b.keys(), ...h.keys()]);
  const added: IntegrationSummary[] = [];
  const removed: IntegrationSummary[] = [];
  const changed: IntegrationChange[] = [];
  for (const name of names) {
    const x = b.get(name);
    const y = h.get(name);
    if (!x) added.push(summaryOf(y!));
    else if (!y) removed.push(summaryOf(x));
    else {
      const c = integrationChange(x, y);
      if (c) changed.push(c);
    }
  }

  const bc = categoriesByVendor(base.integrations);
  const hc = categoriesByVendor(head.integrations);
  const categories = sorted([...bc.keys(), ...hc.keys()])
    .map((vendor) => ({ vendor, added: minus(hc.get(vendor) ?? [], bc.get(vendor) ?? []), removed: minus(bc.get(vendor) ?? [], hc.get(vendor) ?? []) }))
    .filter((c) => c.added.length + c.removed.length > 0);

  // Waived findings block nothing; a finding that becomes waived is resolved for the reader.
  const open = (s: Side) => s.report.violations.filter((v) => v.waivedBy === undefined);
  const bv = new Map(open(base).map((v) => [identity(v), v]));
  const hv = new Map(open(head).map((v) => [identity(v), v]));
  const byKey = (a: ViolationSummary, z: ViolationSummary) =>
    cmp(a.integration, z.integration) || cmp(a.rule, z.rule) || cmp(a.field ?? "", z.field ?? "") || cmp(a.resource ?? "", z.resource ?? "") || cmp(a.message, z.message);

  const changes = policyChanges(base.policy, head.policy);
  // With the policy changed, a verdict that moved on an integration the change leaves alone (or on
  // no integration at all) moved because of the policy.
  const touched = new Set([...added.map((i) => i.name), ...removed.map((i) => i.name), ...changed.map((c) => c.name)]);
  const byPolicy = (v: Violation) => changes.length > 0 && !touched.has(v.integration);
  const onlyIn = (a: Map<string, Violation>, b: Map<string, Violation>) => [...a].filter(([k]) => !b.has(k)).map(([, v]) => v);
  const introduced = onlyIn(hv, bv);
  const gone = onlyIn(bv, hv);
  const summarise = (vs: Violation[]) => vs.map(violationSummary).sort(byKey);
  const policyMoved = [...introduced, ...gone].filter(byPolicy);
  const enforcementRules = [...(base.policy?.enforcement ?? []), ...(head.policy?.enforcement ?? [])].map((o) => o.rule);

  return {
    base: sideSummary(base),
    head: sideSummary(head),
    integrations: { added, removed, changed },
    vendors: { added: minus(hc.keys(), bc.keys()), removed: minus(bc.keys(), hc.keys()) },
    categories,
    flows: flows(base.integrations, head.integrations, new Set(changed.map((c) => c.name))),
    violations: {
      introduced: summarise(introduced.filter((v) => !byPolicy(v))),
      resolved: summarise(gone.filter((v) => !byPolicy(v))),
      byPolicy: { introduced: summarise(introduced.filter(byPolicy)), lifted: summarise(gone.filter(byPolicy)) },
    },
    policy: {
      changes,
      rules: changes.length ? sorted([...policyMoved.map((v) => v.rule), ...enforcementRules]) : [],
      integrations: sorted(policyMoved.map((v) => v.integration)),
    },
    flowsUnchanged: touched.size === 0,
  };
}

/** Whether the change touches shared data at all (the comment says so instead of printing empty sections). */
export function isEmptyDiff(d: DataDiff): boolean {
  return (
    d.integrations.added.length + d.integrations.removed.length + d.integrations.changed.length === 0 &&
    d.violations.introduced.length + d.violations.resolved.length === 0 &&
    d.policy.changes.length === 0
  );
}
