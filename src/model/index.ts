// The data model: schemas (zod is the source of truth; types and JSON Schema derive from it),
// the taxonomy, and loaders that turn files into validated values or an InputError.
export * from "./taxonomy.ts";
export * from "./errors.ts";
export {
  API_VERSION,
  namePattern,
  regionPattern,
  ruleIdPattern,
  errorMap,
  taxonomyKeySchema,
} from "./primitives.ts";
export * from "./integration.ts";
export * from "./manifest.ts";
export * from "./registry.ts";
export * from "./exceptions.ts";
export * from "./config.ts";
export * from "./project-config.ts";
export * from "./load.ts";
export { preScan, preScanBound, type SourceDocument, parseSource, readSourceText, readStdinText, STDIN_NAME, locate, validateSource, sha256Digest } from "./source.ts";
