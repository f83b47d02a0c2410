import { integrationSchema } from "./integration.ts";
import { renderPath } from "./errors.ts";
import { illFormedStrings, LONE_SURROGATE } from "./source.ts";
import type { Integration } from "./integration.ts";
import type { Taxonomy } from "./taxonomy.ts";

/*
 * Declarations as they arrive from a stack (an Integration's properties), with no Pulumi loaded:
 * the judge, the incident commands and the component all read them through this.
 */

/** The Integration component's Pulumi type token. */
export const INTEGRATION_TYPE = "vendorgate:index:Integration";

export type Checked = { ok: true; value: Integration } | { ok: false; issues: string[] };

/** Validates a declaration object with the same zod schema as manifests, against `taxonomy`. */
export function checkDeclaration(raw: unknown, taxonomy: Taxonomy): Checked {
  const broken = illFormedStrings(raw);
  if (broken.length > 0) return { ok: false, issues: broken.map((path) => `${renderPath(path) || "(root)"}: ${LONE_SURROGATE}`) };
  const parsed = integrationSchema(taxonomy).safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.map((i) => `${renderPath(i.path) || "(root)"}: ${i.message}`) };
}
