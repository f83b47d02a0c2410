// Builds what the package ships (npm run build; setup and prepack run it):
//   dist/*.d.ts       declarations, from tsc (tsconfig.build.json), which checks them too;
//   dist/*.js         the JavaScript, bundled by esbuild from three entry points: the CLI, the
//                     package entry (`import { Integration } from "vendorgate"`) and the policy
//                     pack. Code they share sits in shared chunks, so a module with state (the
//                     Integration's record of what a program declared) exists once in a process
//                     that loads two entries (plan runs the user's program, which imports the
//                     package). One file a module would cost the CLI ~240 module loads at start;
//   dist/policy       the product policy bundle (built-in rules only).
// @pulumi/* stay external: a program must use its project's one copy of each.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { packageRoot } from "../src/paths.ts";

const dist = join(packageRoot, "dist");
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [join(packageRoot, "node_modules/typescript/bin/tsc"), "-p", join(packageRoot, "tsconfig.build.json")], { stdio: "inherit" });
await build({
  absWorkingDir: packageRoot,
  entryPoints: ["src/cli.ts", "src/index.ts", "src/pack/pack.ts", "src/runner/host.ts"],
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
  legalComments: "linked",
  logLevel: "warning",
});
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
