import * as pulumi from "@pulumi/pulumi";
import { defaultTaxonomy, integrationSchema, renderPath, type Integration, type Taxonomy } from "../model/index.ts";

export type Checked = { ok: true; value: Integration } | { ok: false; issues: string[] };

/** Validates a declaration object with the same zod schema as manifests, against `taxonomy`. */
export function checkDeclaration(raw: unknown, taxonomy: Taxonomy): Checked {
  const parsed = integrationSchema(taxonomy).safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => `${renderPath(i.path) || "(root)"}: ${i.message}`) };
}

/**
 * Fails the program at construction, naming the resource, when the declaration is invalid. Values
 * that are still Outputs (a URL computed from another resource) are checked later, by the pack.
 */
export function validateDeclaration(resource: pulumi.Resource, name: string, args: object): void {
  // Outputs (and promises) are left out: their values are not known while the program runs.
  const plainOf = (v: unknown): unknown => {
    if (pulumi.Output.isInstance(v) || v instanceof Promise) return undefined;
    if (Array.isArray(v)) return v.map(plainOf);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (plainOf(x) === undefined ? [] : [[k, plainOf(x)]])));
    }
    return v;
  };
  const plain = plainOf({ name, ...args }) as Record<string, unknown>;
  const dest = plain.destination as Record<string, unknown> | undefined;
  // An Output URL is judged once known; give the schema a placeholder so the rest is still checked.
  if (dest && dest.url === undefined) dest.url = "https://unknown.invalid/";
  delete plain.credentials;
  // How the flow is carried is not part of the declaration; the component checks it itself.
  delete plain.eventBridge;
  const checked = checkDeclaration(plain, defaultTaxonomy);
  if (!checked.ok) {
    throw new pulumi.ResourceError(`Integration "${name}" is not a valid declaration: ${checked.issues.join("; ")}`, resource, true);
  }
}
