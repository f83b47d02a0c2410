// Loader fuzzing: random bytes and mutations of real files (the example manifests, the registry,
// the exceptions) never crash a loader and never pass. parseManifest, parseRegistry and
// parseExceptions either return a value the schema accepts, or throw an InputError whose every
// issue names the file, a line and a column inside the text. Through the CLI, a sample of the
// mutated files gives exit 2 with a message and no stack trace, or, when the mutated text is
// still a valid document, exactly the verdict `check` gives for it in process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/commands/check.ts";
import { readBundle } from "../../src/engine/bundle.ts";
import {
  defaultTaxonomy,
  exceptionsSchema,
  InputError,
  loadExceptions,
  loadManifest,
  loadRegistry,
  manifestSchema,
  parseExceptions,
  parseManifest,
  parseRegistry,
  registrySchema,
  registryTaxonomy,
} from "../../src/model/index.ts";
import { packageRoot } from "../../src/paths.ts";
import { STACK_FRAME, vendorgate } from "../cli.ts";

/** `npm test` keeps the run short; `npm run test:fuzz` sets VENDORGATE_FUZZ_RUNS=10000. */
const runs = Number(process.env.VENDORGATE_FUZZ_RUNS ?? 500);
const seed = process.env.VENDORGATE_FUZZ_SEED === undefined ? undefined : Number(process.env.VENDORGATE_FUZZ_SEED);
const timeout = 120_000 + runs * 60;
/** No loader may take longer than this on one input of a few kB, however mangled. */
const MAX_PARSE_MS = 5000;

