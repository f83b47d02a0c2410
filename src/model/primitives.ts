import * as z from "zod";
import { type Taxonomy, type TaxonomyKind, taxonomyKindLabel, taxonomyKinds, unknownKeyMessage } from "./taxonomy.ts";

/** The only file format version there is; a later one must be told apart, never guessed. */
export const API_VERSION = "vendorgate/v1";
export const apiVersionSchema = z.literal(API_VERSION);

/** Integration names and vendor keys: they end up in URNs, file names and report anchors. */
export const namePattern = /^[a-z0-9][a-z0-9-]*$/;
export const nameSchema = z.string().regex(namePattern, {
  error: (iss) => `expected lowercase letters, digits and dashes, starting with a letter or digit, got ${describeValue(iss.input)}`,
});

/** Region codes are compared as written, so "EU" would silently never match "eu". */
export const regionPattern = /^[a-z0-9][a-z0-9-]*$/;
export const regionSchema = z.string().regex(regionPattern, {
  error: (iss) => `expected a lowercase region code such as eu or us-east-1, got ${describeValue(iss.input)}`,
});

/** Rule ids: VGnnn for the shipped rules, any upper-case id (e.g. ACME001) for custom ones. */
export const ruleIdPattern = /^[A-Z][A-Z0-9_-]*$/;

export const nonEmptyString = z.string().min(1);

/**
 * Calendar dates as YYYY-MM-DD strings. Rules compare dates as strings, and YAML 1.2 (the yaml
 * package's default) keeps 2027-06-30 a string, so no Date object is ever involved. zod's ISO date
 * check rejects impossible dates such as 2026-02-30.
 */
export const isoDateSchema = z.iso.date({
  error: (iss) =>
    iss.input === undefined
      ? "missing required property (expected a calendar date as YYYY-MM-DD)"
      : `expected a calendar date as YYYY-MM-DD, got ${describeValue(iss.input)}`,
});

/**
 * An object that rejects unknown properties, naming the ones it accepts: a misspelt optional
 * property (`requireTransfrom`) would otherwise be silently ignored, which fails open.
 */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, options: { redact?: boolean } = {}) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (iss) => {
      if (iss.code === "invalid_type" && options.redact && iss.input !== undefined) return `expected a mapping, ${notShown}`;
      if (iss.code !== "unrecognized_keys") return undefined;
      const keys = iss.keys.map((k) => `"${k}"`).join(", ");
      return `unknown ${iss.keys.length === 1 ? "property" : "properties"} ${keys} (expected ${allowed.join(", ")})`;
    },
  });
}

/**
 * Where a user might paste a credential by mistake, messages must not repeat the value: they end up
 * in CI logs and pull-request comments.
 */
export const notShown = "got a value that is not shown (it may be a credential)";

const keySchemaCache = new WeakMap<Taxonomy, Record<TaxonomyKind, z.ZodString>>();

/**
 * A schema accepting exactly the keys of one vocabulary of `taxonomy`. The check cannot be a
 * static enum because the registry may extend the taxonomy. One instance per taxonomy and kind,
 * so that the JSON Schema generator can recognise and describe it.
 */
export function taxonomyKeySchema(taxonomy: Taxonomy, kind: TaxonomyKind): z.ZodString {
  let schemas = keySchemaCache.get(taxonomy);
  if (!schemas) {
    const make = (k: TaxonomyKind) =>
      z.string().superRefine((key, ctx) => {
        if (!taxonomy[k].has(key)) ctx.addIssue({ code: "custom", message: unknownKeyMessage(taxonomy, k, key), input: key });
      });
    schemas = { categories: make("categories"), uses: make("uses"), subjects: make("subjects") };
    keySchemaCache.set(taxonomy, schemas);
  }
  return schemas[kind];
}

export { taxonomyKindLabel, taxonomyKinds };

/** A rule id that the policy bundle knows. */
export function ruleIdSchema(knownRules: readonly string[]) {
  const known = new Set(knownRules);
  return z
    .string()
    .regex(ruleIdPattern, { error: (iss) => `expected a rule id such as VG004, got ${describeValue(iss.input)}` })
    .superRefine((id, ctx) => {
      if (ruleIdPattern.test(id) && !known.has(id)) {
        const list = [...known].sort();
        ctx.addIssue({
          code: "custom",
          message: `unknown rule "${id}" (expected one of ${list.length ? list.join(", ") : "(no rules loaded)"})`,
          input: id,
        });
      }
    });
}

/** A short description of a YAML value for messages: `"text"`, `42`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === null) return "an empty value";
  if (v === undefined) return "nothing";
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? v.slice(0, 57) + "..." : v);
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v} ${String(v)}`;
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return Object.getPrototypeOf(v) === Object.prototype ? "a mapping" : `a ${v.constructor?.name ?? "value"}`;
  return typeof v;
}

const expectedName: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
};

/**
 * The per-parse error map: zod's defaults ("Invalid input: expected string, received undefined")
 * become messages that say what was expected in YAML terms. Schema-level messages win over it.
 */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  const missing = iss.input === undefined;
  switch (iss.code) {
    case "invalid_type": {
      const expected = expectedName[iss.expected] ?? iss.expected;
      return missing ? `missing required property (expected ${expected})` : `expected ${expected}, got ${describeValue(iss.input)}`;
    }
    case "invalid_value": {
      const values = iss.values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
      const expected = values.length === 1 ? `"${values[0]}"` : `one of ${values.join(", ")}`;
      return missing ? `missing required property (expected ${expected})` : `expected ${expected}, got ${describeValue(iss.input)}`;
    }
    case "invalid_key":
      // The key's own schema says what is wrong with it (unknown rule, unknown category, …).
      return iss.issues.map((i) => i.message).join("; ");
    case "too_small":
      if (iss.origin === "array") return Number(iss.minimum) === 1 ? "expected at least one item" : `expected at least ${iss.minimum} items`;
      if (iss.origin === "string") return Number(iss.minimum) === 1 ? "expected a non-empty string" : `expected at least ${iss.minimum} characters`;
      return undefined;
    case "too_big":
      if (iss.origin === "array") return `expected at most ${iss.maximum} items`;
      if (iss.origin === "string") return `expected at most ${iss.maximum} characters`;
      return undefined;
    default:
      return undefined;
  }
};

/** Adds an issue for every value of `items[*][prop]` that an earlier item already used. */
export function reportDuplicates(
  items: unknown,
  prop: string,
  ctx: z.core.$RefinementCtx<unknown>,
  what: (value: string, firstIndex: number) => string,
): void {
  if (!Array.isArray(items)) return;
  const seen = new Map<string, number>();
  items.forEach((item: unknown, i) => {
    const value = typeof item === "object" && item !== null ? (item as Record<string, unknown>)[prop] : undefined;
    if (typeof value !== "string") return;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, i);
    else ctx.addIssue({ code: "custom", path: [i, prop], message: what(value, first), input: value });
  });
}

/** Lets a cross-item check run even when some items failed their own checks, so one pass reports everything. */
export const always = { when: () => true } as const;
