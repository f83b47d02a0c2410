import { createHash } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { open } from "node:fs/promises";
import {
  type Document,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node as YamlNode,
  type Pair,
  parseDocument,
  type YAMLMap,
} from "yaml";
import type * as z from "zod";
import { type InputIssue, InputError, renderPath, type SourceLocation } from "./errors.ts";
import { describeValue, errorMap } from "./primitives.ts";

/**
 * Limits that keep a hostile or broken input file from taking the process down. Exceeding any of
 * them is an InputError, never a crash or a hang.
 *
 * - maxFileBytes: registries and manifests are hand-written; 10 MB is far beyond any real one and
 *   bounds the memory the YAML parser may use.
 * - maxEntries: lines plus commas, an upper estimate of the number of values. The yaml parser
 *   spends tens of µs per value, so a 10 MB file of one-character list items would keep it busy for
 *   minutes; 100 000 bounds loading to seconds (measured: under 10 s for the worst shapes on a
 *   small machine) and is still far beyond any real file (a 200-integration manifest is ~20 000).
 * - maxAliasCount: YAML aliases can expand exponentially ("billion laughs"); this is the yaml
 *   package's own guard (its default), counted over the resolved document.
 * - maxDepth: nesting of mappings and lists, counted from the top-level mapping (an integration's
 *   field sits at depth 5). The yaml parser recurses per level and, on a 10 MB run of "[", exhausts
 *   memory before it reports anything, so an estimate is also taken from the raw text before
 *   parsing (see {@link preScanBound}).
 * - maxIntegrations: integrations in one manifest or one stack. A stack's program has no file size
 *   to bound it, and each integration costs the Pulumi engine, plan's mocks and the policy alike
 *   (measured on a busy 2-core machine: ~3 ms each under plan, ~50 ms each in a real preview, and
 *   policy evaluation growing faster than linearly: 5 000 integrations of ~12 fields take ~25 s).
 *   Real stacks declare tens; a stack past the limit is blocked, never judged in part. A stack's
 *   declarations together are held to maxFileBytes as well, as if they were one manifest.
 */
export const inputLimits = Object.freeze({
  maxFileBytes: 10 * 1024 * 1024,
  maxEntries: 100_000,
  maxAliasCount: 100,
  maxDepth: 64,
  maxIntegrations: 5_000,
});

/**
 * The pre-parse nesting estimate (twice the indentation, plus compact "- "/"? "/": " indicators at
 * the start of a line, plus open flow brackets) over-counts real nesting, so its bound is generous:
 * no sane file comes near it, while every pathological one is stopped before the parser sees it.
 */
export const preScanBound = inputLimits.maxDepth * 16;

/** A parsed YAML or JSON file: the plain data plus what is needed to point back into the text. */
/** `sha256:<hex>` of a file's bytes: how reports name the exact input that judged. */
export const sha256Digest = (data: string | Uint8Array): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

export interface SourceDocument {
  readonly file: string;
  readonly data: Record<string, unknown>;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
}

const whole = (file: string, message: string): InputIssue => ({ file, line: 1, column: 1, path: "", message });

const readErrors: Record<string, string> = {
  ENOENT: "file not found",
  EISDIR: "is a directory, expected a YAML or JSON file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOTDIR: "a parent of this path is not a directory",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "file name too long",
};

function readError(file: string, err: unknown): InputError {
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : undefined;
  if (code === undefined) throw err;
  return new InputError([whole(file, `cannot read: ${readErrors[code] ?? code}`)]);
}

const limitText = `${inputLimits.maxFileBytes} bytes (${inputLimits.maxFileBytes / 1024 / 1024} MB)`;

/**
 * How long a named pipe (FIFO) may go without a writer before reading it is given up. Opening one
 * the usual way blocks until some process opens it for writing, which may be never: the gate would
 * hang instead of failing.
 */
