// Compiles policies/ to build/policy (wasm, catalogue from METADATA, digests) when the sources
// changed since the last build. `--force` rebuilds regardless. `--product` builds the bundle the
// package ships instead: the built-in rules only, into dist/policy (npm run build does this).
import { join } from "node:path";
import { buildBundle, builtinSourceDirs, bundlePaths, isFresh } from "../src/engine/bundle.ts";
import { PolicyFault } from "../src/engine/errors.ts";
import { packageRoot } from "../src/paths.ts";
import { InputError } from "../src/model/errors.ts";

const product = process.argv.includes("--product");
const paths = product ? bundlePaths(packageRoot, join(packageRoot, "dist", "policy"), builtinSourceDirs) : bundlePaths();
const what = product ? "product policy bundle" : "policy bundle";
const started = performance.now();
try {
  if (!process.argv.includes("--force") && isFresh(paths)) {
    console.error(`${what}: up to date`);
  } else {
    const m = buildBundle(paths);
    console.error(`${what}: built with opa ${m.opaVersion} in ${Math.round(performance.now() - started)} ms (wasm sha256 ${m.wasmDigest.slice(0, 12)})`);
  }
} catch (err) {
  if (!(err instanceof PolicyFault) && !(err instanceof InputError)) throw err;
  console.error(`${what}: ${err.message}`);
  process.exit(1);
}
