import type { PolicySummary } from "../policy/summary.ts";
import type { policySchema } from "./schema.ts";
import type * as z from "zod";

/*
 * The policy that judged, as every format shows it: digests of the compiled policy, the signed
 * bundle, the registry and the exceptions, each enforcement override with the file and line it
 * came from, and the rules switched off. One builder, so the formats cannot drift apart.
 */

/** The `policy` object of the JSON report (and SARIF run properties), keys in a fixed order. */
export function policyJson(p: PolicySummary): z.output<typeof policySchema> {
  return {
    bundle: {
      wasm: p.bundle.wasm,
      ...(p.bundle.signed
        ? { signed: { source: p.bundle.signed.source, digest: p.bundle.signed.digest, ...(p.bundle.signed.keyId ? { keyId: p.bundle.signed.keyId } : {}) } }
        : {}),
    },
    registry: { source: p.registry.source, digest: p.registry.digest },
    ...(p.exceptions ? { exceptions: { source: p.exceptions.source, digest: p.exceptions.digest } } : {}),
    enforcement: p.enforcement.map((o) => ({ rule: o.rule, level: o.level, was: o.was, source: o.source, file: o.file, line: o.line })),
    disabled: [...p.disabled],
  };
}

const short = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);

/** One line per override: `VG009 advisory (was mandatory; registry policy/vendors.yaml:12)`. */
export function overrideLines(p: PolicySummary): string[] {
  return p.enforcement.map((o) => `${o.rule} ${o.level} (was ${o.was}; ${o.source} ${o.file}:${o.line})`);
}

/** The text summary's policy lines. */
export function policyTextLines(p: PolicySummary): string[] {
  const inputs = [
    `policy ${short(p.bundle.wasm)}`,
    ...(p.bundle.signed ? [`signed bundle ${p.bundle.signed.source} ${short(p.bundle.signed.digest)}`] : []),
    `registry ${p.registry.source} ${short(p.registry.digest)}`,
    ...(p.exceptions ? [`exceptions ${p.exceptions.source} ${short(p.exceptions.digest)}`] : []),
  ];
  const lines = [`policy: ${inputs.join(", ")}`];
  const overrides = overrideLines(p);
  lines.push(overrides.length ? `enforcement overrides: ${overrides.join("; ")}` : "enforcement overrides: none");
  lines.push(`disabled rules: ${p.disabled.length ? p.disabled.join(", ") : "none"}`);
  return lines;
}
