import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { buildBundle, builtinSourceDirs, bundlePaths, type BundleManifest, type BundlePaths, regoSources } from "../engine/bundle.ts";
import { InputError, locate } from "../model/index.ts";
import { type LoadedProject, PROJECT_BUNDLE_DIR } from "../project/index.ts";

/*
 * Which compiled policy judges a project. Without custom rules it is the bundle shipped with
 * vendorgate (no opa needed). With them (vendorgate.yaml's `customRules` folder holds at least one
 * rule) it is the project's own bundle, which `vendorgate build` compiles from the built-in rules
 * plus the custom ones into the project's ignored .vendorgate/policy: every judging command then
 * reads that bundle, and a missing or stale one is a fault ("run vendorgate build"), never a
 * silent fallback to the rules without the organisation's own.
 */

/** The custom rules' folder name inside a project bundle: fixed, so where a project sits never changes the WASM. */
const CUSTOM_AS = "custom-rules";

export const BUILD_COMMAND = "npx vendorgate build";

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

/** The bundle that judges this project: its own when it has custom rules, else the shipped one. */
export function projectBundlePaths(project: LoadedProject | undefined): BundlePaths {
  const dir = customRulesDir(project);
  if (project === undefined || dir === undefined || regoSources(dir, true).length === 0) return bundlePaths();
  const paths = bundlePaths(undefined, join(project.root, PROJECT_BUNDLE_DIR), builtinSourceDirs);
  return { ...paths, dir: join(project.root, PROJECT_BUNDLE_DIR), custom: { dir, as: CUSTOM_AS }, buildCommand: BUILD_COMMAND };
}

/**
 * Compiles the project's bundle; undefined when the project has no custom rules (the shipped
 * bundle is used). The bundle's folder gets a .gitignore of its own, so a project that has not
 * ignored .vendorgate/ yet does not commit a build output.
 */
export function buildProjectBundle(project: LoadedProject): { paths: BundlePaths; manifest: BundleManifest } | undefined {
  const paths = projectBundlePaths(project);
  if (!paths.custom) return undefined;
  const manifest = buildBundle(paths);
  const ignore = join(dirname(paths.dir), ".gitignore");
  if (!existsSync(ignore)) {
    mkdirSync(dirname(ignore), { recursive: true });
    writeFileSync(ignore, "# vendorgate's own files (the built policy bundle, a local state backend): never committed\n*\n");
  }
  return { paths, manifest };
}
