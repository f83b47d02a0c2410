#!/usr/bin/env node
// The CLI as installed: the compiled JavaScript in dist/ (Node never strips types under
// node_modules). Exit code 1 means "blocked", so anything that stops the CLI from starting at all
// (an old Node, a broken install) must end with 2, never with Node's default 1.
// Built-ins come from getBuiltinModule where Node has it (22.3): importing them as ES modules builds
// a facade of each, and node:fs's loads its file streams, which a `check` never uses.
const builtin = async (name) => process.getBuiltinModule?.(name) ?? (await import(name)).default;
const { accessSync, constants: fsConstants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = await builtin("node:fs");
const module = await builtin("node:module");
const { dirname, join, sep } = await builtin("node:path");
const { fileURLToPath, pathToFileURL } = await builtin("node:url");
const vm = await builtin("node:vm");

const fail = (message) => {
  process.stderr.write(`vendorgate: ${message}\n`);
  process.exit(2);
};

const [major] = process.versions.node.split(".").map(Number);
if (major < 22) fail(`needs Node.js >= 22 (this is ${process.versions.node})`);

const argv = process.argv.slice(2);

// VENDORGATE_RUN_SOURCES=1 runs the TypeScript sources of a vendorgate checkout instead (its own
// tests set it, so they never judge with a stale build); an installed package has no sources.
if (process.env.VENDORGATE_RUN_SOURCES === "1") {
  // Keeps V8's code and the type-stripped sources between the test suite's many runs.
  module.enableCompileCache?.();
  let main;
  try {
    ({ main } = await import("../src/cli.ts"));
  } catch (err) {
    fail(`cannot start (../src/cli.ts): ${err?.message ?? String(err)}`);
  }
  await main(argv);
} else {
  await runBuilt();
}

/*
 * dist/cli.js is one script, run here through V8's code cache. Node's own compile cache
 * (module.enableCompileCache) keeps only what V8 compiled before a module ran, and V8 compiles most
 * functions when first called; a cache made after the command has run keeps those too, which is
 * most of what a cold `check` spends. The cache is kept per command (each runs different code),
 * beside the package in node_modules/.cache/vendorgate: code there runs in this process, so it
 * must be no easier to write than the package itself (never a shared temporary folder).
 * NODE_COMPILE_CACHE puts it under that folder instead; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
async function runBuilt() {
  quietLoaderWarning();
  const file = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
  let source;
  let script;
  let cache;
  let exports;
  try {
    // One function expression (see scripts/build.ts), all ASCII: read as one-byte text, not decoded.
    source = readFileSync(file, "latin1");
    cache = codeCache(file, source);
    script = new vm.Script(source, {
      filename: file,
      ...(cache?.data && { cachedData: cache.data }),
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const mod = { exports: {} };
    const importMeta = { url: pathToFileURL(file).href, resolve: (specifier) => import.meta.resolve(specifier) };
    script.runInThisContext()(mod.exports, module.createRequire(file), mod, file, dirname(file), importMeta);
    exports = mod.exports;
    if (typeof exports.main !== "function") throw new Error("it exports no main()");
  } catch (err) {
    fail(`cannot start (../dist/cli.js): ${err?.message ?? String(err)}`);
  }
  await exports.main(argv);
  // Help and version run little of a command's code: a cache made then would serve its real runs badly.
  const brief = argv.some((a) => ["--help", "-h", "--version", "-V", "help"].includes(a));
  if (cache && !brief && (!cache.data || script.cachedDataRejected)) saveCodeCache(cache, script);
}

/** Where this command's code cache is for this build of dist/cli.js and this Node; undefined when off. */
function codeCache(file, source) {
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  try {
    return findCodeCache(file, source);
  } catch {
    return undefined;
  }
}

function findCodeCache(file, source) {
  // The build ends the script with its digest: npm gives every installed file the same mtime, and
  // V8 checks only a cache's length against the source.
  const build = /\/\/# vendorgate-build sha256:([0-9a-f]{16})/.exec(source.slice(-200))?.[1];
  if (!build) return undefined;
  const root = dirname(dirname(file));
  const installed = root.lastIndexOf(`${sep}node_modules${sep}`);
  const modules = installed >= 0 ? root.slice(0, installed + sep.length + "node_modules".length) : join(root, "node_modules");
  const dir = process.env.NODE_COMPILE_CACHE ? join(process.env.NODE_COMPILE_CACHE, "vendorgate") : join(modules, ".cache", "vendorgate");
  // Node's own cache, for the modules the CLI loads from outside its script (the Pulumi SDK).
  module.enableCompileCache?.(join(dir, "modules"));
  const command = /^[a-z]{1,16}$/.exec(argv.find((a) => !a.startsWith("-")) ?? "")?.[0] ?? "none";
  const { size, mtimeMs } = statSync(file);
  const prefix = `cli-${command}-`;
  const path = join(dir, `${prefix}${build}-${size}-${Math.trunc(mtimeMs)}-${process.version}-${process.arch}.v8`);
  let data;
  try {
    data = readFileSync(path);
  } catch {
    // none yet, or unreadable: run without, and write one after
  }
  return { dir, path, prefix, data };
}

/** Writes the cache atomically (runs in parallel may race) and drops this command's stale ones; never fails the run. */
function saveCodeCache(cache, script) {
  try {
    mkdirSync(cache.dir, { recursive: true });
    // A read-only install would otherwise serialise the cache on every run only to fail writing it.
    accessSync(cache.dir, fsConstants.W_OK);
    const tmp = `${cache.path}.${process.pid}.tmp`;
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cache.path);
    const dayAgo = Date.now() - 86_400_000;
    for (const name of readdirSync(cache.dir)) {
      const other = join(cache.dir, name);
      if (name.startsWith(cache.prefix) && other !== cache.path && statSync(other).mtimeMs < dayAgo) rmSync(other, { force: true });
    }
  } catch {
    // a read-only install or a full disk only costs speed
  }
}

/*
 * The one experimental API the script needs (its dynamic imports resolve as the main context's do)
 * makes Node print an ExperimentalWarning on the first import(), in the middle of a preview's
 * output. Only that warning is dropped; every other warning still prints.
 */
function quietLoaderWarning() {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (warning, ...rest) {
    const message = typeof warning === "string" ? warning : warning?.message;
    if (typeof message === "string" && message.startsWith("vm.USE_MAIN_CONTEXT_DEFAULT_LOADER ")) return;
    return emitWarning.call(process, warning, ...rest);
  };
}
