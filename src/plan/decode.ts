import * as pulumi from "@pulumi/pulumi";
import { UnknownValue } from "../stack/resource.ts";

/*
 * Turns the property structs a program sends to the engine into the plain props judgeStack reads.
 * Two things never get through:
 * - a secret's value: it becomes REDACTED (a secret URL keeps its scheme and host, which the
 *   policy needs to judge where data goes; the path and query, where webhook tokens live, go);
 * - a value the engine would only know during the deploy: reading it throws UnknownValue, as
 *   reading an unknown value does in the policy pack, so both judge such a resource the same way.
 */

export const REDACTED = "[secret]";

const UNKNOWN: unique symbol = Symbol("unknown");
type Decoded = unknown;

const rt = pulumi.runtime;

export function redactString(s: string): string {
  if (/^https?:\/\//i.test(s)) {
    try {
      const u = new URL(s);
      return `${u.protocol}//${u.host}/${REDACTED}`;
    } catch {
      // not a URL after all
    }
  }
  return REDACTED;
}

function redact(v: unknown): unknown {
  if (typeof v === "string") return redactString(v);
  if (typeof v === "number") return REDACTED;
  if (Array.isArray(v)) return v.map(redact);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redact(x)]));
  // booleans and null carry no credential
  return v;
}

function decodeValue(v: unknown, path: string, secret: boolean): Decoded {
  if (v === rt.unknownValue) return UNKNOWN;
  if (Array.isArray(v)) return withUnknowns(v.map((x, i) => decodeValue(x, `${path}[${i}]`, secret)), path, true);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    switch (o[rt.specialSigKey]) {
      case rt.specialSecretSig:
        return decodeValue(o.value, path, true);
      case rt.specialOutputValueSig:
        if (!("value" in o)) return UNKNOWN;
        return decodeValue(o.value, path, secret || o.secret === true);
      case rt.specialResourceSig:
        // A reference to another resource: its URN is what identifies it.
        return decodeValue(o.urn, path, secret);
      case rt.specialAssetSig:
      case rt.specialArchiveSig:
        return "[asset]";
      case undefined:
        break;
      default:
        return UNKNOWN;
    }
    const entries = Object.entries(o).map(([k, x]) => [k, decodeValue(x, path ? `${path}.${k}` : k, secret)] as const);
    return withUnknowns(Object.fromEntries(entries), path, false);
  }
  return secret ? redact(v) : v;
}

function withUnknowns<T extends object>(target: T, path: string, isArray: boolean): T {
  for (const key of Object.keys(target)) {
    if ((target as Record<string, unknown>)[key] !== UNKNOWN) continue;
    const at = isArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    Object.defineProperty(target, key, {
      enumerable: true,
      get() {
        throw new UnknownValue(at);
      },
    });
  }
  return target;
}

/** Props for judging: secrets redacted, unknown values throwing UnknownValue when read. */
export function decodeProperties(raw: Record<string, unknown> | undefined): Record<string, unknown> {
  const decoded = decodeValue(raw ?? {}, "", false);
  return decoded && typeof decoded === "object" ? (decoded as Record<string, unknown>) : {};
}
