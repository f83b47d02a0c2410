// The example project (examples/shop): a Pulumi project of its own that depends on vendorgate as a
// user's project does. Tests, benchmarks and the demo name its files through these paths only.
import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { isFresh } from "../src/engine/bundle.ts";
import { packageRoot } from "../src/paths.ts";
import { buildProjectBundle, projectBundlePaths } from "../src/policy/compiled-bundle.ts";
import { loadProject } from "../src/project/index.ts";
import { projectInfo, type ProjectInfo } from "../src/pulumi/project.ts";

export const EXAMPLE = join(packageRoot, "examples", "shop");
export const EXAMPLE_CONFIG = join(EXAMPLE, "vendorgate.yaml");
export const EXAMPLE_REGISTRY = join(EXAMPLE, "policy", "vendors.yaml");
export const EXAMPLE_EXCEPTIONS = join(EXAMPLE, "policy", "exceptions.yaml");
/** ACME001, the organisation's own rule: compiled into the project's bundle by `vendorgate build`. */
export const EXAMPLE_RULES = join(EXAMPLE, "policy", "rules");
export const CLEAN_MANIFEST = join(EXAMPLE, "manifests", "clean.manifest.yaml");
export const INCIDENT_MANIFEST = join(EXAMPLE, "manifests", "incident.manifest.yaml");
/** The passphrase the example stacks' secure values are encrypted with; they guard demo values only. */
export { DEMO_PASSPHRASE as EXAMPLE_PASSPHRASE } from "../src/pulumi/project.ts";

/**
 * In the checkout, the example's `import "vendorgate"` resolves to the checkout itself through
 * examples/shop/node_modules/vendorgate (a link, as `npm install ../..` would make): its package.json
 * names its own scope, so Node's self-reference no longer reaches vendorgate. Its other packages
 * (@pulumi/*) resolve from the checkout's node_modules, the same copies vendorgate uses. The demo
 * instead installs the packed tarball into a copy of the example, as a user's project gets it.
 */
export function linkExample(): void {
  const link = join(EXAMPLE, "node_modules", "vendorgate");
  const target = relative(join(EXAMPLE, "node_modules"), packageRoot);
  try {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === target) return;
    rmSync(link, { recursive: true, force: true });
  } catch {
    // not there yet
  }
  mkdirSync(join(EXAMPLE, "node_modules"), { recursive: true });
  try {
    symlinkSync(target, link, "dir");
  } catch (err) {
    // Another process linked it first.
    if (!existsSync(link)) throw err;
  }
}

/** The example's Pulumi project as vendorgate reads it, linked so its program can run. */
export function exampleProject(): ProjectInfo {
  linkExample();
  return projectInfo(EXAMPLE);
}

/**
 * What `npx vendorgate build` does in the example: compiles ACME001 with the built-in rules into
 * the example's project bundle, unless the one for the rules as they are is there already. Every
 * command judging with the example's vendorgate.yaml needs it (without it: exit 2, "run vendorgate build").
 */
export async function buildExample(): Promise<void> {
  const project = await loadProject({ configFile: EXAMPLE_CONFIG });
  if (!isFresh(projectBundlePaths(project))) buildProjectBundle(project);
}

/** vitest's globalSetup: the example linked and built before any test imports or judges it. */
export async function setup(): Promise<void> {
  linkExample();
  await buildExample();
}

if (import.meta.main) await setup();