const NOW = "2026-11-29";
const scratch = mkdtempSync(join(tmpdir(), "vendorgate-fuzz-loaders-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type Kind = "manifest" | "registry" | "exceptions";
const kinds: readonly Kind[] = ["manifest", "registry", "exceptions"];

const read = (path: string) => ({ path, text: readFileSync(join(packageRoot, path), "utf8") });
const seeds: Record<Kind, { path: string; text: string }[]> = {
  manifest: [read("examples/shop/manifests/clean.manifest.yaml"), read("examples/shop/manifests/incident.manifest.yaml"), read("test/fixtures/model/manifest-valid.json")],
  registry: [read("examples/shop/policy/vendors.yaml"), read("test/fixtures/model/registry-valid.yaml")],
  exceptions: [read("examples/shop/policy/exceptions.yaml"), read("test/fixtures/model/exceptions-valid.yaml")],
};

const knownRules = readBundle().catalogue.map((r) => r.id);
const { taxonomy } = parseRegistry(seeds.registry[0]!.text, "vendors.yaml");

/** Runs the loader of `kind` on `text`: the value, or the InputError; anything else is rethrown (a crash). */
function load(kind: Kind, text: string, file: string): { ok: true; value: unknown } | { ok: false; error: InputError } {
  try {
    if (kind === "manifest") return { ok: true, value: parseManifest(text, file, taxonomy).manifest };
    if (kind === "registry") return { ok: true, value: parseRegistry(text, file).registry };
    return { ok: true, value: { exceptions: parseExceptions(text, file, knownRules).exceptions } };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, error: err };
    throw err;
  }
}

/** A value a loader returned must be one its schema accepts as it is (defaults already applied). */
function expectValid(kind: Kind, value: unknown): void {
  const schema =
    kind === "manifest" ? manifestSchema(taxonomy) : kind === "registry" ? registrySchema(registryTaxonomy(value as Record<string, unknown>)) : exceptionsSchema(knownRules);
  const r = schema.safeParse(value);
  expect(r.success, r.success ? "" : JSON.stringify(r.error.issues.slice(0, 3))).toBe(true);
}

/** Every issue names the file, a line and column inside the text, and says something. */
function expectLocated(error: InputError, file: string, text: string): void {
  expect(error.issues.length + error.omitted).toBeGreaterThan(0);
  const lines = text.split("\n");
  for (const issue of error.issues) {
    expect(issue.file).toBe(file);
    expect(Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lines.length).toBe(true);
    expect(Number.isInteger(issue.column) && issue.column >= 1 && issue.column <= (lines[issue.line - 1]?.length ?? 0) + 1).toBe(true);
    expect(issue.message.trim().length).toBeGreaterThan(0);
    expect(issue.message).not.toMatch(/\[object Object\]/);
  }
  for (const line of error.message.split("\n")) expect(line).toMatch(new RegExp(`^${escape(file)}:\\d+:\\d+ |^\\.\\.\\. and \\d+ more issues$`));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutation =
  | { op: "delete" | "duplicate"; at: number }
  | { op: "swapLines" | "swapValues"; at: number; with: number }
  | { op: "setValue"; at: number; value: string }
  | { op: "setKey"; at: number; key: string }
  | { op: "insert"; at: number; text: string }
  | { op: "truncate"; at: number }
  | { op: "indent"; at: number; by: number }
  | { op: "nest"; at: number; depth: number; flow: boolean }
  | { op: "prepend"; text: string }
  | { op: "crlf" | "bom" | "tabs" };

/** Scalars that have broken parsers before: types, YAML specials, dates, keys, very long text. */
const tricky = [
  "",
  "~",
  "null",
  "true",
  "no",
  "[]",
  "{}",
  "[a, b",
  "{a: 1",
  "-1",
  "0x1F",
  "1e309",
  ".nan",
  "'",
  '"',
  "'it''s'",
  '"\\u0000"',
  "*nope",
  "&a x",
  "!!binary aGk=",
  "!!timestamp 2026-01-01",
  "!custom x",
  "<<: *a",
  "2026-02-30",
  "2026-13-01",
  "9999-12-31",
  "user.contact.emial",
  "user",
  "VG006",
  "ACME001",
  "https://user:pass@api.mixpanel.com/x",
  "http://",
  "javascript:alert(1)",
  "__proto__",
  "constructor",
  "x".repeat(5000),
  "é\u0301🙂\u202e\u0000\uFEFF",
  "|\n  block",
  "> folded",
  "- item",
  "? complex",
  "%YAML 1.1",
  "---",
  "...",
];

const unicodeText = fc.string({ unit: "binary", maxLength: 40 });

function mutationArb(lineCount: number, length: number): fc.Arbitrary<Mutation> {
  const line = fc.nat({ max: Math.max(0, lineCount - 1) });
  const offset = fc.nat({ max: length });
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("delete" as const, "duplicate" as const), at: line }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constantFrom("swapLines" as const, "swapValues" as const), at: line, with: line }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant("setValue" as const), at: line, value: fc.oneof(fc.constantFrom(...tricky), unicodeText) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant("setKey" as const),
        at: line,
        key: fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "", "'quoted key'", "<<", "1", "true", "null", "[a]", "{a: 1}", "? x"), unicodeText),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("insert" as const), at: offset, text: fc.oneof(unicodeText, fc.constantFrom(":", "- ", "\n", "\t", "#", "&", "*", "!", "|", ">", "{", "[", "'", '"', "\\")) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("truncate" as const), at: offset }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("indent" as const), at: line, by: fc.integer({ min: -4, max: 4 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant("nest" as const), at: line, depth: fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 500, max: 20_000 })), flow: fc.boolean() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant("prepend" as const),
        text: fc.constantFrom(
          // the "billion laughs", in YAML
          ["lol1: &a [x, x, x, x, x, x, x, x, x]", "lol2: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]", "lol3: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]", "lol4: [*c, *c, *c, *c, *c, *c, *c, *c, *c]", ""].join("\n"),
          "x: &self [*self]\n",
          "anchor: &v 1\nalias: *v\n",
          "<<: {apiVersion: vendorgate/v1}\n",
          "%YAML 1.2\n---\n",
          "---\na: 1\n---\n",
          "? [complex, key]\n: value\n",
          "\u0000",
          "\uFEFF",
          "apiVersion: vendorgate/v1\n",
        ),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constantFrom("crlf" as const, "bom" as const, "tabs" as const) }) },
  );
}

