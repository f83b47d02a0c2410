import * as pulumi from "@pulumi/pulumi";
import { checkDeclaration } from "../model/declaration.ts";
import { defaultTaxonomy, inputLimits, renderPath } from "../model/index.ts";

/**
 * Fails the program at construction, naming the resource, when the declaration is invalid. Values
 * that are still Outputs (a URL computed from another resource) are checked later, by the pack.
 */
export function validateDeclaration(resource: pulumi.Resource, name: string, args: object): Record<string, unknown> {
  const invalid = (why: string) => new pulumi.ResourceError(`Integration "${name}" is not a valid declaration: ${why}`, resource, true);
  // Outputs (and promises) are left out: their values are not known while the program runs. One
  // visit per value, and no deeper than a manifest may nest: a declaration is a few levels deep.
  const plainOf = (v: unknown, path: readonly PropertyKey[]): unknown => {
    if (pulumi.Output.isInstance(v) || v instanceof Promise) return undefined;
    if (path.length > inputLimits.maxDepth && v !== null && typeof v === "object") {
      throw invalid(`${renderPath(path.slice(0, 3))}…: nested deeper than ${inputLimits.maxDepth} levels`);
    }
    if (Array.isArray(v)) return v.map((x, i) => plainOf(x, [...path, i]));
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v).flatMap(([k, x]) => {
          const p = plainOf(x, [...path, k]);
          return p === undefined ? [] : [[k, p]];
        }),
      );
    }
    return v;
  };
  const plain = plainOf({ name, ...args }, []) as Record<string, unknown>;
  const dest = plain.destination as Record<string, unknown> | undefined;
  // An Output URL is judged once known; give the schema a placeholder so the rest is still checked.
  if (dest && dest.url === undefined) dest.url = "https://unknown.invalid/";
  delete plain.credentials;
  // How the flow is carried is not part of the declaration; the component checks it itself.
  delete plain.eventBridge;
  const checked = checkDeclaration(plain, defaultTaxonomy);
  if (!checked.ok) throw invalid(checked.issues.join("; "));
  return plain;
}
