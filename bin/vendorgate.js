#!/usr/bin/env node
// The CLI as installed: the compiled JavaScript in dist/ (Node never strips types under
// node_modules). Exit code 1 means "blocked", so anything that stops the CLI from starting at all
// (an old Node, a broken install) must end with 2, never with Node's default 1.
import module from "node:module";

const fail = (message) => {
  process.stderr.write(`vendorgate: ${message}\n`);
  process.exit(2);
};

const [major] = process.versions.node.split(".").map(Number);
if (major < 22) fail(`needs Node.js >= 22 (this is ${process.versions.node})`);

// Caches V8's compiled code of the CLI's modules between runs: about a third of cold start.
module.enableCompileCache?.();

// VENDORGATE_RUN_SOURCES=1 runs the TypeScript sources of a vendorgate checkout instead (its own
// tests set it, so they never judge with a stale build); an installed package has no sources.
const entry = process.env.VENDORGATE_RUN_SOURCES === "1" ? "../src/cli.ts" : "../dist/cli.js";
let main;
try {
  ({ main } = await import(entry));
} catch (err) {
  fail(`cannot start (${entry}): ${err?.message ?? String(err)}`);
}
await main(process.argv.slice(2));
