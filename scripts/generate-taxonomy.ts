// Builds the shipped taxonomy in two steps, so that only the first one needs the fideslang sources:
//
//   node scripts/generate-taxonomy.ts --from <dir>   extract <dir>/default_taxonomy/*.py (the
//                                                    `fideslang` folder of the PyPI package) into
//                                                    src/model/data/fideslang-taxonomy.json, then
//                                                    regenerate the TypeScript module from it
//   node scripts/generate-taxonomy.ts                regenerate src/model/generated/taxonomy.ts
//                                                    from the committed JSON alone
//
// The Python files are read, never run: there is no Python on the path we rely on, and a tiny
// tokenizer is enough for the literal keyword arguments fideslang's defaults are written with.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIDESLANG_VERSION = "3.1.4";

export interface TaxonomyEntry {
  key: string;
  name: string;
  parent?: string;
  /** fideslang keeps deprecated keys valid and names their successor; we keep both facts. */
  replacedBy?: string;
}

export interface TaxonomyData {
  source: string;
  license: string;
  dataCategories: TaxonomyEntry[];
  dataUses: TaxonomyEntry[];
  dataSubjects: TaxonomyEntry[];
}

const root = fileURLToPath(new URL("..", import.meta.url));
export const taxonomyJsonPath = join(root, "src/model/data/fideslang-taxonomy.json");
export const taxonomyModulePath = join(root, "src/model/generated/taxonomy.ts");

const sources = [
  { field: "dataCategories", file: "data_categories.py", list: "DEFAULT_DATA_CATEGORIES" },
  { field: "dataUses", file: "data_uses.py", list: "DEFAULT_DATA_USES" },
  { field: "dataSubjects", file: "data_subjects.py", list: "DEFAULT_DATA_SUBJECTS" },
] as const;

type Token =
  | { kind: "string"; value: string; at: number }
  | { kind: "name"; value: string; at: number }
  | { kind: "punct"; value: string; at: number };

const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "\n": "" };

function tokenize(src: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      if (src.startsWith(c.repeat(3), i)) {
        const end = src.indexOf(c.repeat(3), i + 3);
        if (end < 0) throw new Error(`${file}: unterminated string at offset ${i}`);
        tokens.push({ kind: "string", value: src.slice(i + 3, end), at: i });
        i = end + 3;
        continue;
      }
      let value = "";
      const at = i++;
      while (src[i] !== c) {
        if (i >= src.length || src[i] === "\n") throw new Error(`${file}: unterminated string at offset ${at}`);
        if (src[i] === "\\") {
          const e = src[i + 1]!;
          if (!(e in escapes)) throw new Error(`${file}: unsupported escape \\${e} at offset ${i}`);
          value += escapes[e];
          i += 2;
        } else {
          value += src[i++];
        }
      }
      i++;
      tokens.push({ kind: "string", value, at });
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200))!;
      // A string prefix (r"", f"", b"") would change what the literal means; fideslang uses none.
      if (src[i + m[0].length] === '"' || src[i + m[0].length] === "'") {
        throw new Error(`${file}: prefixed string literal at offset ${i} is not supported`);
      }
      tokens.push({ kind: "name", value: m[0], at: i });
      i += m[0].length;
    } else {
      tokens.push({ kind: "punct", value: c, at: i });
      i++;
    }
  }
  return tokens;
}