const keyValue = /^(\s*(?:- )?[^\s:#][^:#]*:[ \t]+)(\S.*)$/;

function apply(text: string, m: Mutation): string {
  const lines = text.split("\n");
  const at = "at" in m ? Math.min(m.at, Math.max(0, lines.length - 1)) : 0;
  switch (m.op) {
    case "delete":
      lines.splice(at, 1);
      return lines.join("\n");
    case "duplicate":
      lines.splice(at, 0, lines[at] ?? "");
      return lines.join("\n");
    case "swapLines": {
      const other = Math.min(m.with, lines.length - 1);
      const [x, y] = [lines[at] ?? "", lines[other] ?? ""];
      lines[at] = y;
      lines[other] = x;
      return lines.join("\n");
    }
    case "swapValues": {
      const a = keyValue.exec(lines[at] ?? "");
      const other = Math.min(m.with, lines.length - 1);
      const b = keyValue.exec(lines[other] ?? "");
      if (!a || !b) return text;
      lines[at] = `${a[1] ?? ""}${b[2] ?? ""}`;
      lines[other] = `${b[1] ?? ""}${a[2] ?? ""}`;
      return lines.join("\n");
    }
    case "setValue": {
      const kv = keyValue.exec(lines[at] ?? "");
      lines[at] = kv ? kv[1] + m.value : `${lines[at] ?? ""}${m.value}`;
      return lines.join("\n");
    }
    case "setKey": {
      const kv = /^(\s*(?:- )?)([^\s:#][^:#]*)(:.*)$/.exec(lines[at] ?? "");
      if (!kv) return text;
      lines[at] = `${kv[1] ?? ""}${m.key}${kv[3] ?? ""}`;
      return lines.join("\n");
    }
    case "insert":
      return text.slice(0, m.at) + m.text + text.slice(m.at);
    case "truncate":
      return text.slice(0, m.at);
    case "indent":
      lines[at] = m.by >= 0 ? " ".repeat(m.by) + (lines[at] ?? "") : (lines[at] ?? "").replace(new RegExp(`^ {0,${-m.by}}`), "");
      return lines.join("\n");
    case "nest": {
      const kv = keyValue.exec(lines[at] ?? "");
      if (!kv) return text;
      lines[at] = m.flow ? `${kv[1]}${"[".repeat(m.depth)}${kv[2]}${"]".repeat(m.depth)}` : `${kv[1]}${"- ".repeat(m.depth)}${kv[2]}`;
      return lines.join("\n");
    }
    case "prepend":
      return m.text + text;
    case "crlf":
      return text.replaceAll("\n", "\r\n");
    case "bom":
      return `\uFEFF${text}`;
    case "tabs":
      return text.replace(/^ {2}/gm, "\t");
  }
}

interface Mutated {
  kind: Kind;
  seed: string;
  mutations: Mutation[];
  text: string;
}

/** A seed file of any kind, mutated, handed to the loader of `kind` (so a registry meets parseManifest too). */
const mutatedArb: fc.Arbitrary<Mutated> = fc
  .record({ kind: fc.constantFrom(...kinds), from: fc.constantFrom(...kinds), pick: fc.nat(), crossed: fc.nat({ max: 9 }) })
  .chain(({ kind, from, pick, crossed }) => {
    const pool = seeds[crossed === 0 ? from : kind];
    const source = pool[pick % pool.length]!;
    const lineCount = source.text.split("\n").length;
    return fc.array(mutationArb(lineCount, source.text.length), { minLength: 1, maxLength: 4 }).map((mutations) => ({
      kind,
      seed: source.path,
      mutations,
      text: mutations.reduce(apply, source.text),
    }));
  });

function check(kind: Kind, text: string, file: string): ReturnType<typeof load> {
  const started = performance.now();
  const outcome = load(kind, text, file);
  const ms = performance.now() - started;
  if (ms > MAX_PARSE_MS) throw new Error(`${kind} loader took ${Math.round(ms)} ms`);
  if (outcome.ok) expectValid(kind, outcome.value);
  else expectLocated(outcome.error, file, text);
  return outcome;
}

function assertProperty<T>(property: fc.IProperty<T> | fc.IAsyncProperty<T>): Promise<void> | void {
  return fc.assert(property as fc.IAsyncProperty<T>, { numRuns: runs, ...(seed === undefined ? {} : { seed }) });
}

describe("loaders under fuzzing", () => {
  it(
    `never crash and never pass on ${runs} mutated manifests, registries and exceptions files`,
    () => {
      const tally = { valid: 0, invalid: 0 };
      assertProperty(
        fc.property(mutatedArb, (m) => {
          const outcome = check(m.kind, m.text, `fuzz.${m.kind}.yaml`);
          tally[outcome.ok ? "valid" : "invalid"]++;
        }),
      );
      // The mutations must mostly break the files, or the run proves little.
      expect(tally.invalid).toBeGreaterThan(runs / 2);
    },
    timeout,
  );

  it(
    `never crash and never pass on ${runs} files of random bytes`,
    async () => {
      const file = join(scratch, "bytes.yaml");
      await assertProperty(
        fc.asyncProperty(fc.constantFrom(...kinds), fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.string({ unit: "binary", maxLength: 2000 }).map((s) => new TextEncoder().encode(s))), async (kind, bytes) => {
          writeFileSync(file, bytes);
          try {
            const value = kind === "manifest" ? (await loadManifest(file, taxonomy)).manifest : kind === "registry" ? (await loadRegistry(file)).registry : { exceptions: (await loadExceptions(file, knownRules)).exceptions };
            expectValid(kind, value);
          } catch (err) {
            if (!(err instanceof InputError)) throw err;
            expectLocated(err, file, new TextDecoder().decode(bytes));
          }
        }),
      );
    },
    timeout,
  );
});

describe("loaders under fuzzing, through the CLI", () => {
  const samples = runs >= 10_000 ? 40 : 12;

  it(
    `gives exit 2 with a message for ${samples} mutated files that do not load, and check's own verdict for those that do`,
    async () => {
      const cases = fc.sample(mutatedArb, { numRuns: samples, seed: seed ?? 4242 });
      const seen = { invalid: 0, valid: 0 };
      for (const [i, m] of cases.entries()) {
        const file = join(scratch, `cli-${i}.${m.kind}.yaml`);
        writeFileSync(file, m.text);
        const args = {
          manifest: m.kind === "manifest" ? file : join(packageRoot, "examples/shop/manifests/incident.manifest.yaml"),
          registry: m.kind === "registry" ? file : join(packageRoot, "examples/shop/policy/vendors.yaml"),
          exceptions: m.kind === "exceptions" ? file : join(packageRoot, "examples/shop/policy/exceptions.yaml"),
        };
        // What check decides in process, where an InputError is exit 2.
        let expected: number;
        try {
          expected = await runCheck({ ...args, now: NOW, format: "json" }, () => {});
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          expected = 2;
        }
        const r = vendorgate(["check", "--manifest", args.manifest, "--registry", args.registry, "--exceptions", args.exceptions, "--now", NOW, "--format", "json"]);
        const why = `${m.seed} ${JSON.stringify(m.mutations).slice(0, 500)}\n${r.stderr}`;
        expect(r.code, why).toBe(expected);
        expect(r.stderr, why).not.toMatch(STACK_FRAME);
        if (expected === 2) {
          seen.invalid++;
          expect(r.stdout, why).toBe("");
          expect(r.stderr, why).toMatch(new RegExp(`^vendorgate: input error\\n${escape(file)}:\\d+:\\d+ `));
        } else {
          seen.valid++;
          // exit 0 or 1 only for a file that still loads (as the CLI reads it: a leading BOM dropped).
          const loaded = m.kind === "manifest" ? loadManifest(file, taxonomy) : m.kind === "registry" ? loadRegistry(file) : loadExceptions(file, knownRules);
          await expect(loaded, why).resolves.toBeDefined();
          expect(JSON.parse(r.stdout), why).toHaveProperty("summary");
        }
      }
      expect(seen.invalid).toBeGreaterThan(samples / 2);
    },
    120_000 + samples * 10_000,
  );
});

// The default taxonomy is the registry's base; a manifest checked against it is judged the same.
it("fuzzes against the registry's taxonomy, which extends the default one", () => {
  expect(taxonomy.categories.size).toBeGreaterThanOrEqual(defaultTaxonomy.categories.size);
});
