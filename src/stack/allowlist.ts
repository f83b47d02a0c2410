import type { DeclaredIntegration } from "../engine/normalize.ts";
import type { Report } from "../engine/violation.ts";
import { allowlistSchema, type Allowlist } from "../model/allowlist.ts";
import { ALLOWLIST_KIND, ALLOWLIST_SCHEMA_VERSION, type AllowlistSource } from "../runtime/format.ts";

/*
 * The allow-list the run-time guard enforces, from the declarations the gate judged and its
 * verdict on them. An integration is blocked when a mandatory violation that nobody waived names
 * it; the stack is blocked when any mandatory violation stands (an unowned egress resource too).
 * Disabled integrations send nothing, so they are left out: a guard refuses their hosts.
 */

export interface AllowlistInput {
  source: Exclude<AllowlistSource, "deploy">;
  stack: string;
  /** sha256 hex of the policy WASM that judged (the engine's wasmDigest). */
  wasmDigest: string;
  declarations: readonly DeclaredIntegration[];
  report: Report;
}

const standing = (report: Report) => report.violations.filter((v) => v.severity === "mandatory" && v.waivedBy === undefined);

export function buildAllowlist(input: AllowlistInput): Allowlist {
  const blockedNames = new Set(standing(input.report).map((v) => v.integration));
  const integrations = input.declarations
    .filter((d) => d.enabled !== false)
    .map((d) => ({
      name: d.name,
      vendor: d.vendor,
      verdict: blockedNames.has(d.name) ? ("blocked" as const) : ("pass" as const),
      destination: { url: d.destination.url },
      fields: d.fields.map((f) => ({ path: f.path, category: f.category, transform: f.transform ?? "none" })),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const doc = {
    kind: ALLOWLIST_KIND,
    schemaVersion: ALLOWLIST_SCHEMA_VERSION,
    source: input.source,
    stack: input.stack,
    policy: { bundleDigest: `sha256:${input.wasmDigest}` },
    verdict: standing(input.report).length > 0 ? "blocked" : "pass",
    integrations,
  };
  // What the guard will read is checked against the schema before anyone gets it.
  return allowlistSchema.parse(doc);
}

export const allowlistText = (doc: Allowlist): string => `${JSON.stringify(doc, null, 2)}\n`;