export const pipeWriterWaitMs = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The file's text, refusing directories, files over the size limit and anything that is not UTF-8. */
export async function readSourceText(file: string): Promise<string> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    // Non-blocking, so that opening a FIFO nobody writes to returns at once (see pipeWriterWaitMs);
    // for regular files it changes nothing.
    fh = await open(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw readError(file, err);
  }
  const max = inputLimits.maxFileBytes;
  const tooBig = (size: string) => new InputError([whole(file, `file is ${size}, over the limit of ${limitText}`)]);
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw readError(file, { code: "EISDIR" });
    if (st.isFile() && st.size > max) throw tooBig(`${st.size} bytes`);
    // A pipe reads as end-of-file until a writer opens it, then as "try again" until data comes;
    // anything else has its writer from the start.
    let writer = !st.isFIFO();
    const since = Date.now();
    // Read in chunks rather than trusting stat: pipes and growing files report no useful size.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(1024 * 1024);
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, 0, buf.length, null));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
        // A writer is there (a pipe, a terminal) and has not written yet: wait for it, as a
        // blocking read would.
        writer = true;
        await sleep(10);
        continue;
      }
      if (bytesRead === 0) {
        if (writer) break;
        if (Date.now() - since >= pipeWriterWaitMs) {
          throw new InputError([whole(file, `cannot read: a named pipe (FIFO) that no process writes to (waited ${pipeWriterWaitMs / 1000} s)`)]);
        }
        await sleep(20);
        continue;
      }
      writer = true;
      total += bytesRead;
      if (total > max) throw tooBig(`more than ${max} bytes`);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return decodeUtf8(Buffer.concat(chunks), file);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw readError(file, err);
  } finally {
    await fh.close();
  }
}

/** How inputs read from standard input (`--manifest -`) are named in messages. */
export const STDIN_NAME = "<stdin>";

/** Standard input's text, with the same size limit and UTF-8 check as a file's. */
export async function readStdinText(stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<string> {
  // Waiting on a terminal would look like a hang: nobody meant to type a manifest.
  if (stdin.isTTY === true) throw new InputError([whole(STDIN_NAME, "standard input is a terminal; pipe a manifest in (… | vendorgate check --manifest -)")]);
  const max = inputLimits.maxFileBytes;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > max) throw new InputError([whole(STDIN_NAME, `input is more than ${max} bytes, over the limit of ${limitText}`)]);
    chunks.push(buf);
  }
  return decodeUtf8(Buffer.concat(chunks), STDIN_NAME);
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // The lenient decoding marks the first bad byte with U+FFFD, which gives the line to name.
    const lenient = new TextDecoder().decode(bytes);
    const lines = lenient.slice(0, Math.max(0, lenient.indexOf("\uFFFD"))).split("\n");
    throw new InputError([
      { file, line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1, path: "", message: "not valid UTF-8 text (expected a YAML or JSON file)" },
    ]);
  }
}

/** What the pre-parse scan found wrong, and where. */
export interface PreScanFinding {
  offset: number;
  problem: "nesting" | "entries";
}

/**
 * Estimates nesting and size from the raw text before the YAML parser runs, since the parser is
 * what a pathological file would exhaust. Linear, no allocation; undefined when the text is fine.
 */
export function preScan(text: string): PreScanFinding | undefined {
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let entries = 1;
  let atStart = true; // still in the line's leading run of spaces and indicators
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 44) {
      if (++entries > inputLimits.maxEntries) return { offset: i, problem: "entries" };
      if (c === 44) continue;
      indent = 0;
      indicators = 0;
      atStart = true;
      continue;
    }
    if (atStart) {
      const next = text.charCodeAt(i + 1);
      const spaced = Number.isNaN(next) || next === 32 || next === 9 || next === 10 || next === 13;
      if (c === 32 && indicators === 0) indent++;
      else if (c === 32 || c === 9) {
        // between indicators
      } else if ((c === 45 || c === 63 || c === 58) && spaced && flow === 0) indicators++;
      else atStart = false;
    }
    if (c === 91 || c === 123) flow++;
    else if ((c === 93 || c === 125) && flow > 0) flow--;
    if (2 * indent + indicators + flow > preScanBound) return { offset: i, problem: "nesting" };
  }
  return undefined;
}

