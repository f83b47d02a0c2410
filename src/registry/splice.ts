import { isCollection, isMap, isScalar, isSeq, type Node as YamlNode, type Pair, type YAMLMap, type YAMLSeq, stringify } from "yaml";

/*
 * Structural edits of a YAML registry as splices into its original text: an entry appended to a
 * mapping or a list, entries removed, a value replaced. Everything outside the edited entries stays
 * byte for byte, comments included (security's registry records why each approval exists in
 * comments). New entries follow the file's own style: its indentation step, blank lines between
 * vendors, and short lists written inline (`domains: [acme.example]`). A document written as JSON
 * gets JSON, so it stays JSON.
 *
 * The caller checks the result: it must parse to exactly the intended data (see vendor-edit.ts).
 */

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

interface Edit {
  at: number;
  end: number;
  text: string;
}

/** Thrown when the document is written in a way the splicer does not edit (the caller says where). */
export class NotSpliceable extends Error {
  readonly node: YamlNode | undefined;

  constructor(node: YamlNode | undefined, message: string) {
    super(message);
    this.node = node;
  }
}

function scalarText(value: Plain, json: boolean): string {
  if (json || typeof value !== "string") return JSON.stringify(value);
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, "");
}

const isPlainObject = (v: Plain): v is { [key: string]: Plain } => typeof v === "object" && v !== null && !Array.isArray(v);
const isScalarValue = (v: Plain) => v === null || typeof v !== "object";

/** Inline: `[a, b]`, `{ expires: 2027-06-30 }` (or JSON when the document is JSON). */
export function flowText(value: Plain, json = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => flowText(v, json)).join(", ")}]`;
  if (isPlainObject(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${scalarText(k, json)}: ${flowText(v, json)}`);
    if (entries.length === 0) return "{}";
    return json ? `{${entries.join(", ")}}` : `{ ${entries.join(", ")} }`;
  }
  return scalarText(value, json);
}

/** Written inline in block style: lists of plain values, and mappings whose values are all plain. */
function inline(value: Plain): boolean {
  if (Array.isArray(value)) return value.every(isScalarValue);
  if (isPlainObject(value)) return Object.values(value).every(isScalarValue);
  return true;
}

/** `key: value` lines at `indent`, nested blocks one `step` deeper. */
function pairLines(key: string, value: Plain, indent: string, step: string): string[] {
  const head = `${indent}${scalarText(key, false)}:`;
  if (inline(value)) return [`${head} ${flowText(value)}`];
  if (Array.isArray(value)) return [head, ...value.flatMap((item) => itemLines(item, indent + step, step))];
  return [head, ...Object.entries(value as Record<string, Plain>).flatMap(([k, v]) => pairLines(k, v, indent + step, step))];
}

/** `- item` lines with the dash at `indent`. */
function itemLines(value: Plain, indent: string, step: string): string[] {
  if (!isPlainObject(value) || inline(value)) return [`${indent}- ${flowText(value)}`];
  const inner = indent + " ".repeat(2);
  const lines = Object.entries(value).flatMap(([k, v]) => pairLines(k, v, inner, step));
  lines[0] = `${indent}- ${lines[0]!.slice(inner.length)}`;
  return lines;
}

export class Splicer {
  private readonly edits: Edit[] = [];
  readonly eol: string;
  readonly text: string;
  /** One level of indentation in this file. */
  readonly step: string;
  /** The document is JSON: new entries are written as JSON. */
  readonly json: boolean;

  constructor(text: string, step: string, json: boolean) {
    this.text = text;
    this.step = step;
    this.json = json;
    this.eol = text.includes("\r\n") ? "\r\n" : "\n";
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf("\n", offset - 1) + 1;
  }

