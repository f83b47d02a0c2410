import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isMap, isScalar, type Node as YamlNode, type Pair, parseDocument, stringify } from "yaml";
import {
  InputError,
  locate,
  parseRegistry,
  parseSource,
  readSourceText,
  type Vendor,
  type VendorStatus,
} from "../model/index.ts";
import { withFileLock, type LockOptions } from "./lock.ts";

/*
 * Changes a vendor's status in the registry file without touching anything else in it: security
 * owns that file, and its comments (why an approval exists, which ticket narrows it) are part of
 * the record. Re-serialising the whole document would reflow lists and comment alignment, so the
 * document model only finds the nodes and the change is spliced into the original text.
 */

export interface StatusChange {
  vendor: string;
  status: VendorStatus;
  reason: string;
  by: string;
  /** YYYY-MM-DD. */
  date: string;
}

export interface StatusChangeResult {
  file: string;
  vendor: string;
  before: Vendor;
  after: Vendor;
  /** False when the registry already said exactly this; nothing was written. */
  written: boolean;
}

/** The status keys in the order they are written, right after `status`. */
const STATUS_KEYS = ["status", "statusReason", "statusChanged", "statusBy"] as const;
type StatusKey = (typeof STATUS_KEYS)[number];

interface Edit {
  at: number;
  end: number;
  text: string;
}

export const problem = (file: string, line: number, column: number, path: string, message: string) =>
  new InputError([{ file, line, column, path, message }]);

/** A one-line YAML rendering of a string, quoted only where YAML needs it. */
function scalarText(value: string): string {
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, "");
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl < 0 ? text.length : nl + 1;
}

/**
 * The text of `registryText` with the vendor's status fields set to `values`, everything else
 * byte for byte as it was. Throws InputError when the vendor is missing or not a plain mapping.
 */
export function spliceStatus(registryText: string, file: string, vendor: string, values: Partial<Record<StatusKey, string>>): string {
  const doc = parseDocument(registryText, { keepSourceTokens: false });
  const node = doc.getIn(["vendors", vendor], true) as YamlNode | undefined;
  if (!isMap(node) || node.range === undefined || node.range === null) {
    const src = parseSource(registryText, file);
    const at = locate(src, ["vendors", vendor], "key");
    throw problem(file, at.line, at.column, `vendors.${vendor}`, "expected a mapping of the vendor's properties (aliases are not edited)");
  }
  const pairs = node.items as Pair[];
  const edits: Edit[] = [];
  let anchor: Pair | undefined;
  let pending: string[] = [];

  const flushAfter = (pair: Pair) => {
    if (pending.length === 0) return;
    const value = pair.value as YamlNode | null;
    const valueEnd = value?.range?.[1] ?? (pair.key as YamlNode).range![1];
    if (node.flow) {
      edits.push({ at: valueEnd, end: valueEnd, text: pending.map((p) => `, ${p}`).join("") });
    } else {
      const keyStart = (pair.key as YamlNode).range![0];
      const indent = registryText.slice(lineStart(registryText, keyStart), keyStart);
      // After the rest of the value's line, so a trailing comment stays with the value it explains.
      // (The node's own end may already lie on the next line: it includes the line break.)
      const at = lineEnd(registryText, valueEnd);
      const eol = registryText.includes("\r\n") ? "\r\n" : "\n";
      const prefix = at === registryText.length && !registryText.endsWith("\n") ? eol : "";
      edits.push({ at, end: at, text: prefix + pending.map((p) => `${/^\s*$/.test(indent) ? indent : " ".repeat(indent.length)}${p}${eol}`).join("") });
    }
    pending = [];
  };

  for (const key of STATUS_KEYS) {
    const value = values[key];
    const pair = pairs.find((p) => keyOf(p) === key);
    if (value === undefined) {
      if (pair) {
        if (anchor) flushAfter(anchor);
        anchor = pair;
      }
      continue;
    }
    if (pair) {
      if (anchor) flushAfter(anchor);
      const v = pair.value as YamlNode | null;
      if (v !== null && !isScalar(v)) {
        const src = parseSource(registryText, file);
        const at = locate(src, ["vendors", vendor, key]);
        throw problem(file, at.line, at.column, `vendors.${vendor}.${key}`, "expected a plain value to replace");
      }
      const range = v?.range;
      if (range) {
        edits.push({ at: range[0], end: range[1], text: scalarText(value) });
      } else {
        const keyEnd = (pair.key as YamlNode).range![1];
        const colon = registryText.indexOf(":", keyEnd);
        edits.push({ at: colon + 1, end: colon + 1, text: ` ${scalarText(value)}` });
      }
      anchor = pair;
    } else {
      pending.push(`${key}: ${scalarText(value)}`);
    }
  }
  if (anchor) flushAfter(anchor);

  let out = registryText;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  return out;
}

/**
 * Temp file beside the target, synced, then renamed over it: a reader sees the old file or the new
 * one, and a failed write leaves the old one whole. An existing file keeps its permissions.
 */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const mode = await stat(file).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const fh = await open(tmp, "wx", mode);
  try {
    await fh.writeFile(text, "utf8");
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export function unknownVendor(text: string, file: string, vendor: string, known: string[]): InputError {
  const src = parseSource(text, file);
  const at = locate(src, ["vendors"], "key");
  const near = known.filter((k) => k.startsWith(vendor.slice(0, 3)) || vendor.startsWith(k.slice(0, 3)));
  const hint = near.length ? `; did you mean ${near.join(" or ")}?` : "";
  return problem(file, at.line, at.column, "vendors", `no vendor "${vendor}" (the registry has ${known.join(", ") || "none"})${hint}`);
}

/**
 * Sets a vendor's status, reason, date and author under the file's lock, re-reading the file
 * inside the lock so that concurrent changes to other vendors are kept. The result must validate
 * as a registry before it replaces the file (temp file + rename, so a reader never sees half).
 */
export async function changeVendorStatus(file: string, change: StatusChange, lock: LockOptions = {}): Promise<StatusChangeResult> {
  if (/[\r\n]/.test(change.reason) || change.reason.trim() === "") throw new RangeError("reason must be one non-empty line");
  return withFileLock(
    file,
    async () => {
      const text = await readSourceText(file);
      const { registry } = parseRegistry(text, file);
      const before = registry.vendors[change.vendor];
      if (before === undefined) throw unknownVendor(text, file, change.vendor, Object.keys(registry.vendors));
      if (before.status === change.status && before.statusReason === change.reason) {
        return { file, vendor: change.vendor, before, after: before, written: false };
      }
      // The date records when the status changed; a new reason for the same status keeps it.
      const values: Partial<Record<StatusKey, string>> = { status: change.status, statusReason: change.reason, statusBy: change.by };
      if (before.status !== change.status || before.statusChanged === undefined) values.statusChanged = change.date;
      const next = spliceStatus(text, file, change.vendor, values);
      const after = parseRegistry(next, file).registry.vendors[change.vendor];
      if (after?.status !== change.status || after.statusReason !== change.reason || after.statusBy !== change.by) {
        throw new Error(`editing ${file} did not produce the intended status for ${change.vendor}; the file was left unchanged`);
      }
      await writeAtomically(file, next);
      return { file, vendor: change.vendor, before, after, written: true };
    },
    lock,
  );
}