/**
 * Line starts of `text`, counted here rather than by the YAML parser: while it recovers from a
 * syntax error the parser can miss a line break inside a token, and every position after it would
 * then name the wrong line and a column past the end of it.
 */
function lineStarts(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lc.addNewLine(i + 1);
  return lc;
}

function position(lc: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lc.linePos(offset);
  return { line, column: col };
}

/** Parses YAML (JSON being YAML) into a plain object, turning every problem into an InputError. */
export function parseSource(text: string, file: string): SourceDocument {
  if (Buffer.byteLength(text, "utf8") > inputLimits.maxFileBytes) {
    throw new InputError([whole(file, `file is over the limit of ${limitText}`)]);
  }
  const lineCounter = lineStarts(text);
  const at = (offset: number, message: string): InputIssue => ({ file, ...position(lineCounter, offset), path: "", message });

  const finding = preScan(text);
  if (finding) {
    const lines = text.slice(0, finding.offset).split("\n");
    const message =
      finding.problem === "nesting"
        ? `nested or indented too deeply to parse safely (limit ${inputLimits.maxDepth} levels)`
        : `too many entries to parse safely (more than ${inputLimits.maxEntries} lines and commas)`;
    throw new InputError([{ file, line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1, path: "", message }]);
  }

  const doc = parseDocument(text, {
    prettyErrors: false,
    // yaml's own check compares every key with every earlier one; checkTree does it in linear time.
    uniqueKeys: false,
    version: "1.2",
    schema: "core",
    merge: false,
    // !!timestamp, !!binary and friends would turn strings into Dates and Buffers; with this off
    // they are unresolved tags, reported below.
    resolveKnownTags: false,
    // "error", not "silent": at "silent" yaml also drops the multiple-documents error.
    logLevel: "error",
  });

  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length) {
    const issues: InputIssue[] = [];
    let exhausted = false;
    for (const e of problems) {
      if (e.code === "RESOURCE_EXHAUSTION") {
        if (!exhausted) issues.push(at(e.pos[0], `nested too deeply to parse (limit ${inputLimits.maxDepth} levels)`));
        exhausted = true;
      } else {
        issues.push(at(e.pos[0], yamlMessage(e.code, e.message)));
      }
    }
    throw new InputError(issues);
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    throw new InputError([whole(file, "file is empty (expected a YAML or JSON mapping)")]);
  }
  if (!isMap(root)) {
    const got = isSeq(root) ? "a list" : isScalar(root) ? describeValue(root.value) : "an alias";
    throw new InputError([at(root.range?.[0] ?? 0, `expected a mapping at the top level, got ${got}`)]);
  }

  const treeIssues = checkTree(doc, at);
  const found = treeIssues.issues;
  if (found.length) throw new InputError(found.slice(0, maxKeptIssues), Math.max(0, found.length - maxKeptIssues));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: inputLimits.maxAliasCount });
  } catch (err) {
    if (!(err instanceof ReferenceError || err instanceof RangeError)) throw err;
    const offset = treeIssues.firstAlias?.range?.[0] ?? 0;
    const message = /alias count/i.test(err.message)
      ? `aliases expand too much (limit ${inputLimits.maxAliasCount}); write the values out instead`
      : err.message;
    throw new InputError([at(offset, message)]);
  }
  return { file, data: data as Record<string, unknown>, doc, lineCounter };
}