  /** The offset just past the line holding the character before `offset` (a block's range already ends past its line break). */
  private afterLine(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === "\n") return offset;
    const nl = this.text.indexOf("\n", offset);
    return nl < 0 ? this.text.length : nl + 1;
  }

  private column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  private indentAt(offset: number): string {
    return " ".repeat(this.column(offset));
  }

  private end(node: YamlNode | null | undefined, fallback: number): number {
    return node?.range?.[1] ?? fallback;
  }

  private start(node: YamlNode): number {
    if (!node.range) throw new NotSpliceable(node, "has no position in the file");
    return node.range[0];
  }

  /** Lines inserted at `at` (a line start), with a line break first when the file ends without one. */
  private insertLines(at: number, lines: string[], blankBefore = false): void {
    const prefix = at === this.text.length && at > 0 && !this.text.endsWith("\n") ? this.eol : "";
    this.edits.push({ at, end: at, text: prefix + (blankBefore ? this.eol : "") + lines.map((l) => l + this.eol).join("") });
  }

  private refuseComments(node: YamlNode, from: number, to: number): void {
    const slice = this.text.slice(from, to);
    // A flow collection is rebuilt from its items' own text; a comment among them would be lost.
    let rest = slice;
    if (isCollection(node)) {
      for (const item of [...(node.items as (Pair | YamlNode)[])].reverse()) {
        const parts = isPairLike(item) ? [item.key as YamlNode, item.value as YamlNode | null] : [item];
        for (const p of parts.reverse()) {
          if (p?.range) rest = rest.slice(0, p.range[0] - from) + " ".repeat(p.range[1] - p.range[0]) + rest.slice(p.range[1] - from);
        }
      }
    }
    if (rest.includes("#")) throw new NotSpliceable(node, "has a comment inside an inline list or mapping; edit it by hand");
  }

  /** Appends `key: value` to a mapping (block or flow). */
  addPair(map: YAMLMap, key: string, value: Plain): void {
    const pairs = map.items as Pair[];
    if (map.flow) {
      const last = pairs.at(-1);
      const entry = `${scalarText(key, this.json)}: ${flowText(value, this.json)}`;
      if (last === undefined) {
        const open = this.start(map) + 1;
        this.edits.push({ at: open, end: open, text: this.json ? entry : ` ${entry} ` });
      } else {
        const at = this.end(last.value as YamlNode | null, this.end(last.key as YamlNode, this.start(map)));
        this.edits.push({ at, end: at, text: `, ${entry}` });
      }
      return;
    }
    const first = pairs[0];
    const last = pairs.at(-1);
    if (!first || !last) throw new NotSpliceable(map, "is an empty block mapping");
    const indent = this.indentAt(this.start(first.key as YamlNode));
    const at = this.afterLine(this.end(last.value as YamlNode | null, this.end(last.key as YamlNode, 0)));
    this.insertLines(at, pairLines(key, value, indent, this.step), this.blankLinesBetween(pairs));
  }

  /** The mapping separates its entries with blank lines (as the vendors in a registry usually are). */
  private blankLinesBetween(pairs: Pair[]): boolean {
    if (pairs.length < 2) return false;
    return pairs.slice(1).every((p, i) => {
      const prev = pairs[i]!;
      const gap = this.text.slice(this.afterLine(this.end(prev.value as YamlNode | null, 0)), this.lineStart(this.start(p.key as YamlNode)));
      return /^[ \t]*\r?\n/.test(gap);
    });
  }

  /**
   * Sets the empty (or null) value of `pair` to a block mapping or list holding `value`, indented
   * one step under the key: `vendors: {}` becomes `vendors:` and the new entries below it.
   */
  fillEmpty(pair: Pair, value: Plain): void {
    const key = pair.key as YamlNode;
    const colon = this.text.indexOf(":", this.end(key, 0));
    const v = pair.value as YamlNode | null;
    const valueEnd = this.end(v, colon + 1);
    const indent = this.indentAt(this.start(key)) + this.step;
    const lines = Array.isArray(value)
      ? value.flatMap((item) => itemLines(item, indent, this.step))
      : Object.entries(value as Record<string, Plain>).flatMap(([k, val]) => pairLines(k, val, indent, this.step));
    if (this.json) {
      this.edits.push({ at: v?.range?.[0] ?? colon + 1, end: valueEnd, text: flowText(value, true) });
      return;
    }
    // The empty value goes; a comment after it on the key's line stays there.
    const after = this.afterLine(valueEnd);
    const rest = this.text.slice(valueEnd, after).replace(/\r?\n$/, "");
    this.edits.push({ at: colon + 1, end: after, text: `${rest.trim() ? ` ${rest.trim()}` : ""}${this.eol}${lines.map((l) => l + this.eol).join("")}` });
  }

  /** Appends an item to a list (block or flow). */
  addItem(seq: YAMLSeq, value: Plain): void {
    const items = seq.items as YamlNode[];
    if (seq.flow) {
      const last = items.at(-1);
      if (last === undefined) {
        const open = this.start(seq) + 1;
        this.edits.push({ at: open, end: open, text: flowText(value, this.json) });
      } else {
        const at = this.end(last, 0);
        this.edits.push({ at, end: at, text: `, ${flowText(value, this.json)}` });
      }
      return;
    }
    const last = items.at(-1);
    if (!last) throw new NotSpliceable(seq, "is an empty block list");
    // A block list's range starts at its first dash.
    const indent = this.indentAt(this.start(seq));
    this.insertLines(this.afterLine(this.end(last, 0)), itemLines(value, indent, this.step));
  }

  /** The start of the line of a block item's dash, taking along the comment lines right above it. */
  private blockItemStart(itemStart: number, withComments: boolean): number {
    let start = this.lineStart(itemStart);
    if (!withComments) return start;
    const col = this.column(itemStart) - 2;
    while (start > 0) {
      const prev = this.lineStart(start - 1);
      const line = this.text.slice(prev, start);
      const trimmed = line.trimStart();
      if (!trimmed.startsWith("#") || line.length - trimmed.length < col) break;
      start = prev;
    }
    return start;
  }

  /**
   * Removes the items at `indices` from a list. `withComments` also removes the comment lines right
   * above a removed block item: they explained it. A list left empty is written `[]`, through `pair`.
   */
  removeItems(pair: Pair, seq: YAMLSeq, indices: ReadonlySet<number>, withComments = false): void {
    const items = seq.items as YamlNode[];
    if (indices.size === 0) return;
    if (seq.flow) {
      this.refuseComments(seq, this.start(seq), this.end(seq, 0));
      this.removeFlowEntries(items.map((n) => [this.start(n), this.end(n, 0)]), indices);
      return;
    }
    if (indices.size === items.length) {
      const key = pair.key as YamlNode;
      const colon = this.text.indexOf(":", this.end(key, 0));
      this.edits.push({ at: colon + 1, end: this.afterLine(this.end(seq, 0)), text: ` []${this.eol}` });
      return;
    }
    for (const i of indices) {
      const item = items[i]!;
      this.edits.push({ at: this.blockItemStart(this.start(item), withComments), end: this.afterLine(this.end(item, 0)), text: "" });
    }
  }

  /**
   * Removes entries of an inline list or mapping with their separating commas, touching nothing
   * between the entries kept (an edit inside a kept entry may be under way): entries before the
   * first kept one go up to the next entry's start, later ones from the previous entry's end.
   */
  private removeFlowEntries(spans: readonly [number, number][], removed: ReadonlySet<number>): void {
    if (removed.size === 0) return;
    if (removed.size === spans.length) {
      this.edits.push({ at: spans[0]![0], end: spans.at(-1)![1], text: "" });
      return;
    }
    const firstKept = spans.findIndex((_, i) => !removed.has(i));
    for (const i of removed) {
      if (i < firstKept) this.edits.push({ at: spans[i]![0], end: spans[i + 1]![0], text: "" });
      else this.edits.push({ at: spans[i - 1]![1], end: spans[i]![1], text: "" });
    }
  }

  /** Removes `keys` from a mapping; the caller removes the mapping itself instead when no key would be left. */
  removePairs(map: YAMLMap, keys: ReadonlySet<string>): void {
    const pairs = map.items as Pair[];
    if (map.flow) {
      this.refuseComments(map, this.start(map), this.end(map, 0));
      const spans = pairs.map((p): [number, number] => [this.start(p.key as YamlNode), this.end(p.value as YamlNode | null, this.end(p.key as YamlNode, 0))]);
      this.removeFlowEntries(spans, new Set(pairs.flatMap((p, i) => (keys.has(keyOf(p) ?? "") ? [i] : []))));
      return;
    }
    for (const p of pairs) {
      if (!keys.has(keyOf(p) ?? "")) continue;
      const key = p.key as YamlNode;
      this.edits.push({ at: this.lineStart(this.start(key)), end: this.afterLine(this.end(p.value as YamlNode | null, this.end(key, 0))), text: "" });
    }
  }

  /** Replaces a pair's value with `value`, written inline. */
  replaceValue(pair: Pair, value: Plain): void {
    const v = pair.value as YamlNode | null;
    const key = pair.key as YamlNode;
    if (v === null || isScalar(v) || (isCollection(v) && v.flow)) {
      if (v?.range) {
        if (isCollection(v)) this.refuseComments(v, v.range[0], v.range[1]);
        this.edits.push({ at: v.range[0], end: v.range[1], text: flowText(value, this.json) });
      } else {
        const colon = this.text.indexOf(":", this.end(key, 0));
        this.edits.push({ at: colon + 1, end: colon + 1, text: ` ${flowText(value, this.json)}` });
      }
      return;
    }
    const colon = this.text.indexOf(":", this.end(key, 0));
    const end = this.afterLine(this.end(v, 0));
    if (this.text.slice(colon + 1, end).includes("#")) throw new NotSpliceable(v, "has comments among its items; edit it by hand");
    this.edits.push({ at: colon + 1, end, text: ` ${flowText(value)}${this.eol}` });
  }

  /**
   * The edited text. Edits never overlap: each touches its own entries. Insertions at the same
   * place keep the order they were made in (a list's new item, then the mapping's new key after it).
   */
  apply(): string {
    const sorted = this.edits.map((e, n) => ({ ...e, n })).sort((a, b) => b.at - a.at || b.end - a.end || b.n - a.n);
    let out = this.text;
    let limit = Infinity;
    for (const e of sorted) {
      if (e.end > limit) throw new Error("overlapping registry edits");
      out = out.slice(0, e.at) + e.text + out.slice(e.end);
      limit = e.at;
    }
    return out;
  }
}

function isPairLike(x: unknown): x is Pair {
  return typeof x === "object" && x !== null && "key" in x && "value" in x;
}

export function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return (map.items as Pair[]).find((p) => keyOf(p) === key);
}

export { isMap, isSeq };
