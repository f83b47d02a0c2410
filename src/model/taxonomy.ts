import {
  dataCategories,
  dataCategoryNames,
  dataSubjectNames,
  dataSubjects,
  dataUseNames,
  dataUses,
} from "./generated/taxonomy.ts";

export type { DataCategory, DataSubject, DataUse } from "./generated/taxonomy.ts";
export {
  dataCategories,
  dataCategoryNames,
  dataSubjectNames,
  dataSubjects,
  dataUseNames,
  dataUses,
} from "./generated/taxonomy.ts";

/** The three vocabularies; the names double as the property names of a {@link Taxonomy}. */
export type TaxonomyKind = "categories" | "uses" | "subjects";
export const taxonomyKinds: readonly TaxonomyKind[] = ["categories", "uses", "subjects"];

/** How a kind is called in messages. */
export const taxonomyKindLabel: Readonly<Record<TaxonomyKind, string>> = {
  categories: "data category",
  uses: "data use",
  subjects: "data subject",
};

/** The effective vocabulary: fideslang's defaults plus whatever the registry adds. */
export interface Taxonomy {
  readonly categories: ReadonlySet<string>;
  readonly uses: ReadonlySet<string>;
  readonly subjects: ReadonlySet<string>;
  /** Human-readable names (fideslang's, or the registry's for its own keys), e.g. for notification letters. */
  readonly names: Readonly<Record<TaxonomyKind, ReadonlyMap<string, string>>>;
}

/** One key a registry adds under an existing key. */
export interface TaxonomyEntryInput {
  key: string;
  name: string;
}

/** The registry's `taxonomy:` section, keyed as in the YAML. */
export interface TaxonomyExtension {
  dataCategories?: readonly TaxonomyEntryInput[] | undefined;
  dataUses?: readonly TaxonomyEntryInput[] | undefined;
  dataSubjects?: readonly TaxonomyEntryInput[] | undefined;
}

/** Which `taxonomy:` list extends which kind. */
export const extensionFields: Readonly<Record<TaxonomyKind, keyof TaxonomyExtension>> = {
  categories: "dataCategories",
  uses: "dataUses",
  subjects: "dataSubjects",
};

/** Lowercase dotted segments, as fideslang writes its keys; extension keys must follow it. */
export const taxonomyKeyPattern = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/;

export const defaultTaxonomy: Taxonomy = Object.freeze({
  categories: new Set<string>(dataCategories),
  uses: new Set<string>(dataUses),
  subjects: new Set<string>(dataSubjects),
  names: Object.freeze({
    categories: new Map(Object.entries(dataCategoryNames)),
    uses: new Map(Object.entries(dataUseNames)),
    subjects: new Map(Object.entries(dataSubjectNames)),
  }),
});

/**
 * True when `parent` is `child` or one of its ancestors. The dot matters: user.contact covers
 * user.contact.email but not user.contact_history.
 */
export function covers(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent + ".");
}

/** The key minus its last segment; undefined for a root key. */
export function parentOf(key: string): string | undefined {
  const at = key.lastIndexOf(".");
  return at < 0 ? undefined : key.slice(0, at);
}

/** Every proper ancestor, from the root down: ancestors("user.contact.email") = ["user", "user.contact"]. */
export function ancestors(key: string): string[] {
  const out: string[] = [];
  for (let at = key.indexOf("."); at >= 0; at = key.indexOf(".", at + 1)) out.push(key.slice(0, at));
  return out;
}

/** The human-readable name, or undefined for a key the taxonomy does not hold. */
export function nameOf(taxonomy: Taxonomy, kind: TaxonomyKind, key: string): string | undefined {
  return taxonomy.names[kind].get(key);
}

/** A problem in a registry's `taxonomy:` section; `path` is relative to that section. */
export interface ExtensionIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Checks a registry extension against `base`. An added key must hang under a key that exists
 * (in `base` or added by the same extension, in any order): a new root would escape every
 * prohibition and approval written against the fideslang roots.
 */
export function extensionIssues(base: Taxonomy, extension: TaxonomyExtension): ExtensionIssue[] {
  const issues: ExtensionIssue[] = [];
  for (const kind of taxonomyKinds) {
    const field = extensionFields[kind];
    const entries = extension[field] ?? [];
    const label = taxonomyKindLabel[kind];
    const added = new Map<string, number>();
    entries.forEach((e, i) => {
      if (typeof e?.key !== "string" || !taxonomyKeyPattern.test(e.key)) return;
      if (base[kind].has(e.key)) {
        issues.push({ path: [field, i, "key"], message: `"${e.key}" is already a ${label}; list only keys the taxonomy lacks` });
      } else if (added.has(e.key)) {
        issues.push({ path: [field, i, "key"], message: `"${e.key}" is listed twice (also at taxonomy.${field}[${added.get(e.key)}])` });
      } else {
        added.set(e.key, i);
      }
    });
    for (const [key, i] of added) {
      const parent = parentOf(key);
      if (parent === undefined) {
        issues.push({
          path: [field, i, "key"],
          message: `"${key}" has no parent: an added ${label} must hang under an existing one (such as ${exampleRoot[kind]}.${key})`,
        });
      } else if (!base[kind].has(parent) && !added.has(parent)) {
        const hint = suggestKeys(base, kind, parent);
        issues.push({
          path: [field, i, "key"],
          message: `"${key}" hangs under "${parent}", which is not a ${label}` + (hint.length ? ` (did you mean ${orList(hint)}?)` : ""),
        });
      }
    }
  }
  return issues;
}

