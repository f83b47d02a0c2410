import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { buildBundle, builtinSourceDirs, bundlePaths, type BundleManifest, type BundlePaths, regoSources } from "../engine/bundle.ts";
import { PolicyFault } from "../engine/errors.ts";
import { InputError, locate } from "../model/index.ts";
import { type LoadedProject, PROJECT_BUNDLE_DIR } from "../project/index.ts";
import type { ProjectBundle } from "./project-bundle.ts";

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
 * Where `vendorgate build` writes the custom rules of the signed policy bundle vendorgate.yaml pins,
 * to compile them like a project's own. Judging commands compare it with the verified bundle on
 * every run, so what is compiled is what security signed.
 */
export const SIGNED_RULES_DIR = join(".vendorgate", "signed-rules");

/** The signed bundle's custom rules as `build` writes them: each file under SIGNED_RULES_DIR. */
export function writeSignedRules(project: LoadedProject, signed: ProjectBundle): string {
  const dir = join(project.root, SIGNED_RULES_DIR);
  rmSync(dir, { recursive: true, force: true });
  for (const [name, content] of signed.customRules) {
    const file = join(dir, ...name.split("/"));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return dir;
}

/** Throws unless SIGNED_RULES_DIR holds exactly the signed bundle's custom rules. */
function checkSignedRules(dir: string, signed: ProjectBundle): void {
  const stale = () =>
    new PolicyFault(`the custom rules of signed policy bundle ${signed.bundle.source} are not the ones compiled into this project's bundle: run \`${BUILD_COMMAND}\``);
  const onDisk = existsSync(dir) ? regoSources(dir, false).map((f) => relative(dir, f).split(sep).join("/")) : [];
  if (onDisk.length !== signed.customRules.size) throw stale();
  for (const name of onDisk) {
    const want = signed.customRules.get(name);
    if (!want || !readFileSync(join(dir, ...name.split("/"))).equals(want)) throw stale();
  }
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

/**
 * The bundle that judges this project: its own when it has custom rules (in its customRules folder,
 * or in the signed policy bundle it pins, never both), else the shipped one.
 */
export function projectBundlePaths(project: LoadedProject | undefined, signed?: ProjectBundle): BundlePaths {
  const own = customRulesDir(project);
  const hasOwn = own !== undefined && regoSources(own, true).length > 0;
  if (project !== undefined && signed !== undefined && signed.customRules.size > 0) {
    if (hasOwn) {
      const at = locate(project.loaded.source, ["customRules"]);
      throw new InputError([
        { ...at, path: "customRules", message: `the signed policy bundle ${signed.bundle.source} holds custom rules: they are security's, and cannot be combined with a folder of this repository's` },
      ]);
    }
    const dir = join(project.root, SIGNED_RULES_DIR);
    checkSignedRules(dir, signed);
    return { ...bundlePaths(undefined, join(project.root, PROJECT_BUNDLE_DIR), builtinSourceDirs), custom: { dir, as: CUSTOM_AS }, buildCommand: BUILD_COMMAND };
  }
  if (project === undefined || own === undefined || !hasOwn) return bundlePaths();
  const paths = bundlePaths(undefined, join(project.root, PROJECT_BUNDLE_DIR), builtinSourceDirs);
  return { ...paths, dir: join(project.root, PROJECT_BUNDLE_DIR), custom: { dir: own, as: CUSTOM_AS }, buildCommand: BUILD_COMMAND };
}

/**
 * Compiles the project's bundle; undefined when the project has no custom rules (the shipped
 * bundle is used). The bundle's folder gets a .gitignore of its own, so a project that has not
 * ignored .vendorgate/ yet does not commit a build output.
 */
export function buildProjectBundle(project: LoadedProject, signed?: ProjectBundle): { paths: BundlePaths; manifest: BundleManifest } | undefined {
  if (signed && signed.customRules.size > 0) writeSignedRules(project, signed);
  const paths = projectBundlePaths(project, signed);
  if (!paths.custom) return undefined;
  const manifest = buildBundle(paths);
  const ignore = join(dirname(paths.dir), ".gitignore");
  if (!existsSync(ignore)) {
    mkdirSync(dirname(ignore), { recursive: true });
    writeFileSync(ignore, "# vendorgate's own files (the built policy bundle, a local state backend): never committed\n*\n");
  }
  return { paths, manifest };
}
