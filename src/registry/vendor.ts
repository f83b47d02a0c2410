import { isMap, isSeq, type Document, type Node as YamlNode, type Pair, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { UsageError } from "../errors.ts";
import {
  covers,
  InputError,
  locate,
  namePattern,
  parseRegistry,
  parseSource,
  readSourceText,
  type Registry,
  registrySchema,
  registryTaxonomy,
  renderPath,
  type Transform,
  type Vendor,
  type VendorStatus,
} from "../model/index.ts";
import { withFileLock, type LockOptions } from "./lock.ts";
import { problem, unknownVendor, writeAtomically } from "./edit.ts";
import { NotSpliceable, pairOf, type Plain, Splicer } from "./splice.ts";

/*
 * `vendor add`, `vendor approve` and `vendor revoke`: the registry edits security makes most,
 * done the way `vendor suspend` changes a status. Under the file's lock, the file is re-read,
 * the change is spliced into its text (comments and layout elsewhere stay byte for byte), and the
 * result must both parse to exactly the intended data and validate as a registry before it
 * replaces the file atomically. Values the user typed are checked by the registry's own schema, and
 * its messages name the option the value came from.
 */

export interface NewVendor {
  vendor: string;
  name: string;
  status: VendorStatus;
  domains?: string[];
  hosts?: string[];
  ports?: number[];
  accounts?: string[];
  regions: string[];
  dpaExpires?: string;
  soc2Expires?: string;
  reason?: string;
  by: string;
  /** YYYY-MM-DD, recorded as statusChanged. */
  date: string;
}

export interface ApprovalChange {
  vendor: string;
  purpose: string;
  /** Absent: the approval for any data subject. */
  subjects?: string[];
  categories: string[];
  /** Transforms each of `categories` must then use. */
  requireTransform?: Transform[];
}

export interface Revocation {
  vendor: string;
  purpose: string;
  /** Absent: every approval for the purpose, whatever its subjects. */
  subjects?: string[];
  /** Absent: the whole approval. */
  categories?: string[];
}

export interface EditOptions {
  /** Work out and check the change, but write nothing. */
  dryRun?: boolean;
  lock?: LockOptions;
}

export interface EditResult {
  file: string;
  vendor: string;
  /** The registry's text before and after (equal when nothing changed). */
  before: string;
  after: string;
  /** What changed, one line each; empty when the registry already said this. */
  changes: string[];
  written: boolean;
  /** The vendor as the registry now (or, on a dry run, would) describe it. */
  result: Vendor;
}

type Raw = { [key: string]: Plain };

interface Context {
  file: string;
  text: string;
  doc: Document;
  raw: Raw;
  registry: Registry;
  splicer: Splicer;
}

interface Planned {
  intended: Raw;
  changes: string[];
}

/** Which option a value at this place in a vendor came from, for messages. */
const optionFor: [RegExp, string][] = [
  [/^name$/, "--name"],
  [/^status/, "--status"],
  [/^domains/, "--domains"],
  [/^hosts/, "--hosts"],
  [/^ports/, "--ports"],
  [/^accounts/, "--accounts"],
  [/^regions/, "--regions"],
  [/^assurance\.dpa/, "--dpa-expires"],
  [/^assurance\.soc2/, "--soc2-expires"],
  [/^approvals\[\d+\]\.purpose/, "--purpose"],
  [/^approvals\[\d+\]\.subjects/, "--subjects"],
  [/^approvals\[\d+\]\.categories/, "--categories"],
  [/^approvals\[\d+\]\.requireTransform/, "--require-transform"],
];

/** The intended registry, checked by the registry schema before any text is touched. */
function checkIntended(intended: Raw, vendor: string, file: string): void {
  const parsed = registrySchema(registryTaxonomy(intended)).safeParse(intended);
  if (parsed.success) return;
  const messages = parsed.error.issues.map((issue) => {
    const [top, key, ...rest] = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const inner = top === "vendors" && key === vendor ? renderPath(rest) : undefined;
    const option = inner === undefined ? undefined : optionFor.find(([re]) => re.test(inner))?.[1];
    const value = issue.path.length ? renderPath(issue.path.filter((p): p is string | number => typeof p !== "symbol")) : "";
    return option ? `${option}: ${issue.message}` : `${file}: the change would make ${value || "the registry"} invalid: ${issue.message}`;
  });
  throw new UsageError(`${[...new Set(messages)].join("\n")}\nnothing was written`);
}

function vendorsPair(ctx: Context): { pair: Pair; map: YAMLMap } {
  const root = ctx.doc.contents;
  const pair = isMap(root) ? pairOf(root, "vendors") : undefined;
  if (!pair || !isMap(pair.value)) throw notEditable(ctx, ["vendors"], "expected a mapping of vendors");
  return { pair, map: pair.value };
}

function vendorNode(ctx: Context, vendor: string): YAMLMap {
  const node = ctx.doc.getIn(["vendors", vendor], true) as YamlNode | undefined;
  if (!isMap(node)) throw notEditable(ctx, ["vendors", vendor], "expected a mapping of the vendor's properties (aliases are not edited)");
  return node;
}

function notEditable(ctx: Context, path: (string | number)[], message: string): InputError {
  const at = locate(parseSource(ctx.text, ctx.file), path, "key");
  return problem(ctx.file, at.line, at.column, renderPath(path), message);
}

const clone = (raw: Raw): Raw => structuredClone(raw);
const list = (xs: readonly string[]) => xs.join(", ");
const sameSet = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  a === undefined || b === undefined ? a === b : a.length === b.length && a.every((x) => b.includes(x));

/** The file's indentation step: how far the vendor keys sit under `vendors:` (2 when it cannot tell). */
function stepOf(text: string, doc: Document): string {
  const root = doc.contents;
  const pair = isMap(root) ? pairOf(root, "vendors") : undefined;
  const vendors = pair?.value;
  const first = isMap(vendors) && !vendors.flow ? (vendors.items[0] as Pair | undefined) : undefined;
  const col = (node: YamlNode | undefined) => (node?.range ? node.range[0] - (text.lastIndexOf("\n", node.range[0] - 1) + 1) : undefined);
  const outer = col(pair?.key as YamlNode | undefined);
  const inner = col(first?.key as YamlNode | undefined);
  return " ".repeat(outer !== undefined && inner !== undefined && inner > outer ? inner - outer : 2);
}

async function edit(file: string, vendor: string, opts: EditOptions, plan: (ctx: Context) => Planned): Promise<EditResult> {
  const run = async (): Promise<EditResult> => {
    const text = await readSourceText(file);
    const { registry } = parseRegistry(text, file);
    const doc = parseDocument(text, { version: "1.2", merge: false, uniqueKeys: false });
    const json = isMap(doc.contents) && doc.contents.flow === true;
    const ctx: Context = { file, text, doc, raw: parseSource(text, file).data as Raw, registry, splicer: new Splicer(text, stepOf(text, doc), json) };
    let planned: Planned;
    try {
      planned = plan(ctx);
    } catch (err) {
      if (!(err instanceof NotSpliceable)) throw err;
      const offset = err.node?.range?.[0] ?? 0;
      const line = text.slice(0, offset).split("\n").length;
      const column = offset - (text.lastIndexOf("\n", offset - 1) + 1) + 1;
      throw problem(file, line, column, "", `${err.message}; vendorgate edits only what it can change without touching the rest`);
    }
    if (planned.changes.length === 0) {
      return { file, vendor, before: text, after: text, changes: [], written: false, result: registry.vendors[vendor]! };
    }
    const next = ctx.splicer.apply();
    // The splice must mean exactly the intended change, and the whole file must still validate.
    let same = false;
    try {
      same = JSON.stringify(parseSource(next, file).data) === JSON.stringify(planned.intended);
    } catch {
      // Text that does not even parse is a splicing fault, not the user's input error.
    }
    if (!same) {
      throw new Error(`editing ${file} did not produce the intended change to ${vendor}; the file was left unchanged`);
    }
    let after: Registry;
    try {
      after = parseRegistry(next, file).registry;
    } catch (err) {
      if (err instanceof InputError) throw new UsageError(`${file}: the edited registry would not validate; nothing was written:\n${err.message}`);
      throw err;
    }
    if (!opts.dryRun) await writeAtomically(file, next);
    return { file, vendor, before: text, after: next, changes: planned.changes, written: !opts.dryRun, result: after.vendors[vendor]! };
  };
  return opts.dryRun ? run() : withFileLock(file, run, opts.lock);
}

/** Adds a vendor. An existing key is refused: changing a vendor is approve, revoke or set-status. */
export async function addVendor(file: string, v: NewVendor, opts: EditOptions = {}): Promise<EditResult> {
  if (!namePattern.test(v.vendor)) {
    throw new UsageError(`<vendor>: expected a vendor key of lowercase letters, digits and dashes (such as acme-crm), got ${JSON.stringify(v.vendor)}`);
  }
  return edit(file, v.vendor, opts, (ctx) => {
    if (ctx.registry.vendors[v.vendor] !== undefined) {
      throw notEditable(ctx, ["vendors", v.vendor], `vendor "${v.vendor}" is already in the registry; change it with vendor approve, revoke or set-status`);
    }
    const entry: Raw = {
      name: v.name,
      status: v.status,
      ...(v.reason !== undefined ? { statusReason: v.reason } : {}),
      statusChanged: v.date,
      statusBy: v.by,
      ...(v.domains ? { domains: v.domains } : {}),
      ...(v.hosts ? { hosts: v.hosts } : {}),
      ...(v.ports ? { ports: v.ports } : {}),
      ...(v.accounts ? { accounts: v.accounts } : {}),
      regions: v.regions,
      ...(v.dpaExpires || v.soc2Expires
        ? { assurance: { ...(v.dpaExpires ? { dpa: { expires: v.dpaExpires } } : {}), ...(v.soc2Expires ? { soc2: { expires: v.soc2Expires } } : {}) } }
        : {}),
    };
    const intended = clone(ctx.raw);
    (intended.vendors as Raw)[v.vendor] = entry;
    checkIntended(intended, v.vendor, ctx.file);
    const { pair, map } = vendorsPair(ctx);
    if (map.items.length === 0 && !ctx.splicer.json) ctx.splicer.fillEmpty(pair, { [v.vendor]: entry });
    else ctx.splicer.addPair(map, v.vendor, entry);
    return { intended, changes: [`added vendor ${v.vendor} (${v.name}), status ${v.status}`] };
  });
}

function rawVendor(ctx: Context, vendor: string): Raw {
  if (ctx.registry.vendors[vendor] === undefined) throw unknownVendor(ctx.text, ctx.file, vendor, Object.keys(ctx.registry.vendors).sort());
  return (ctx.raw.vendors as Raw)[vendor] as Raw;
}

interface RawApproval {
  purpose: string;
  subjects?: string[];
  categories: string[];
  requireTransform?: Record<string, string[]>;
}

const describeApproval = (a: { purpose: string; subjects?: string[] | undefined }) => `${a.purpose}${a.subjects ? ` for ${list(a.subjects)}` : " (any subject)"}`;

/**
 * Approves categories for a purpose: added to the approval with that purpose and exactly these
 * subjects, or a new approval. Categories already covered (by themselves or a parent key) are
 * left as they are; `requireTransform` sets the transforms each given category must use.
 */
export async function approve(file: string, change: ApprovalChange, opts: EditOptions = {}): Promise<EditResult> {
  return edit(file, change.vendor, opts, (ctx) => {
    const vendor = rawVendor(ctx, change.vendor);
    const approvals = (vendor.approvals ?? []) as unknown as RawApproval[];
    const index = approvals.findIndex((a) => a.purpose === change.purpose && sameSet(a.subjects, change.subjects));
    const intended = clone(ctx.raw);
    const target = (intended.vendors as Raw)[change.vendor] as Raw;
    const rt = change.requireTransform;
    const vnode = vendorNode(ctx, change.vendor);

    if (index < 0) {
      const approval: Raw = {
        purpose: change.purpose,
        ...(change.subjects ? { subjects: change.subjects } : {}),
        categories: change.categories,
        ...(rt ? { requireTransform: Object.fromEntries(change.categories.map((c) => [c, rt])) } : {}),
      };
      target.approvals = [...approvals, approval] as unknown as Plain;
      checkIntended(intended, change.vendor, ctx.file);
      const pair = pairOf(vnode, "approvals");
      if (!pair) ctx.splicer.addPair(vnode, "approvals", [approval]);
      else if (isSeq(pair.value) && (pair.value.items.length > 0 || vnode.flow || ctx.splicer.json)) ctx.splicer.addItem(pair.value, approval);
      else ctx.splicer.fillEmpty(pair, [approval]);
      const how = rt ? `, each only with ${rt.join(" or ")}` : "";
      return { intended, changes: [`approved ${list(change.categories)} for ${describeApproval(change)}${how} (a new approval)`] };
    }

    const current = approvals[index]!;
    const added = change.categories.filter((c) => !current.categories.some((have) => covers(have, c)));
    const inTarget = ((target.approvals as unknown as RawApproval[])[index] = structuredClone(current));
    inTarget.categories = [...current.categories, ...added];
    const changes: string[] = [];
    if (added.length) changes.push(`approved ${list(added)} for ${describeApproval(current)}`);
    const transforms: [string, string[]][] = [];
    if (rt) {
      for (const c of change.categories) {
        const now = current.requireTransform?.[c];
        if (now && sameSet(now, rt)) continue;
        transforms.push([c, rt]);
        changes.push(`${c} now needs ${rt.join(" or ")} (${describeApproval(current)})`);
      }
      if (transforms.length) inTarget.requireTransform = { ...(current.requireTransform ?? {}), ...Object.fromEntries(transforms) };
    }
    if (changes.length === 0) return { intended, changes };
    checkIntended(intended, change.vendor, ctx.file);

    const seq = pairOf(vnode, "approvals")!.value as YAMLSeq;
    const anode = seq.items[index] as YamlNode;
    if (!isMap(anode)) throw new NotSpliceable(anode, "expected the approval as a mapping");
    if (added.length) {
      const cats = pairOf(anode, "categories");
      if (!cats || !isSeq(cats.value)) throw new NotSpliceable(anode, "expected the approval's categories as a list");
      if (cats.value.items.length === 0 && !cats.value.flow) throw new NotSpliceable(cats.value, "expected the approval's categories as a list");
      for (const c of added) ctx.splicer.addItem(cats.value, c);
    }
    if (transforms.length) {
      const rtPair = pairOf(anode, "requireTransform");
      if (!rtPair) ctx.splicer.addPair(anode, "requireTransform", Object.fromEntries(transforms));
      else if (!isMap(rtPair.value)) throw new NotSpliceable(anode, "expected requireTransform as a mapping");
      else {
        const rtMap = rtPair.value;
        for (const [c, ts] of transforms) {
          const existing = pairOf(rtMap, c);
          if (existing) ctx.splicer.replaceValue(existing, ts);
          else if (rtMap.items.length === 0 && !rtMap.flow) ctx.splicer.fillEmpty(rtPair, { [c]: ts });
          else ctx.splicer.addPair(rtMap, c, ts);
        }
      }
    }
    return { intended, changes };
  });
}

/**
 * Revokes approvals for a purpose: the whole approval, or some of its categories (an approval
 * left with none is removed). A category approved only through a parent key cannot be revoked on
 * its own: the parent has to go, which is a decision about its other keys too.
 */
export async function revoke(file: string, r: Revocation, opts: EditOptions = {}): Promise<EditResult> {
  return edit(file, r.vendor, opts, (ctx) => {
    const vendor = rawVendor(ctx, r.vendor);
    const approvals = (vendor.approvals ?? []) as unknown as RawApproval[];
    const matching = approvals.map((a, i) => ({ a, i })).filter(({ a }) => a.purpose === r.purpose && (r.subjects === undefined || sameSet(a.subjects, r.subjects)));
    if (matching.length === 0) {
      const has = approvals.length ? `it has ${approvals.map(describeApproval).join("; ")}` : "it has no approvals";
      const which = r.subjects ? describeApproval({ purpose: r.purpose, subjects: r.subjects }) : r.purpose;
      throw notEditable(ctx, ["vendors", r.vendor], `no approval of ${r.vendor} for ${which} (${has})`);
    }
    const removeWhole = new Set<number>();
    const removeCats = new Map<number, Set<number>>();
    const removeRt = new Map<number, Set<string>>();
    const changes: string[] = [];
    if (r.categories === undefined) {
      for (const { a, i } of matching) {
        removeWhole.add(i);
        changes.push(`revoked the approval for ${describeApproval(a)} (${list(a.categories)})`);
      }
    } else {
      for (const c of r.categories) {
        const listing = matching.filter(({ a }) => a.categories.includes(c));
        if (listing.length === 0) {
          const parent = matching.flatMap(({ a }) => a.categories.filter((p) => covers(p, c)))[0];
          const why = parent
            ? `${c} is approved through ${parent}; revoke ${parent} and approve the keys under it that stay`
            : `${c} is not approved for ${r.purpose} (approved: ${list([...new Set(matching.flatMap(({ a }) => a.categories))])})`;
          throw notEditable(ctx, ["vendors", r.vendor, "approvals", matching[0]!.i, "categories"], why);
        }
        for (const { a, i } of listing) {
          const set = removeCats.get(i) ?? new Set<number>();
          set.add(a.categories.indexOf(c));
          removeCats.set(i, set);
        }
      }
      for (const [i, set] of removeCats) {
        const a = approvals[i]!;
        const kept = a.categories.filter((_, j) => !set.has(j));
        if (kept.length === 0) {
          removeWhole.add(i);
          removeCats.delete(i);
          changes.push(`revoked the approval for ${describeApproval(a)} (${list(a.categories)}): no category is left`);
          continue;
        }
        changes.push(`revoked ${list(a.categories.filter((_, j) => set.has(j)))} for ${describeApproval(a)}`);
        // A transform condition on a category no longer approved could never apply; the schema refuses it.
        const stale = Object.keys(a.requireTransform ?? {}).filter((k) => !kept.some((c) => covers(c, k)));
        if (stale.length) removeRt.set(i, new Set(stale));
      }
    }

    const intended = clone(ctx.raw);
    const target = (intended.vendors as Raw)[r.vendor] as Raw;
    target.approvals = approvals
      .map((a, i) => {
        if (removeWhole.has(i)) return undefined;
        const cats = removeCats.get(i);
        if (!cats) return a;
        const next: RawApproval = { ...structuredClone(a), categories: a.categories.filter((_, j) => !cats.has(j)) };
        const rt = removeRt.get(i);
        if (rt && next.requireTransform) {
          const left = Object.fromEntries(Object.entries(next.requireTransform).filter(([k]) => !rt.has(k)));
          if (Object.keys(left).length) next.requireTransform = left;
          else delete next.requireTransform;
        }
        return next;
      })
      .filter((a) => a !== undefined) as unknown as Plain;
    checkIntended(intended, r.vendor, ctx.file);

    const vnode = vendorNode(ctx, r.vendor);
    const apair = pairOf(vnode, "approvals")!;
    const seq = apair.value as YAMLSeq;
    ctx.splicer.removeItems(apair, seq, removeWhole, true);
    for (const [i, set] of removeCats) {
      const anode = seq.items[i] as YamlNode;
      if (!isMap(anode)) throw new NotSpliceable(anode, "expected the approval as a mapping");
      const cpair = pairOf(anode, "categories")!;
      ctx.splicer.removeItems(cpair, cpair.value as YAMLSeq, set);
      const rt = removeRt.get(i);
      if (rt) {
        const rtPair = pairOf(anode, "requireTransform")!;
        const rtMap = rtPair.value as YAMLMap;
        if (rt.size === rtMap.items.length) ctx.splicer.removePairs(anode, new Set(["requireTransform"]));
        else ctx.splicer.removePairs(rtMap, rt);
      }
    }
    return { intended, changes };
  });
}

/** A unified diff of two versions of the registry, with `context` lines around each change. */
export function lineDiff(before: string, after: string, name: string, context = 2): string {
  const a = before.split("\n");
  const b = after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  // Longest common subsequence of the changed middle (a registry edit touches a few lines).
  const lcs: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { op: " " | "-" | "+"; line: string; ai: number; bi: number }[] = [];
  for (let k = 0; k < head; k++) ops.push({ op: " ", line: a[k]!, ai: k, bi: k });
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) ops.push({ op: " ", line: x[i]!, ai: head + i++, bi: head + j++ });
    // Removed lines before added ones, as diff(1) prints them.
    else if (i < x.length && (j >= y.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ op: "-", line: x[i]!, ai: head + i++, bi: head + j });
    else ops.push({ op: "+", line: y[j]!, ai: head + i, bi: head + j++ });
  }
  for (let k = 0; k < tail; k++) ops.push({ op: " ", line: a[a.length - tail + k]!, ai: a.length - tail + k, bi: b.length - tail + k });
  const out = [`--- ${name}`, `+++ ${name}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.op === " ") {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk over changes closer together than twice the context.
    for (let m = k; m < ops.length; m++) {
      if (ops[m]!.op !== " ") end = m;
      else if (m - end > 2 * context) break;
    }
    end = Math.min(ops.length - 1, end + context);
    const hunk = ops.slice(start, end + 1);
    const aLen = hunk.filter((o) => o.op !== "+").length;
    const bLen = hunk.filter((o) => o.op !== "-").length;
    out.push(`@@ -${hunk[0]!.ai + 1},${aLen} +${hunk[0]!.bi + 1},${bLen} @@`);
    for (const o of hunk) out.push(`${o.op}${o.line}`);
    k = end + 1;
  }
  return `${out.join("\n")}\n`;
}
