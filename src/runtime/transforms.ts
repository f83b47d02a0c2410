import { hmac } from "@noble/hashes/hmac";
import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils";
import type { Transform } from "./format.ts";

/*
 * What each declared transform does to a value (docs/runtime.md is the reader's version). A
 * transform sees one scalar: a string, a finite number, a boolean or null (arrays are transformed
 * element by element, a Date is taken as its ISO 8601 text). A value the transform has no meaning
 * for returns `untransformable`, and the guard drops it: sending it unchanged would break the
 * promise the declaration made.
 *
 * Hashing is synchronous (pure JavaScript SHA-256, @noble/hashes) rather than WebCrypto's
 * crypto.subtle, which only offers promises: analytics SDKs call their send hooks synchronously,
 * and a guard that must be awaited there is a guard left out.
 */

export const untransformable: unique symbol = Symbol("untransformable");
export type Scalar = string | number | boolean | null;
export type TransformFn = (value: Scalar) => Scalar | typeof untransformable;

/** The smallest pseudonymization key accepted: a shorter one can be guessed by brute force. */
export const MIN_KEY_BYTES = 16;
/** Results kept per transform: an application sends the same identifier in event after event. */
const CACHE_LIMIT = 4096;

const text = (v: string | number | boolean): string => (typeof v === "string" ? v : JSON.stringify(v));

/** A function of strings with its results kept, bounded: cleared whole when full (no bookkeeping per hit). */
function memoized<R>(fn: (s: string) => R): (s: string) => R {
  const cache = new Map<string, R>();
  return (s) => {
    let out = cache.get(s);
    if (out === undefined) {
      out = fn(s);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(s, out);
    }
    return out;
  };
}

/** Hex digests of a value's text. */
function memo(digest: (s: string) => string): TransformFn {
  const cached = memoized(digest);
  return (v) => (v === null ? null : cached(text(v)));
}

interface NodeCrypto {
  createHash(algorithm: "sha256"): { update(s: string, encoding: "utf8"): { digest(encoding: "hex"): string } };
  createHmac(algorithm: "sha256", key: Uint8Array): { update(s: string, encoding: "utf8"): { digest(encoding: "hex"): string } };
}

/**
 * Node's native crypto where the runtime offers it synchronously without an import (Node >= 22.3),
 * so a browser bundle never names a Node module; the same digests, about twice as fast as
 * JavaScript's. Elsewhere (browsers, older Node) @noble/hashes.
 */
export function nativeCrypto(): NodeCrypto | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
}

export function hashTransform(native = nativeCrypto()): TransformFn {
  if (native) return memo((s) => native.createHash("sha256").update(s, "utf8").digest("hex"));
  return memo((s) => bytesToHex(sha256(utf8ToBytes(s))));
}

export function pseudonymizeTransform(key: Uint8Array, native = nativeCrypto()): TransformFn {
  if (native) return memo((s) => native.createHmac("sha256", key).update(s, "utf8").digest("hex"));
  const keyed = hmac.create(sha256, key);
  return memo((s) => bytesToHex(keyed.clone().update(utf8ToBytes(s)).digest()));
}

// --- IP addresses -------------------------------------------------------------------------

const ipv4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipv4(s: string): number[] | undefined {
  const m = ipv4Pattern.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1, 5).map(Number);
  return parts.every((p, i) => p <= 255 && String(p) === m[i + 1]) ? parts : undefined;
}

/** The eight 16-bit groups of an IPv6 literal, or undefined. */
function ipv6(s: string): number[] | undefined {
  let t = s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
  const zone = t.indexOf("%");
  if (zone >= 0) t = t.slice(0, zone);
  if (!t.includes(":")) return undefined;
  let tail: number[] = [];
  const lastColon = t.lastIndexOf(":");
  if (t.slice(lastColon + 1).includes(".")) {
    // An embedded IPv4 address (::ffff:192.0.2.1) is the last two groups.
    const v4 = ipv4(t.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!];
    t = t.slice(0, lastColon + 1);
    if (!t.endsWith("::")) t = t.slice(0, -1);
  }
  const halves = t.split("::");
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === "" ? [] : h.split(":"));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const headN = head.map((g) => parseInt(g, 16));
  const restN = rest.map((g) => parseInt(g, 16));
  const have = headN.length + restN.length + tail.length;
  if (halves.length === 1) return have === 8 ? [...headN, ...tail] : undefined;
  if (have > 7) return undefined;
  return [...headN, ...new Array<number>(8 - have).fill(0), ...restN, ...tail];
}

