import * as pulumi from "@pulumi/pulumi";
import type { CredentialSource } from "../model/integration.ts";

/*
 * VG011 judges where a vendor credential comes from. Pulumi's own secret flag is not enough:
 * - a program may `requireSecret("token")` while the stack file holds `token: abc` without
 *   `secure:`, so the value sits in plain text in a committed Pulumi.<stack>.yaml;
 * - `pulumi.secret(\`Bearer ${cfg.require("apiKey")}\`)` wraps a plain config value (or a trimmed
 *   or base64 copy of it) as a secret after the fact: the stack file still holds it in the clear;
 * - `pulumi.secret("sk_live_...")` is a literal in the program, so it sits in the repository.
 * A credential counts as secret only if Pulumi treats it as one AND it comes from an encrypted
 * config value or a resource output. The comparisons happen in this process; the value goes nowhere.
 */

interface ConfigInternals {
  isConfigSecret?: (key: string) => boolean;
}

interface OutputInternals {
  isKnown?: Promise<boolean>;
  allResources?: () => Promise<Set<unknown>>;
}

/** Every string in the stack's non-secret config, nested ones included (objects arrive as JSON). */
export function plainConfigStrings(): Set<string> {
  const isConfigSecret = (pulumi.runtime as unknown as ConfigInternals).isConfigSecret;
  const out = new Set<string>();
  const collect = (v: unknown): void => {
    if (typeof v === "string") {
      if (v !== "") out.add(v);
    } else if (Array.isArray(v)) {
      v.forEach(collect);
    } else if (v && typeof v === "object") {
      Object.values(v).forEach(collect);
    }
  };
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    // Without the SDK's secret-key list nothing can be called plain; Pulumi's flag then decides alone.
    if (!isConfigSecret || isConfigSecret(key)) continue;
    collect(value);
    if (/^[[{]/.test(value)) {
      try {
        collect(JSON.parse(value));
      } catch {
        // a plain string that merely starts with a bracket
      }
    }
  }
  return out;
}

/** The variants of a plain value that a program might wrap: itself, trimmed, and in base64. */
function variants(plain: string): string[] {
  const out = new Set([plain, plain.trim()]);
  for (const v of [...out]) {
    out.add(Buffer.from(v).toString("base64"));
    out.add(Buffer.from(v).toString("base64url"));
    out.add(Buffer.from(v).toString("base64").replace(/=+$/, ""));
  }
  return [...out].filter((v) => v.length >= MIN_DERIVED);
}

// A plain config value shorter than this ("eu", "true") inside a credential is a coincidence.
const MIN_DERIVED = 6;

/** Whether `value` contains a plain config value, or a trimmed or base64 copy of one. */
export function derivesFrom(value: string, plains: ReadonlySet<string>): boolean {
  if (plains.has(value)) return true;
  for (const plain of plains) {
    if (variants(plain).some((v) => value.includes(v))) return true;
  }
  // A base64 copy of the credential itself (Basic auth) decoded back.
  const decoded = /^[A-Za-z0-9+/_-]+=*$/.test(value) ? Buffer.from(value, "base64").toString("utf8") : "";
  return decoded !== "" && [...plains].some((plain) => plain.trim().length >= MIN_DERIVED && decoded.includes(plain.trim()));
}

/** Every string in the stack's encrypted config (decrypted by the runtime; never printed). */
export function secretConfigStrings(): Set<string> {
  const isConfigSecret = (pulumi.runtime as unknown as ConfigInternals).isConfigSecret;
  const out = new Set<string>();
  if (!isConfigSecret) return out;
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (isConfigSecret(key) && value !== "") out.add(value);
  }
  return out;
}

export interface CredentialOrigin {
  secret: boolean;
  source: CredentialSource;
}

/**
 * Where `value` comes from (see above). Resolves without ever exposing the value: the result is
 * plain data, never itself a secret, so the declaration can record it.
 */
export function credentialOrigin(value: pulumi.Input<string>): pulumi.Output<CredentialOrigin> {
  const out = pulumi.output(value);
  const internals = out as unknown as OutputInternals;
  // Known-ness is not public API; where this SDK lacks it, treat the value as known.
  const known = internals.isKnown ?? Promise.resolve(true);
  // Counted before pulumi.output() sees it: it would turn a Set of resources into an empty object.
  const deps = (internals.allResources ? internals.allResources() : Promise.resolve(new Set())).then((r: unknown) =>
    r instanceof Set ? r.size : Array.isArray(r) ? r.length : 0,
  );
  return pulumi.output(Promise.all([pulumi.isSecret(out), known, deps])).apply(([secret, isKnown, resources]) => {
    // A value computed during the deploy cannot have come from the config file or the program.
    if (!isKnown) return pulumi.output<CredentialOrigin>({ secret, source: secret ? "secret-output" : "plain" });
    return pulumi.unsecret(out).apply((v): CredentialOrigin => {
      // A secret output of a resource (a generated password, a fetched key) is what it says; its
      // text may well contain a plain config value such as the region.
      if (secret && resources > 0) return { secret: true, source: "secret-output" };
      if (derivesFrom(v, plainConfigStrings())) return { secret: false, source: "plain-config" };
      if (!secret) return { secret: false, source: "plain" };
      const secrets = secretConfigStrings();
      if ([...secrets].some((s) => s.length >= MIN_DERIVED ? v.includes(s) || variants(s).some((x) => v.includes(x)) : v === s)) {
        return { secret: true, source: "secret-config" };
      }
      return { secret: false, source: "literal" };
    });
  });
}
