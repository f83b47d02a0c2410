import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { buildBundle, builtinSourceDirs, bundlePaths, type BundleManifest, type BundlePaths, type CustomRuleSources, regoSources, sourceDigest } from "../engine/bundle.ts";
import { InputError, locate } from "../model/index.ts";
import { packageCacheDir } from "../paths.ts";
import type { LoadedProject } from "../project/index.ts";
import type { ProjectBundle } from "./project-bundle.ts";

/*
 * Which compiled policy judges a project. Without custom rules it is the bundle shipped with
 * vendorgate (no opa needed). With them (vendorgate.yaml's `customRules` folder holds at least one
 * rule, or the signed policy bundle it pins does) it is the project's own bundle, which `vendorgate
 * build` compiles from the built-in rules plus the custom ones.
 *
 * That bundle never lives in the repository: a pull request controls every file there, and could
 * commit a policy.wasm that allows everything beside a manifest claiming the right sources. It is
 * kept in vendorgate's cache beside the installed package (node_modules/.cache/vendorgate/policy,
 * which `npm ci` recreates and a pull request cannot write), in a folder named for the digest of
 * the sources as they are when judging: a stale bundle, or one built from other rules, is simply
 * not found ("run vendorgate build"), never a silent fallback to the rules without the
 * organisation's own. The CLI and the policy pack (another process) compute the same folder.
 */

/** The custom rules' folder name inside a project bundle: fixed, so where a project sits never changes the WASM. */
const CUSTOM_AS = "custom-rules";

export const BUILD_COMMAND = "npx vendorgate build";

/** Where project bundles are kept, one folder per source digest. */
export function projectBundleCache(): string {
  return join(packageCacheDir(), "policy");
}

/**
 * The custom rules folder of the project, or undefined when it names none. A folder that is named
 * but missing (or not a folder) is an input error at its line: "no custom rules" must not be what
 * a mistyped path reads as.
 */
export function customRulesDir(project: LoadedProject | undefined): string | undefined {
  const dir = project?.config.customRules;
  if (dir === undefined) return undefined;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    const at = locate(project!.loaded.source, ["customRules"]);
    throw new InputError([{ ...at, path: "customRules", message: `${relative(process.cwd(), dir) || dir}: ${existsSync(dir) ? "not a folder" : "no such folder"}` }]);
  }
  return dir;
}

/** The custom rules that judge this project, or undefined when it has none (the shipped bundle judges). */
function projectCustomRules(project: LoadedProject | undefined, signed?: ProjectBundle): CustomRuleSources | undefined {
  const own = customRulesDir(project);
  const hasOwn = own !== undefined && regoSources(own, true).length > 0;
  if (project !== undefined && signed !== undefined && signed.customRules.size > 0) {
    if (hasOwn) {
      const at = locate(project.loaded.source, ["customRules"]);
      throw new InputError([
        { ...at, path: "customRules", message: `the signed policy bundle ${signed.bundle.source} holds custom rules: they are security's, and cannot be combined with a folder of this repository's` },
      ]);
    }
    // Compiled straight from the verified bundle: no copy on disk stands between what security
    // signed and what is compiled.
    return { dir: `${signed.bundle.source}#custom`, files: signed.customRules, as: CUSTOM_AS };
  }
  return hasOwn ? { dir: own, as: CUSTOM_AS } : undefined;
}

/**
 * The bundle that judges this project: its own when it has custom rules (in its customRules folder,
 * or in the signed policy bundle it pins, never both), else the shipped one.
 */
export function projectBundlePaths(project: LoadedProject | undefined, signed?: ProjectBundle): BundlePaths {
  const custom = projectCustomRules(project, signed);
  if (!custom) return bundlePaths();
  const base = bundlePaths(undefined, undefined, builtinSourceDirs);
  const digest = sourceDigest(base.root, base.sources, custom);
  const dir = join(projectBundleCache(), digest);
  const from = custom.files ? `signed policy bundle ${signed!.bundle.source}` : relative(process.cwd(), custom.dir) || ".";
  return {
    ...bundlePaths(base.root, dir, builtinSourceDirs),
    custom,
    sourceDigest: digest,
    buildCommand: BUILD_COMMAND,
    missing: `no policy bundle compiled from this project's custom rules as they are now (from ${from}): run \`${BUILD_COMMAND}\` after every change to them`,
  };
}

/** Bundles of other sources are dropped once unused this long: a judging command never rebuilds one. */
const KEEP_MS = 7 * 86_400_000;

/** Compiles the project's bundle; undefined when the project has no custom rules (the shipped bundle is used). */
export function buildProjectBundle(project: LoadedProject, signed?: ProjectBundle): { paths: BundlePaths; manifest: BundleManifest } | undefined {
  const paths = projectBundlePaths(project, signed);
  if (!paths.custom) return undefined;
  const manifest = buildBundle(paths);
  pruneCache(paths.dir);
  return { paths, manifest };
}

/** Drops bundles of other sources not built for a week; never fails the build. */
function pruneCache(keep: string): void {
  const cache = projectBundleCache();
  try {
    for (const name of readdirSync(cache)) {
      const dir = join(cache, name);
      if (dir !== keep && /^[0-9a-f]{64}$/.test(name) && Date.now() - statSync(dir).mtimeMs > KEEP_MS) rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // a cache another process is pruning too only costs disk
  }
}
