import { ancestors, nameOf, type Registry, type Taxonomy } from "../../model/index.ts";
import type { Flow, FlowOrigin, FlowSet } from "../../sources/flows.ts";
import { plainName } from "./plain.ts";
import { cmp, dayOf, uniqueSorted } from "../../text/output.ts";
import { displayUrl } from "../../model/url.ts";

/*
 * The notification scope of a vendor incident: every field ever sent to the vendor, from the
 * manifests, the stacks' current state and every checkpoint of their history. A flow removed by
 * an earlier deploy still counts, because the vendor may still hold what it received; for such a
 * flow the checkpoints tell when it was first deployed and when a deploy removed it.
 */

export interface ExposureRecord {
  stack: string | undefined;
  integration: string;
  purpose: string;
  subjects: string[];
  endpoint: string;
  region: string;
  field: string;
  category: string;
  transform: string;
  /** First and last checkpoint (or state) that held the field, ISO 8601; absent for manifests. */
  firstSeen?: string;
  lastSeen?: string;
  /** When a later deploy no longer sent it; absent while it is still sent. */
  removed?: string;
  /** Still declared: in a stack's current state or an enabled manifest integration. */
  active: boolean;
  origins: FlowOrigin[];
  files: string[];
}

export interface Seen {
  firstSeen?: string;
  lastSeen?: string;
  removed?: string;
  active: boolean;
}

export interface NamedKey extends Seen {
  key: string;
  name: string;
  plain: string;
}

export interface CategoryExposure extends NamedKey {
  ancestors: { key: string; name: string }[];
  transforms: string[];
  fields: string[];
}

/**
 * A flow to the vendor in a stack's deployed state: its pipeline keeps sending until the stack's
 * next deploy removes it, whatever the registry now says (a status blocks deploys, not running
 * pipelines).
 */
export interface StillSending {
  stack: string;
  integration: string;
  endpoint: string;
  /** When the state holding it was written (the stack's last deploy). */
  deployed?: string;
  /** The state file or object it was read from. */
  source: string;
}

export interface Exposure {
  vendor: { key: string; name: string; status?: string; statusChanged?: string; statusReason?: string };
  since?: string;
  records: ExposureRecord[];
  categories: CategoryExposure[];
  subjects: NamedKey[];
  purposes: NamedKey[];
  stacks: (Seen & { stack: string })[];
  integrations: (Seen & { stack: string | undefined; integration: string })[];
  endpoints: (Seen & { url: string; region: string })[];
  /** From the first sighting to the last; `last` absent while data is still sent. */
  period: { first?: string; last?: string; active: boolean };
  /** From deployed state; empty when no backend was read (then `sources.backend` is absent). */
  stillSending: StillSending[];
  sources: { manifests: string[]; backend?: string; stacks: number; checkpoints: number; unreadable?: number };
}

interface Observation {
  time?: string;
  keys: Set<string>;
  kind: "state" | "history";
}

const keyOf = (r: Omit<ExposureRecord, keyof Seen | "origins" | "files">): string =>
  JSON.stringify([r.stack ?? null, r.integration, r.purpose, r.subjects, r.endpoint, r.region, r.field, r.category, r.transform]);

function recordsOf(flow: Flow): Omit<ExposureRecord, keyof Seen | "origins" | "files">[] {
  const i = flow.integration;
  return i.fields.map((f) => ({
    stack: flow.stack,
    integration: i.name,
    purpose: i.purpose,
    subjects: uniqueSorted(i.subjects),
    // Scheme and host only: a path or query may carry a token, and the notice is sent out.
    endpoint: displayUrl(i.destination.url),
    region: i.destination.region,
    field: f.path,
    category: f.category,
    transform: f.transform,
  }));
}

const minTime = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a < b ? a : b);
const maxTime = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a > b ? a : b);

function merge(into: Seen, from: Seen): void {
  const firstSeen = minTime(into.firstSeen, from.firstSeen);
  const lastSeen = maxTime(into.lastSeen, from.lastSeen);
  if (firstSeen !== undefined) into.firstSeen = firstSeen;
  if (lastSeen !== undefined) into.lastSeen = lastSeen;
  into.active ||= from.active;
  const removed = into.active ? undefined : maxTime(into.removed, from.removed);
  if (removed === undefined) delete into.removed;
  else into.removed = removed;
}

