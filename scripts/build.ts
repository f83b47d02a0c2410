// Builds what the package ships (npm run build; setup and prepack run it):
//   dist/*.d.ts       declarations, from tsc (tsconfig.build.json), which checks them too;
//   dist/cli.js       the CLI, bundled by esbuild into one script (CommonJS-shaped, all of it in one
//                     file): bin/vendorgate.js runs it through V8's code cache, which an ES module
//                     cannot use (see the bin). Commands stay lazy inside it: `check` never
//                     initialises the AWS SDK or the Pulumi engine client that other commands use;
//   dist/*.js         the library entries, bundled by esbuild as ES modules: the package entry
//                     (`import { Integration } from "vendorgate"`), the policy pack and the
//                     program host. Code they share sits in shared chunks, so a module with state
//                     (the Integration's record of what a program declared) exists once in a
//                     process that loads two entries (the host runs the user's program, which
//                     imports the package). One file a module would cost ~240 module loads;
//   dist/policy       the product policy bundle (built-in rules only).
// @pulumi/* stay external: a program must use its project's one copy of each.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build, type Plugin } from "esbuild";
import { packageRoot } from "../src/paths.ts";

/**
 * opa-wasm loads its own copy of `yaml` for Rego's yaml.* built-ins when it is imported; no built-in
 * rule calls them. Required on first use instead, so judging pays for that parser only when a
 * custom rule needs it.
 */
const lazyOpaYaml: Plugin = {
  name: "lazy-opa-yaml",
  setup(b) {
    b.onLoad({ filter: /[\\/]@open-policy-agent[\\/]opa-wasm[\\/]src[\\/]builtins[\\/]yaml\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const eager = 'const yaml = require("yaml");';
      if (!text.includes(eager)) throw new Error(`${args.path}: expected ${eager} (opa-wasm changed: revisit this plugin)`);
      const lazy = 'let yamlModule; const yaml = { parse: (...a) => (yamlModule ??= require("yaml")).parse(...a), stringify: (...a) => (yamlModule ??= require("yaml")).stringify(...a) };';
      return { contents: text.replace(eager, lazy), loader: "js" };
    });
  },
};

/**
 * zod's namespace carries every translation of its messages (`z.locales`, a quarter of the CLI's
 * zod); the CLI speaks English only, which zod registers from its own module, not from these.
 */
const noZodLocales: Plugin = {
  name: "no-zod-locales",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](core|classic)$/.test(args.resolveDir) ? { path: "zod-locales", namespace: "no-zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "no-zod-locales" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

const dist = join(packageRoot, "dist");
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(packageRoot, "node_modules/typescript/bin/tsc"), "-p", join(packageRoot, "tsconfig.build.json")], { stdio: "inherit" });
await build({
  absWorkingDir: packageRoot,
  entryPoints: ["src/index.ts", "src/pack/pack.ts", "src/runner/host.ts", "src/sources/read-worker.ts"],
  outbase: "src",
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  chunkNames: "chunks/[name]-[hash]",
  external: ["@pulumi/*", "@cyclonedx/*"],
  // CommonJS dependencies inside an ES module bundle still call require() for Node built-ins.
  banner: { js: 'import { createRequire as __vgCreateRequire } from "node:module"; const require = __vgCreateRequire(import.meta.url);' },
  plugins: [lazyOpaYaml],
  legalComments: "linked",
  logLevel: "warning",
});
// The CLI: one function expression, (exports, require, module, __filename, __dirname,
// __vgImportMeta) => …, that bin/vendorgate.js compiles with V8's code cache and calls. import.meta
// becomes the bin's stand-in (the script's URL and an import.meta.resolve), so paths found from it
// (the package root, the program host, the product bundle) are those of dist/cli.js. Its .d.ts
// would describe an ES module that is not there.
await build({
  absWorkingDir: packageRoot,
  entryPoints: ["src/cli.ts"],
  outfile: "dist/cli.js",
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node22",
  external: ["@pulumi/*", "@cyclonedx/*"],
  define: { "import.meta": "__vgImportMeta" },
  banner: { js: "(function (exports, require, module, __filename, __dirname, __vgImportMeta) {" },
  footer: { js: "})" },
  plugins: [lazyOpaYaml, noZodLocales],
  legalComments: "linked",
  logLevel: "warning",
});
rmSync(join(dist, "cli.d.ts"));
{
  const cli = join(dist, "cli.js");
  // esbuild writes code as ASCII (escaping the rest) but keeps comments as they are: escaped here
  // too, so the bin can read the file as one-byte text, which V8 takes without decoding or copying.
  const text = readFileSync(cli, "utf8").replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  // The build's identity, which names the bin's code cache (see bin/vendorgate.js).
  writeFileSync(cli, `${text}//# vendorgate-build sha256:${createHash("sha256").update(text).digest("hex").slice(0, 16)}\n`);
}
// vendorgate/runtime runs in the user's application, browsers included: built on its own, with no
// Node.js shim and no chunk shared with the CLI.
await build({
  absWorkingDir: packageRoot,
  entryPoints: ["src/runtime/index.ts", "src/runtime/undici.ts"],
  outbase: "src",
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  chunkNames: "runtime/chunks/[name]-[hash]",
  packages: "external",
  logLevel: "warning",
});
execFileSync(process.execPath, [join(packageRoot, "scripts/build-policy.ts"), "--product"], { stdio: "inherit" });
