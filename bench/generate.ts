/*
 * Deterministic synthetic workloads for the benchmarks: manifests of N integrations judged against
 * the real vendor registry (examples/shop/policy/vendors.yaml). A fixed-seed PRNG makes every run judge
 * the same declarations, so figures from different machines and commits compare.
 *
 * The mix is meant to look like a real estate of flows: most integrations are declared correctly
 * and pass, a minority trip one or more rules (an unapproved category, a missing transform, the
 * wrong region, a plain-text credential, an endpoint outside the vendor's domains, an unknown or
 * unapproved vendor, a prohibited category).
 */
import type { DeclaredException, DeclaredIntegration, DeclaredRegistry } from "../src/engine/normalize.ts";
import { dataCategories, dataSubjects, dataUses } from "../src/model/index.ts";

export const SEED = 0x5eed_2025;
export const NOW = "2026-11-29";

/** mulberry32: small, fast, and the same sequence on every platform. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const chance = (r: Rand, p: number) => r() < p;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

export interface GeneratedManifest {
  apiVersion: "vendorgate/v1";
  stack: { name: string; residency: string[] };
  integrations: {
    name: string;
    vendor: string;
    purpose: string;
    subjects: string[];
    destination: { url: string; region: string };
    credentials?: { secret: boolean };
    fields: { path: string; category: string; transform: string }[];
  }[];
}

const belowCache = new WeakMap<readonly string[], Map<string, string[]>>();
/** The keys of `keys` that `parent` covers (itself and its descendants). */
function below(keys: readonly string[], parent: string): string[] {
  let byParent = belowCache.get(keys);
  if (!byParent) belowCache.set(keys, (byParent = new Map()));
  let found = byParent.get(parent);
  if (!found) byParent.set(parent, (found = keys.filter((k) => k === parent || k.startsWith(parent + "."))));
  return found;
}

/** How often each kind of mistake is made; `clean` makes none (every flow as its approval says). */
export interface Mix {
  unknownVendor: number;
  offPurpose: number;
  offSubject: number;
  wrongHost: number;
  plainHttp: number;
  wrongRegion: number;
  plainCredential: number;
  /** Per field. */
  unapprovedCategory: number;
  prohibitedCategory: number;
  missingTransform: number;
}

export const realisticMix: Mix = {
  unknownVendor: 0.01,
  offPurpose: 0.03,
  offSubject: 0.02,
  wrongHost: 0.015,
  plainHttp: 0.01,
  wrongRegion: 0.02,
  plainCredential: 0.02,
  unapprovedCategory: 0.01,
  prohibitedCategory: 0.002,
  missingTransform: 0.05,
};

export const cleanMix: Mix = Object.fromEntries(Object.keys(realisticMix).map((k) => [k, 0])) as unknown as Mix;

/** Vendors by how many flows typically go to each; the one under review gets few. */
const vendorWeights: Record<string, number> = { mixpanel: 30, zendesk: 20, stripe: 20, sentry: 15, personio: 10, hubspot: 5 };