/** Kept by --since when data may have been sent on or after that day. */
function sentSince(s: Seen, since: string): boolean {
  if (s.active) return true;
  const until = dayOf(s.removed ?? s.lastSeen);
  return until === undefined || until >= since;
}

export function buildExposure(vendor: string, set: FlowSet, registry: Registry, taxonomy: Taxonomy, since?: string): Exposure {
  const records = new Map<string, ExposureRecord>();
  const add = (base: Omit<ExposureRecord, keyof Seen | "origins" | "files">, seen: Seen, origin: FlowOrigin, file: string) => {
    const k = keyOf(base);
    let r = records.get(k);
    if (!r) records.set(k, (r = { ...base, active: false, origins: [], files: [] }));
    merge(r, seen);
    if (!r.origins.includes(origin)) r.origins.push(origin);
    if (!r.files.includes(file)) r.files.push(file);
  };

  // A switched-off flow sends nothing, so only enabled declarations are exposure.
  const mine = set.flows.filter((f) => f.integration.vendor === vendor && f.integration.enabled);
  for (const flow of mine.filter((f) => f.origin === "manifest")) {
    for (const base of recordsOf(flow)) add(base, { active: true }, "manifest", flow.file);
  }

  // Per stack, the checkpoints in time order and then the current state: a field is active when
  // the state holds it, and was removed by the first later snapshot that lacks it.
  // Each stack's flows and snapshots are gathered in one pass over each list, and each flow's
  // records made once: a fleet has tens of thousands of checkpoints, and looking every stack's
  // up in the whole list made the work (and its garbage) grow with the square of the fleet.
  const byStack = new Map<string, Flow[]>();
  for (const f of mine) {
    if (f.origin === "manifest") continue;
    const s = JSON.stringify([f.project ?? "", f.stackName ?? ""]);
    const list = byStack.get(s);
    if (list) list.push(f);
    else byStack.set(s, [f]);
  }
  const snapsOf = new Map<string, typeof set.snapshots>();
  for (const snap of set.snapshots) {
    const s = JSON.stringify([snap.project, snap.stack]);
    if (!byStack.has(s)) continue;
    const list = snapsOf.get(s);
    if (list) list.push(snap);
    else snapsOf.set(s, [snap]);
  }
  for (const [stackKey, stackFlows] of byStack) {
    const snaps = snapsOf.get(stackKey) ?? [];
    const recordsByFlow = new Map(stackFlows.map((f) => [f, recordsOf(f).map((base) => ({ base, key: keyOf(base) }))]));
    const keysByFile = new Map<string, Set<string>>();
    for (const [f, recs] of recordsByFlow) {
      const keys = keysByFile.get(f.file) ?? new Set<string>();
      for (const r of recs) keys.add(r.key);
      keysByFile.set(f.file, keys);
    }
    const observations: Observation[] = [...snaps.filter((s) => s.kind === "history"), ...snaps.filter((s) => s.kind === "state")].map((s) => ({
      ...(s.time ? { time: s.time } : {}),
      kind: s.kind,
      keys: keysByFile.get(s.file) ?? new Set(),
    }));
    const bases = new Map<string, { base: ReturnType<typeof recordsOf>[number]; files: Set<string>; origins: Set<FlowOrigin> }>();
    for (const [f, recs] of recordsByFlow) {
      for (const { base, key: k } of recs) {
        const entry = bases.get(k) ?? { base, files: new Set(), origins: new Set() };
        entry.files.add(f.file);
        entry.origins.add(f.origin);
        bases.set(k, entry);
      }
    }
    for (const [k, { base, files, origins }] of bases) {
      const seen: Seen = { active: observations.some((o) => o.kind === "state" && o.keys.has(k)) };
      let lastIndex = -1;
      observations.forEach((o, idx) => {
        if (!o.keys.has(k)) return;
        lastIndex = idx;
        if (o.time) {
          seen.firstSeen = minTime(seen.firstSeen, o.time);
          seen.lastSeen = maxTime(seen.lastSeen, o.time);
        }
      });
      if (!seen.active) {
        const after = observations.slice(lastIndex + 1).find((o) => o.time !== undefined && !o.keys.has(k));
        if (after?.time) seen.removed = after.time;
      }
      for (const origin of [...origins].sort(cmp)) for (const file of [...files].sort(cmp)) add(base, seen, origin, file);
    }
  }

  let list = [...records.values()];
  if (since !== undefined) list = list.filter((r) => sentSince(r, since));
  for (const r of list) {
    r.origins.sort(cmp);
    r.files.sort(cmp);
  }
  list.sort(
    (a, b) =>
      cmp(a.stack ?? "", b.stack ?? "") ||
      cmp(a.integration, b.integration) ||
      cmp(a.field, b.field) ||
      cmp(a.category, b.category) ||
      cmp(a.transform, b.transform) ||
      cmp(keyOf(a), keyOf(b)),
  );

  const dimension = <T extends object>(keyFn: (r: ExposureRecord) => string, make: (r: ExposureRecord, seen: Seen) => T): T[] => {
    const acc = new Map<string, { first: ExposureRecord; seen: Seen }>();
    for (const r of list) {
      const k = keyFn(r);
      const entry = acc.get(k) ?? { first: r, seen: { active: false } };
      merge(entry.seen, r);
      acc.set(k, entry);
    }
    return [...acc.entries()].sort(([a], [b]) => cmp(a, b)).map(([, { first, seen }]) => make(first, seen));
  };
  const named = (kind: "categories" | "subjects" | "uses", key: string, seen: Seen): NamedKey => ({
    key,
    name: nameOf(taxonomy, kind, key) ?? key,
    plain: plainName(taxonomy, kind, key),
    ...seen,
  });

  const categories = dimension(
    (r) => r.category,
    (r, seen): CategoryExposure => {
      const of = list.filter((x) => x.category === r.category);
      return {
        ...named("categories", r.category, seen),
        ancestors: ancestors(r.category).map((a) => ({ key: a, name: nameOf(taxonomy, "categories", a) ?? a })),
        transforms: uniqueSorted(of.map((x) => x.transform)),
        fields: uniqueSorted(of.map((x) => x.field)),
      };
    },
  );
  const subjectKeys = uniqueSorted(list.flatMap((r) => r.subjects));
  const subjects = subjectKeys.map((s) => {
    const seen: Seen = { active: false };
    for (const r of list.filter((x) => x.subjects.includes(s))) merge(seen, r);
    return named("subjects", s, seen);
  });
  const purposes = dimension((r) => r.purpose, (r, seen) => named("uses", r.purpose, seen));
  const stacks = dimension((r) => r.stack ?? "", (r, seen) => ({ stack: r.stack ?? "(no stack)", ...seen }));
  const integrations = dimension(
    (r) => JSON.stringify([r.stack ?? "", r.integration]),
    (r, seen) => ({ stack: r.stack, integration: r.integration, ...seen }),
  );
  const endpoints = dimension(
    (r) => JSON.stringify([r.endpoint, r.region]),
    (r, seen) => ({ url: r.endpoint, region: r.region, ...seen }),
  );

  const period: Seen = { active: false };
  for (const r of list) merge(period, r);
  const v = registry.vendors[vendor];
  const backendSnaps = set.snapshots;
  return {
    vendor: {
      key: vendor,
      name: v?.name ?? vendor,
      ...(v ? { status: v.status } : {}),
      ...(v?.statusChanged ? { statusChanged: v.statusChanged } : {}),
      ...(v?.statusReason ? { statusReason: v.statusReason } : {}),
    },
    ...(since !== undefined ? { since } : {}),
    records: list,
    categories,
    subjects,
    purposes,
    stacks,
    integrations,
    endpoints,
    period: {
      ...(period.firstSeen ? { first: period.firstSeen } : {}),
      ...(!period.active && (period.removed ?? period.lastSeen) ? { last: period.removed ?? period.lastSeen } : {}),
      active: period.active,
    },
    stillSending: mine
      .filter((f) => f.origin === "state")
      .map((f) => ({ stack: f.stack ?? "", integration: f.integration.name, endpoint: f.integration.destination.url, ...(f.time ? { deployed: f.time } : {}), source: f.file }))
      .sort((a, b) => cmp(a.stack, b.stack) || cmp(a.integration, b.integration) || cmp(a.endpoint, b.endpoint)),
    sources: {
      manifests: set.manifests,
      ...(set.backend !== undefined ? { backend: set.backend } : {}),
      stacks: new Set(backendSnaps.map((s) => `${s.project}/${s.stack}`)).size,
      checkpoints: backendSnaps.filter((s) => s.kind === "history").length,
      ...(set.unreadable ? { unreadable: set.unreadable } : {}),
    },
  };
}
