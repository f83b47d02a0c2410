import { InputError, type SourceLocation } from "./errors.ts";
import { type Config, configSchema } from "./config.ts";
import { type Exception, exceptionsSchema, type ExceptionsSchemaOptions } from "./exceptions.ts";
import { type Manifest, manifestSchema } from "./manifest.ts";
import { type ProjectConfig, projectConfigSchema } from "./project-config.ts";
import { type Registry, registrySchema, registryTaxonomy } from "./registry.ts";
import { inputLimits, locate, parseSource, readSourceText, sha256Digest, type SourceDocument, validateSource } from "./source.ts";
import { defaultTaxonomy, extendTaxonomy, type Taxonomy } from "./taxonomy.ts";

export { inputLimits } from "./source.ts";

/**
 * Key of {@link LoadedManifest.locations}: the integration name, or `name/fieldPath` for one of its
 * fields. Integration names cannot contain "/", so the first "/" always separates the two.
 */
export function locationKey(integration: string, field?: string): string {
  return field === undefined ? integration : `${integration}/${field}`;
}

export interface LoadedManifest {
  file: string;
  manifest: Manifest;
  /** Where each integration (`name`) and each field (`name/path`) starts, for reports that point at lines. */
  locations: ReadonlyMap<string, SourceLocation>;
}

export interface LoadedRegistry {
  file: string;
  registry: Registry;
  /** The fideslang defaults plus the registry's `taxonomy:` additions: check manifests against this. */
  taxonomy: Taxonomy;
  /** Where each vendor's entry starts, keyed by vendor key. */
  locations: ReadonlyMap<string, SourceLocation>;
  /** The parsed file (to locate the registry's own enforcement entries) and its bytes' digest. */
  source: SourceDocument;
  digest: string;
}

export interface LoadedExceptions {
  file: string;
  exceptions: Exception[];
  /** Where each exception starts, keyed by its id. */
  locations: ReadonlyMap<string, SourceLocation>;
  /** `sha256:<hex>` of the file's bytes. */
  digest: string;
}

export interface LoadedConfig {
  file: string;
  config: Config;
}

/** A manifest from text (YAML or JSON); `file` is only used in messages. Throws InputError. */
export function parseManifest(text: string, file: string, taxonomy: Taxonomy = defaultTaxonomy): LoadedManifest {
  const src = parseSource(text, file);
  // Counted before validation, which would otherwise spend time on every one of them.
  const { integrations } = src.data;
  const max = inputLimits.maxIntegrations;
  if (Array.isArray(integrations) && integrations.length > max) {
    throw new InputError([
      {
        ...locate(src, ["integrations", max]),
        path: `integrations[${max}]`,
        message: `${integrations.length} integrations, over the limit of ${max} in one manifest (split them across stacks)`,
      },
    ]);
  }
  const manifest = validateSource(src, manifestSchema(taxonomy));
  const locations = new Map<string, SourceLocation>();
  manifest.integrations.forEach((integration, i) => {
    locations.set(locationKey(integration.name), locate(src, ["integrations", i]));
    integration.fields.forEach((field, j) => {
      locations.set(locationKey(integration.name, field.path), locate(src, ["integrations", i, "fields", j]));
    });
  });
  return { file, manifest, locations };
}

/** Reads and validates a manifest; keys are checked against `taxonomy` (the registry's, see {@link loadRegistry}). */
export async function loadManifest(file: string, taxonomy: Taxonomy = defaultTaxonomy): Promise<LoadedManifest> {
  return parseManifest(await readSourceText(file), file, taxonomy);
}

/** A registry from text. Its `taxonomy:` section is applied before its own keys are checked. */
export function parseRegistry(text: string, file: string): LoadedRegistry {
  const src = parseSource(text, file);
  const registry = validateSource(src, registrySchema(registryTaxonomy(src.data)));
  // Looked up by keys that come from manifests and the command line: with Object's prototype
  // behind it, `registry.vendors.constructor` would be a function rather than "no such vendor".
  registry.vendors = Object.assign(Object.create(null) as typeof registry.vendors, registry.vendors);
  return {
    file,
    registry,
    taxonomy: extendTaxonomy(defaultTaxonomy, registry.taxonomy),
    locations: keyLocations(src, ["vendors"], Object.keys(registry.vendors)),
    source: src,
    digest: sha256Digest(text),
  };
}

export async function loadRegistry(file: string): Promise<LoadedRegistry> {
  return parseRegistry(await readSourceText(file), file);
}

/** Exceptions from text; `knownRules` are the rule ids of the policy bundle (custom rules included). */
export function parseExceptions(text: string, file: string, knownRules: readonly string[], opts: ExceptionsSchemaOptions = {}): LoadedExceptions {
  const src = parseSource(text, file);
  const { exceptions } = validateSource(src, exceptionsSchema(knownRules, opts));
  const locations = new Map<string, SourceLocation>();
  exceptions.forEach((e, i) => locations.set(e.id, locate(src, ["exceptions", i])));
  return { file, exceptions, locations, digest: sha256Digest(text) };
}

export async function loadExceptions(file: string, knownRules: readonly string[], opts: ExceptionsSchemaOptions = {}): Promise<LoadedExceptions> {
  return parseExceptions(await readSourceText(file), file, knownRules, opts);
}

/** Enforcement overrides from text; unknown rule ids are errors. */
export function parseConfig(text: string, file: string, knownRules: readonly string[]): LoadedConfig {
  const src = parseSource(text, file);
  return { file, config: validateSource(src, configSchema(knownRules)) };
}

export async function loadConfig(file: string, knownRules: readonly string[]): Promise<LoadedConfig> {
  return parseConfig(await readSourceText(file), file, knownRules);
}

export interface LoadedProjectConfig {
  file: string;
  config: ProjectConfig;
  /** The parsed file, to check rule ids again (with locations) once the policy bundle is known. */
  source: SourceDocument;
}

/** vendorgate.yaml from text; rule ids are checked for shape only (see {@link checkProjectRules}). */
export function parseProjectConfig(text: string, file: string): LoadedProjectConfig {
  const source = parseSource(text, file);
  return { file, config: validateSource(source, projectConfigSchema()), source };
}

export async function loadProjectConfig(file: string): Promise<LoadedProjectConfig> {
  return parseProjectConfig(await readSourceText(file), file);
}

/** Throws an InputError at the place in vendorgate.yaml that names a rule the bundle does not have. */
export function checkProjectRules(loaded: LoadedProjectConfig, knownRules: readonly string[]): void {
  validateSource(loaded.source, projectConfigSchema(knownRules));
}

function keyLocations(src: SourceDocument, at: (string | number)[], keys: string[]): Map<string, SourceLocation> {
  return new Map(keys.map((k) => [k, locate(src, [...at, k], "key")]));
}