function yamlMessage(code: string, message: string, key?: string): string {
  if (code === "DUPLICATE_KEY") return `duplicate key${key === undefined ? "" : ` "${key}"`} (each key may appear once in a mapping)`;
  if (code === "TAG_RESOLVE_FAILED") return `${message} (tags are not supported; write plain values)`;
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Depth (through aliases, each counted where it is used) and key shape, before any conversion:
 * toJS would recurse into an over-deep tree, and silently stringify a mapping used as a key.
 */
function checkTree(doc: Document.Parsed, at: (offset: number, message: string) => InputIssue) {
  const issues: InputIssue[] = [];
  const heights = new Map<YamlNode, number>();
  const visiting = new Set<YamlNode>();
  let firstAlias: YamlNode | undefined;
  let stop = false;
  const max = inputLimits.maxDepth;

  const tooDeep = (node: YamlNode) => {
    issues.push(at(node.range?.[0] ?? 0, `nested deeper than ${max} levels`));
    stop = true;
  };

  // A lone UTF-16 surrogate (a "\ud800" escape) is no text at all: the policy's WASM faults on it
  // where OPA's own evaluator would not, so it is refused here, where the file can be named.
  const loneSurrogate = (node: YamlNode) => {
    const v = (node as { value?: unknown }).value;
    if (typeof v === "string" && !v.isWellFormed()) issues.push(at(node.range?.[0] ?? 0, LONE_SURROGATE));
  };

  // Height of the collection tree under node; walks at most `max` levels below the root.
  const height = (node: unknown, depth: number): number => {
    if (stop) return 0;
    if (isAlias(node)) {
      firstAlias ??= node;
      const target = node.resolve(doc);
      // An anchor precedes its aliases, so its height is known here; blame the alias that makes it too deep.
      const known = target ? heights.get(target) : undefined;
      if (known !== undefined) {
        if (depth + known > max) tooDeep(node);
        return known;
      }
      return target ? height(target, depth) : 0;
    }
    if (!isCollection(node)) {
      if (isScalar(node)) loneSurrogate(node);
      return 0;
    }
    const known = heights.get(node);
    if (known !== undefined) {
      if (depth + known > max) tooDeep(node);
      return known;
    }
    if (depth + 1 > max) {
      tooDeep(node);
      return 1;
    }
    if (visiting.has(node)) {
      issues.push(at(node.range?.[0] ?? 0, "an alias refers to the collection that contains it"));
      stop = true;
      return 0;
    }
    visiting.add(node);
    let h = 0;
    const keys = new Set<string>();
    for (const item of node.items) {
      if (isPair(item)) {
        const k = item.key as YamlNode | null;
        if (k !== null && !isScalar(k)) {
          issues.push(at(k.range?.[0] ?? 0, "keys must be plain strings, not lists, mappings or aliases"));
        } else {
          if (k !== null) loneSurrogate(k);
          // Keys that become the same object property ("1" and 1) are duplicates too.
          const name = String(k?.value ?? null);
          if (keys.has(name)) issues.push(at(k?.range?.[0] ?? node.range?.[0] ?? 0, yamlMessage("DUPLICATE_KEY", "", name)));
          keys.add(name);
        }
        h = Math.max(h, height(item.value, depth + 1));
      } else {
        h = Math.max(h, height(item, depth + 1));
      }
    }
    visiting.delete(node);
    heights.set(node, h + 1);
    return h + 1;
  };
  height(doc.contents, 0);
  return { issues, firstAlias };
}

/** The message for a string that is not well-formed UTF-16. */
export const LONE_SURROGATE = "the text holds a lone UTF-16 surrogate (such as \\ud800), which is not a character; remove or complete it";

/** Whether any string (key included) under v holds a lone UTF-16 surrogate. */
export function hasIllFormed(v: unknown): boolean {
  if (typeof v === "string") return !v.isWellFormed();
  if (Array.isArray(v)) return v.some(hasIllFormed);
  if (v && typeof v === "object") return Object.entries(v).some(([k, x]) => !k.isWellFormed() || hasIllFormed(x));
  return false;
}

/** Paths of the strings (keys included) that hold a lone UTF-16 surrogate. */
export function illFormedStrings(v: unknown, path: PropertyKey[] = [], out: PropertyKey[][] = []): PropertyKey[][] {
  if (typeof v === "string") {
    if (!v.isWellFormed()) out.push(path);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => illFormedStrings(x, [...path, i], out));
  } else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (!k.isWellFormed()) out.push([...path, k.toWellFormed()]);
      illFormedStrings(x, [...path, k], out);
    }
  }
  return out;
}