function ipv6Text(groups: number[]): string {
  // Canonical form for a prefix: the kept groups, then "::" for the zeroed rest.
  let end = groups.length;
  while (end > 0 && groups[end - 1] === 0) end--;
  const kept = groups.slice(0, end).map((g) => g.toString(16));
  return end === 8 ? kept.join(":") : `${kept.join(":")}::`;
}

/** An IP address with all but its first `v4Bits` (IPv4) or `v6Bits` (IPv6) bits zeroed. */
function ipPrefix(s: string, v4Bits: 8 | 16 | 24, v6Bits: 32 | 48): string | undefined {
  const v4 = ipv4(s);
  if (v4) return v4.map((p, i) => (i * 8 < v4Bits ? p : 0)).join(".");
  const v6 = ipv6(s);
  if (v6) return ipv6Text(v6.map((g, i) => (i * 16 < v6Bits ? g : 0)));
  return undefined;
}

export const isIpAddress = (s: string): boolean => ipv4(s) !== undefined || ipv6(s) !== undefined;

// --- dates ------------------------------------------------------------------------------

const datePattern = /^(\d{4})-(\d{2})(?:-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?$/;

// --- choosing the semantics -------------------------------------------------------------

const under = (category: string, parent: string) => category === parent || category.startsWith(`${parent}.`);

export interface CoarseningOptions {
  /** Characters a truncated string keeps (default 3). */
  truncateLength: number;
}

/**
 * truncate and generalize for one field. The category picks the semantics when it names one
 * (an IP address, a location); otherwise the value's own shape does (an IP literal, an ISO date).
 * generalize is always the coarser of the two.
 */
export function coarseningTransform(kind: "truncate" | "generalize", category: string, opts: CoarseningOptions): TransformFn {
  const general = kind === "generalize";
  const ipCategory = under(category, "user.device.ip_address");
  const location = under(category, "user.location");
  const dateCategory = /(^|[._])(date|birth|dob)/.test(category);
  // Strings (addresses, dates) repeat from event to event: parse each one once.
  const strings = memoized((v: string) => coarsenString(v));
  const coarsenString = (v: string): string | typeof untransformable => {
    const ip = general ? ipPrefix(v, 16, 32) : ipPrefix(v, 24, 48);
    if (ip !== undefined) return ip;
    if (ipCategory) return untransformable;
    const date = datePattern.exec(v);
    if (date) return general ? date[1]! : `${date[1]}-${date[2]}`;
    if (dateCategory) return untransformable;
    if (general) {
      // An email address keeps its domain; any other string has no coarser form we could vouch for.
      const at = v.lastIndexOf("@");
      return at > 0 && at < v.length - 1 && !v.slice(at + 1).includes(" ") ? v.slice(at + 1).toLowerCase() : untransformable;
    }
    return Array.from(v).slice(0, opts.truncateLength).join("");
  };
  return (v) => {
    if (v === null || typeof v === "boolean") return v;
    if (typeof v === "number") {
      if (ipCategory || dateCategory || !Number.isFinite(v)) return untransformable;
      // A coordinate: 2 decimals is about 1 km, 1 decimal about 11 km.
      if (location) return general ? Math.trunc(v * 10) / 10 : Math.trunc(v * 100) / 100;
      return general ? Math.floor(v / 10) * 10 : Math.trunc(v);
    }
    return strings(v);
  };
}

export interface TransformOptions extends CoarseningOptions {
  key: Uint8Array | undefined;
}

/** One guard's transform functions, sharing hash and pseudonym caches across its fields. */
export class TransformSet {
  private hash: TransformFn | undefined;
  private pseudonymize: TransformFn | undefined;
  private readonly opts: TransformOptions;
  constructor(opts: TransformOptions) {
    this.opts = opts;
  }

  for(transform: Transform, category: string): TransformFn | undefined {
    switch (transform) {
      case "none":
        return undefined;
      case "hash":
        return (this.hash ??= hashTransform());
      case "pseudonymize":
        if (!this.opts.key) throw new Error("pseudonymize needs a key");
        return (this.pseudonymize ??= pseudonymizeTransform(this.opts.key));
      case "truncate":
      case "generalize":
        return coarseningTransform(transform, category, this.opts);
    }
  }
}
