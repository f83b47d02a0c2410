import * as pulumi from "@pulumi/pulumi";

/*
 * VG011 judges whether a vendor credential is a secret. Pulumi's own flag is not enough: a
 * program may `requireSecret("token")` while the stack file holds `token: abc` without
 * `secure:`, and then the value sits in plain text in a committed Pulumi.<stack>.yaml. So a
 * credential counts as secret only if Pulumi treats it as one AND its value is not one of the
 * stack's plain config values. The comparison happens in this process; the value goes nowhere.
 */

interface ConfigInternals {
  isConfigSecret?: (key: string) => boolean;
}

interface OutputInternals {
  isKnown?: Promise<boolean>;
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

/**
 * Whether `value` is kept secret (see above). Resolves without ever exposing the value: the
 * result is a plain boolean, never itself a secret, so the declaration can record it.
 */
export function credentialIsSecret(value: pulumi.Input<string>): pulumi.Output<boolean> {
  const out = pulumi.output(value);
  // Known-ness is not public API; where this SDK lacks it, treat the value as known.
  const known = (out as unknown as OutputInternals).isKnown ?? Promise.resolve(true);
  return pulumi.output(Promise.all([pulumi.isSecret(out), known])).apply(([secret, isKnown]) => {
    if (!secret) return pulumi.output(false);
    // A value computed during the deploy cannot have come from the config file.
    if (!isKnown) return pulumi.output(true);
    return pulumi.unsecret(out).apply((v) => !plainConfigStrings().has(v));
  });
}