type Segment = PropertyKey;

interface Found {
  /** The node the whole path names, or null when it is absent. */
  node: YamlNode | null;
  /** The key node of the last mapping step, when the path ends in a mapping key that exists. */
  key: YamlNode | null;
  /** The deepest node that exists along the path. */
  deepest: YamlNode;
}

// Key lookup per mapping, built on first use: a file with many issues in one wide mapping would
// otherwise cost a scan of the mapping per issue.
const keyIndex = new WeakMap<object, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = keyIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    keyIndex.set(map, index);
  }
  return index.get(key);
}

function find(src: SourceDocument, path: readonly Segment[]): Found {
  let cur: unknown = src.doc.contents;
  let key: YamlNode | null = null;
  let deepest = cur as YamlNode;
  for (const seg of path) {
    if (isAlias(cur)) cur = cur.resolve(src.doc);
    if (isMap(cur)) {
      const pair = pairOf(cur, String(seg));
      if (!pair) return { node: null, key: null, deepest: cur };
      deepest = cur;
      key = pair.key as YamlNode;
      cur = pair.value;
    } else if (isSeq(cur) && typeof seg === "number" && cur.items[seg] !== undefined) {
      deepest = cur;
      key = null;
      cur = cur.items[seg];
    } else {
      return { node: null, key: null, deepest: (cur ?? deepest) as YamlNode };
    }
  }
  return { node: (cur ?? null) as YamlNode | null, key, deepest };
}

const startOf = (n: YamlNode | null): number | undefined => n?.range?.[0];

/**
 * Where `path` sits in the source: at the value (or its key when the value is empty), at the key
 * itself for `target: "key"`, and at the enclosing mapping when the path does not exist.
 */
export function locate(src: SourceDocument, path: readonly Segment[], target: "value" | "key" = "value"): SourceLocation {
  const f = find(src, path);
  let offset: number | undefined;
  if (f.node === null && f.key === null) {
    offset = startOf(f.deepest);
  } else if (target === "key" && f.key) {
    offset = startOf(f.key);
  } else {
    const emptyValue = f.node === null || (isScalar(f.node) && f.node.value === null && f.node.range?.[0] === f.node.range?.[1]);
    offset = emptyValue ? startOf(f.key) : startOf(f.node);
  }
  return { file: src.file, ...position(src.lineCounter, offset ?? 0) };
}

/** How many schema issues are located and kept; the rest are only counted. */
export const maxKeptIssues = 1000;

/** Turns zod issues into InputIssues that point into the source. */
export function toInputIssues(src: SourceDocument, issues: readonly z.core.$ZodIssue[]): InputIssue[] {
  return issues.map((iss) => {
    let path: Segment[] = [...iss.path];
    let where: SourceLocation;
    const message = iss.message;
    if (iss.code === "unrecognized_keys") {
      const first = iss.keys[0]!;
      where = locate(src, [...path, first], "key");
      if (iss.keys.length === 1) path = [...path, first];
    } else if (iss.code === "invalid_key") {
      where = locate(src, path, "key");
    } else {
      const atKey = iss.code === "custom" && (iss.params as { at?: string } | undefined)?.at === "key";
      where = locate(src, path, atKey ? "key" : "value");
    }
    return { ...where, path: renderPath(path), message };
  });
}

/** Validates the parsed data with `schema`, or throws an InputError naming every problem. */
export function validateSource<S extends z.ZodType>(src: SourceDocument, schema: S): z.output<S> {
  const result = schema.safeParse(src.data, { error: errorMap });
  if (!result.success) {
    const all = result.error.issues;
    throw new InputError(toInputIssues(src, all.slice(0, maxKeptIssues)), Math.max(0, all.length - maxKeptIssues));
  }
  return result.data;
}
