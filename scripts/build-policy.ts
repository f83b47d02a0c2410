// Compiles policies/ to build/policy (wasm, catalogue from METADATA, digests) when the sources
// changed since the last build. `--force` rebuilds regardless.
import { buildBundle, bundlePaths, isFresh } from "../src/engine/bundle.ts";
import { PolicyFault } from "../src/engine/errors.ts";

const paths = bundlePaths();
const started = performance.now();
try {
  if (!process.argv.includes("--force") && isFresh(paths)) {
    console.error("policy bundle: up to date");
  } else {
    const m = buildBundle(paths);
    console.error(`policy bundle: built with opa ${m.opaVersion} in ${Math.round(performance.now() - started)} ms (wasm sha256 ${m.wasmDigest.slice(0, 12)})`);
  }
} catch (err) {
  if (!(err instanceof PolicyFault)) throw err;
  console.error(`policy bundle: ${err.message}`);
  process.exit(1);
}
