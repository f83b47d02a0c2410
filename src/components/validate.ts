import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { checkDeclaration } from "../model/declaration.ts";
import { defaultTaxonomy, extendTaxonomyLeniently, inputLimits, parseProjectConfig, parseSource, renderPath, type Taxonomy } from "../model/index.ts";
import { locateProjectConfig } from "../project/index.ts";

/** By VENDORGATE_CONFIG_FILE and working directory: what decides which vendorgate.yaml is found. */
const taxonomies = new Map<string, Taxonomy>();

/**
 * What declarations are checked against at construction: fideslang plus the `taxonomy:` additions
 * of the registry the program's vendorgate.yaml names (found as the commands find it, from the
 * project directory up, or VENDORGATE_CONFIG_FILE), so a key `check` accepts is accepted here too;
 * fideslang alone where no registry file is named. The gate checks again against the registry it
 * judges with: this only decides how early a bad key fails, so a file it cannot read is left to
 * the gate to report rather than failing the program here.
 */
export function constructionTaxonomy(): Taxonomy {
  // Every Integration of a program asks: the config is found and read once per place it is looked
  // up from, not once per construction.
  const env = process.env.VENDORGATE_CONFIG_FILE;
  const key = `${env ?? ""}\u0000${process.cwd()}`;
  let taxonomy = taxonomies.get(key);
  if (taxonomy === undefined) taxonomies.set(key, (taxonomy = readConstructionTaxonomy(env)));
  return taxonomy;
}

function readConstructionTaxonomy(env: string | undefined): Taxonomy {
  try {
    const configFile = locateProjectConfig(env ? { configFile: env } : {});
    if (configFile === undefined) return defaultTaxonomy;
    const named = parseProjectConfig(readFileSync(configFile, "utf8"), configFile).config.registry;
    if (named === undefined) return defaultTaxonomy;
    const registry = resolve(dirname(configFile), named);
    const data = parseSource(readFileSync(registry, "utf8"), registry).data as { taxonomy?: unknown } | null;
    return extendTaxonomyLeniently(defaultTaxonomy, data?.taxonomy);
  } catch {
    return defaultTaxonomy;
  }
}

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
  const checked = checkDeclaration(plain, constructionTaxonomy());
  if (!checked.ok) throw invalid(checked.issues.join("; "));
  return plain;
}