const exampleRoot: Readonly<Record<TaxonomyKind, string>> = { categories: "user", uses: "essential", subjects: "customer" };

/** `base` plus the extension's keys. Throws when the extension breaks the rules of {@link extensionIssues}. */
export function extendTaxonomy(base: Taxonomy, extension: TaxonomyExtension | undefined): Taxonomy {
  if (!extension) return base;
  const issues = extensionIssues(base, extension);
  if (issues.length) throw new RangeError(`invalid taxonomy extension: ${issues.map((i) => i.message).join("; ")}`);
  return mergeExtension(base, extension);
}

/** Adds only the well-formed keys whose parent exists; used to keep validating the rest of a broken registry. */
export function extendTaxonomyLeniently(base: Taxonomy, extension: unknown): Taxonomy {
  if (typeof extension !== "object" || extension === null) return base;
  const ext: TaxonomyExtension = {};
  for (const kind of taxonomyKinds) {
    const field = extensionFields[kind];
    const list = (extension as Record<string, unknown>)[field];
    if (!Array.isArray(list)) continue;
    ext[field] = list.filter(
      (e): e is TaxonomyEntryInput =>
        typeof e === "object" && e !== null && typeof e.key === "string" && typeof e.name === "string" && taxonomyKeyPattern.test(e.key),
    );
  }
  // Dropping a bad key can orphan a key added under it, so repeat until nothing is dropped.
  for (;;) {
    const bad = new Set(extensionIssues(base, ext).map((i) => `${i.path[0]}/${i.path[1]}`));
    if (bad.size === 0) return mergeExtension(base, ext);
    for (const kind of taxonomyKinds) {
      const field = extensionFields[kind];
      ext[field] = ext[field]?.filter((_, i) => !bad.has(`${field}/${i}`));
    }
  }
}

function mergeExtension(base: Taxonomy, extension: TaxonomyExtension): Taxonomy {
  const sets = { categories: new Set(base.categories), uses: new Set(base.uses), subjects: new Set(base.subjects) };
  const names = {
    categories: new Map(base.names.categories),
    uses: new Map(base.names.uses),
    subjects: new Map(base.names.subjects),
  };
  for (const kind of taxonomyKinds) {
    for (const e of extension[extensionFields[kind]] ?? []) {
      sets[kind].add(e.key);
      names[kind].set(e.key, e.name);
    }
  }
  return Object.freeze({ ...sets, names: Object.freeze(names) });
}

/**
 * Up to `limit` known keys a mistyped `key` probably meant: the same last segment elsewhere in the
 * tree (user.email → user.contact.email), then small edit distances (user.contact.emial), then
 * siblings sharing a stem (user.finance → user.financial), then the children of the deepest
 * ancestor that exists, then the roots.
 */
export function suggestKeys(taxonomy: Taxonomy, kind: TaxonomyKind, key: string, limit = 3): string[] {
  const known = [...taxonomy[kind]].sort();
  const lastOf = (k: string) => k.slice(k.lastIndexOf(".") + 1);
  const last = lastOf(key);
  const parent = parentOf(key);
  const picked = new Set<string>(known.filter((k) => k !== key && lastOf(k) === last));
  const budget = Math.max(2, Math.floor(key.length / 5));
  const near = known
    .map((k) => ({ k, d: editDistance(key, k, budget) }))
    .filter((x) => x.d <= budget)
    .sort((a, b) => a.d - b.d);
  for (const { k } of near) picked.add(k);
  const stem = last.slice(0, 4);
  if (stem.length === 4) {
    for (const k of known) if (parentOf(k) === parent && lastOf(k).startsWith(stem)) picked.add(k);
  }
  if (picked.size === 0) {
    const anchor = [...ancestors(key)].reverse().find((a) => taxonomy[kind].has(a));
    const pool = anchor === undefined ? known.filter((k) => !k.includes(".")) : known.filter((k) => parentOf(k) === anchor);
    for (const k of pool) picked.add(k);
  }
  picked.delete(key);
  return [...picked].slice(0, limit);
}

/** The message for a key the taxonomy lacks, with suggestions. */
export function unknownKeyMessage(taxonomy: Taxonomy, kind: TaxonomyKind, key: string): string {
  const label = taxonomyKindLabel[kind];
  const hint = suggestKeys(taxonomy, kind, key);
  return `unknown ${label} "${key}" (expected a fideslang ${label}` + (hint.length ? ` such as ${orList(hint)})` : ")");
}

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** Levenshtein distance, giving up (returning max + 1) once it must exceed `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(d);
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}