/** Reads `LIST = [ factory(k=v, …), … ]`, keeping string-valued keyword arguments only. */
function readCalls(src: string, file: string, list: string): Map<string, string>[] {
  const t = tokenize(src, file);
  const start = t.findIndex((tok, i) => tok.kind === "name" && tok.value === list && t[i + 1]?.value === "=" && t[i + 2]?.value === "[");
  if (start < 0) throw new Error(`${file}: no \`${list} = [\` found`);
  const calls: Map<string, string>[] = [];
  let i = start + 3;
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg} at offset ${t[i]?.at ?? src.length}`);
  };
  while (t[i]?.value !== "]") {
    if (t[i]?.kind !== "name" || t[i + 1]?.value !== "(") fail("expected a factory call");
    i += 2;
    const kwargs = new Map<string, string>();
    while (t[i]?.value !== ")") {
      if (t[i]?.kind !== "name" || t[i + 1]?.value !== "=") fail("expected a keyword argument");
      const name = t[i]!.value;
      i += 2;
      // Adjacent literals concatenate in Python; anything else (a call, a list) is not needed here.
      let value: string | undefined;
      let depth = 0;
      while (i < t.length && !(depth === 0 && (t[i]!.value === "," || t[i]!.value === ")"))) {
        const tok = t[i]!;
        if (tok.kind === "punct" && "([{".includes(tok.value)) depth++;
        if (tok.kind === "punct" && ")]}".includes(tok.value)) depth--;
        value = depth === 0 && tok.kind === "string" ? (value ?? "") + tok.value : undefined;
        i++;
      }
      if (kwargs.has(name)) fail(`keyword argument ${name} given twice`);
      if (value !== undefined) kwargs.set(name, value);
      if (t[i]?.value === ",") i++;
    }
    i++;
    calls.push(kwargs);
    if (t[i]?.value === ",") i++;
    if (i >= t.length) fail("unterminated list");
  }
  return calls;
}

const byKey = (a: TaxonomyEntry, b: TaxonomyEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Extracts the default taxonomy from a fideslang package directory (the one holding default_taxonomy/). */
export function extractTaxonomy(fideslangDir: string): TaxonomyData {
  const data: TaxonomyData = {
    source: `fideslang ${FIDESLANG_VERSION} (PyPI package "fideslang", module fideslang/default_taxonomy) by Ethyca, Inc.: fides_key, name and parent_key of every default data category, data use and data subject`,
    license:
      "Apache-2.0 per the package metadata (License-Expression); the LICENSE file shipped in the same distribution is CC BY 4.0. Copyright Ethyca, Inc. Extracted without modification of keys or names; descriptions and other fields omitted. See NOTICE.",
    dataCategories: [],
    dataUses: [],
    dataSubjects: [],
  };
  for (const s of sources) {
    const file = join(fideslangDir, "default_taxonomy", s.file);
    const entries = readCalls(readFileSync(file, "utf8"), s.file, s.list).map((kw): TaxonomyEntry => {
      const key = kw.get("fides_key");
      const name = kw.get("name");
      if (!key || !name) throw new Error(`${s.file}: an entry lacks fides_key or name`);
      const parent = kw.get("parent_key");
      const replacedBy = kw.get("replaced_by");
      return { key, name, ...(parent ? { parent } : {}), ...(replacedBy ? { replacedBy } : {}) };
    });
    checkEntries(entries, s.file);
    data[s.field] = entries.sort(byKey);
  }
  return data;
}

/**
 * Our `covers` treats a dotted prefix as the parent. That is only sound when every fideslang
 * parent_key is exactly the key minus its last segment, so a release that breaks this must fail here.
 */
function checkEntries(entries: TaxonomyEntry[], file: string): void {
  const keys = new Set<string>();
  for (const e of entries) {
    if (keys.has(e.key)) throw new Error(`${file}: duplicate key ${e.key}`);
    keys.add(e.key);
  }
  for (const e of entries) {
    const dotted = e.key.includes(".") ? e.key.slice(0, e.key.lastIndexOf(".")) : undefined;
    if (e.parent !== dotted) throw new Error(`${file}: ${e.key} has parent ${e.parent ?? "(none)"}, expected ${dotted ?? "(none)"}`);
    if (e.parent && !keys.has(e.parent)) throw new Error(`${file}: ${e.key} hangs under unknown ${e.parent}`);
    if (e.replacedBy && !keys.has(e.replacedBy)) throw new Error(`${file}: ${e.key} is replaced by unknown ${e.replacedBy}`);
  }
}

export function renderTaxonomyJson(data: TaxonomyData): string {
  return JSON.stringify(data, null, 2) + "\n";
}

const lit = (s: string) => JSON.stringify(s);

/** The TypeScript module, from the committed JSON only. */
export function renderTaxonomyModule(data: TaxonomyData): string {
  const parts = [
    "// Generated by scripts/generate-taxonomy.ts from src/model/data/fideslang-taxonomy.json. Do not edit.",
    `// ${data.source}.`,
    `// License: ${data.license}`,
    "",
  ];
  const kinds = [
    { field: "dataCategories", type: "DataCategory", names: "dataCategoryNames", what: "data category" },
    { field: "dataUses", type: "DataUse", names: "dataUseNames", what: "data use (purpose)" },
    { field: "dataSubjects", type: "DataSubject", names: "dataSubjectNames", what: "data subject" },
  ] as const;
  for (const k of kinds) {
    const entries = [...data[k.field]].sort(byKey);
    parts.push(
      `/** Every default fideslang ${k.what} key, sorted. */`,
      `export const ${k.field} = [`,
      ...entries.map((e) => `  ${lit(e.key)},`),
      "] as const;",
      "",
      `export type ${k.type} = (typeof ${k.field})[number];`,
      "",
      `/** fideslang's human-readable name of each ${k.what}. */`,
      `export const ${k.names}: Readonly<Record<${k.type}, string>> = {`,
      ...entries.map((e) => `  ${lit(e.key)}: ${lit(e.name)},`),
      "};",
      "",
    );
  }
  return parts.join("\n");
}

export function readTaxonomyJson(): TaxonomyData {
  return JSON.parse(readFileSync(taxonomyJsonPath, "utf8")) as TaxonomyData;
}

if (import.meta.main) {
  const at = process.argv.indexOf("--from");
  if (at >= 0) {
    const dir = process.argv[at + 1];
    if (!dir) {
      console.error("usage: node scripts/generate-taxonomy.ts [--from <fideslang package dir>]");
      process.exit(2);
    }
    const data = extractTaxonomy(dir);
    writeFileSync(taxonomyJsonPath, renderTaxonomyJson(data));
    console.error(`taxonomy: ${data.dataCategories.length} categories, ${data.dataUses.length} uses, ${data.dataSubjects.length} subjects`);
  }
  writeFileSync(taxonomyModulePath, renderTaxonomyModule(readTaxonomyJson()));
}