/** A manifest of `n` integrations over the vendors of `registry`, the same for the same (n, seed, mix). */
export function generateManifest(registry: DeclaredRegistry, n: number, seed = SEED, mix: Mix = realisticMix): GeneratedManifest {
  const r = prng(seed ^ n);
  const vendorKeys = Object.keys(registry.vendors).sort();
  const weighted = vendorKeys.flatMap((k) => Array<string>(vendorWeights[k] ?? 10).fill(k));
  const prohibited = (registry.prohibitedCategories ?? []).flatMap((p) => below(dataCategories, p));
  const userCategories = dataCategories.filter((c) => c.startsWith("user.") && !prohibited.includes(c));
  const integrations: GeneratedManifest["integrations"] = [];
  const residency = ["eu", "us"];
  for (let i = 0; i < n; i++) {
    const vendorKey = chance(r, mix.unknownVendor) ? "acme-metrics" : pick(r, weighted);
    const vendor = registry.vendors[vendorKey];
    const approval = vendor?.approvals?.length ? pick(r, vendor.approvals) : undefined;
    // Purpose: the approved one or one below it; sometimes one nobody approved (VG003).
    const purpose = approval && !chance(r, mix.offPurpose) ? pick(r, below(dataUses, approval.purpose)) : pick(r, dataUses);
    const subjects = approval?.subjects?.length
      ? [chance(r, mix.offSubject) ? pick(r, dataSubjects) : pick(r, approval.subjects)]
      : [chance(r, 0.8) ? "customer" : "employee"];
    const domain = vendor?.domains?.length ? pick(r, vendor.domains) : "metrics.acme-analytics.io";
    const host = chance(r, mix.wrongHost) ? `collector.${vendorKey}-proxy.example` : `api-${i % 7}.${domain}`;
    const scheme = chance(r, mix.plainHttp) ? "http" : "https";
    const inResidency = vendor?.regions.filter((x) => residency.includes(x)) ?? [];
    let region = inResidency.length ? pick(r, inResidency) : "us";
    // Employee data stays in the EU (the custom rule), unless someone forgets.
    if (subjects[0] === "employee" && vendor?.regions.includes("eu")) region = "eu";
    if (chance(r, mix.wrongRegion)) region = pick(r, ["us", "eu", "in", "ap-southeast"]);
    const credential = r() < mix.plainCredential ? { secret: false } : chance(r, 0.9) ? { secret: true } : undefined;
    const fieldCount = int(r, 5, 20);
    const fields: GeneratedManifest["integrations"][number]["fields"] = [];
    for (let j = 0; j < fieldCount; j++) {
      const roll = r();
      let category: string;
      if (approval && roll >= mix.unapprovedCategory + mix.prohibitedCategory) category = pick(r, below(dataCategories, pick(r, approval.categories)));
      else if (roll < mix.unapprovedCategory || !approval || prohibited.length === 0) category = pick(r, userCategories); // usually not approved (VG004)
      else category = pick(r, prohibited); // VG006
      // Honour requireTransform nearly always; the rest trips VG005.
      const required = Object.entries(approval?.requireTransform ?? {}).find(([k]) => category === k || category.startsWith(k + "."));
      const transform = required && !chance(r, mix.missingTransform) ? pick(r, required[1]) : chance(r, 0.85) ? "none" : pick(r, ["hash", "truncate", "generalize"]);
      fields.push({ path: `p.f${j}.${category.slice(category.lastIndexOf(".") + 1)}`, category, transform });
    }
    integrations.push({
      name: `flow-${String(i).padStart(5, "0")}`,
      vendor: vendorKey,
      purpose,
      subjects,
      destination: { url: `${scheme}://${host}/v1/events`, region },
      ...(credential ? { credentials: credential } : {}),
      fields,
    });
  }
  return { apiVersion: "vendorgate/v1", stack: { name: "bench", residency }, integrations };
}

/** The manifest as a file: compact JSON, leaving out what the schema defaults (transform none). */
export function manifestText(m: GeneratedManifest): string {
  return JSON.stringify(m, (k, v: unknown) => (k === "transform" && v === "none" ? undefined : v));
}

/** The manifest's integrations in the engine's declared shape. */
export const declaredOf = (m: GeneratedManifest): DeclaredIntegration[] => m.integrations;
export const fieldCount = (m: GeneratedManifest): number => m.integrations.reduce((s, i) => s + i.fields.length, 0);

/**
 * A shared exceptions file of `count` entries as a company with many stacks keeps one: about one in
 * twenty is for the judged stack and waives one of its actual violations (rule, vendor, integration,
 * and the field for field rules); the others are for other stacks (each names one of 50 other stack
 * names) and name an integration, rule and vendor of the manifest. All are within the registry's
 * maximum lifetime, so none is reported as too long.
 */
export function generateExceptions(
  m: GeneratedManifest,
  violations: readonly { rule: string; integration: string; field?: string }[],
  count: number,
  seed = SEED + 7,
): DeclaredException[] {
  const r = prng(seed);
  const vendorOf = new Map(m.integrations.map((i) => [i.name, i.vendor]));
  const waivable = violations.filter((v) => v.rule !== "VG006" && vendorOf.has(v.integration));
  const expires = "2027-03-31";
  const own = Math.min(waivable.length, Math.round(count / 20));
  const out: DeclaredException[] = [];
  for (let k = 0; k < count; k++) {
    const id = `EXC-${String(k).padStart(5, "0")}`;
    if (k < own) {
      const v = waivable[Math.floor((k * waivable.length) / own)]!;
      out.push({ id, rule: v.rule, vendor: vendorOf.get(v.integration)!, integration: v.integration, ...(v.field ? { field: v.field } : {}), stacks: [m.stack.name], expires });
    } else {
      const i = pick(r, m.integrations);
      const rule = pick(r, ["VG002", "VG003", "VG004", "VG005", "VG007", "VG008", "VG009", "VG011"]);
      const field = rule === "VG004" || rule === "VG005" ? pick(r, i.fields) : undefined;
      out.push({ id, rule, vendor: i.vendor, integration: i.name, ...(field ? { field: field.path } : {}), stacks: [`stack-${int(r, 1, 50)}`], expires });
    }
  }
  return out;
}
