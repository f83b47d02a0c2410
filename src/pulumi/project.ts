import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { InputError } from "../model/errors.ts";
import { locate, parseSource } from "../model/source.ts";

/*
 * The Pulumi project as files: Pulumi.yaml and the stack config files. Kept apart from the
 * Automation API (workspace.ts) so commands that only read config do not load the engine client.
 * Nothing here writes: the project's files are the user's.
 */

/** The example stacks' config secrets use this passphrase unless one is set; it guards demo values only. */
export const DEMO_PASSPHRASE = "vendorgate-demo";

export type ModuleKind = "esm" | "cjs";

export interface ProjectInfo {
  root: string;
  name: string;
  /** The program's entry file, as Pulumi's Node.js runtime would pick it. */
  main: string;
  /** How Pulumi loads it: `import()` (package.json `"type": "module"`, .mjs/.mts) or `require()`; derived when absent. */
  moduleKind?: ModuleKind;
  stackConfigDir: string;
}

const PROJECT_FILE = "Pulumi.yaml";

// Pulumi's Node.js runtime resolves a directory as Node does (index.js first); the TypeScript
// loader adds the .ts spellings after the JavaScript ones.
const INDEX_FILES = ["index.js", "index.mjs", "index.cjs", "index.ts", "index.mts", "index.cts"];

interface PackageJson {
  type?: unknown;
  main?: unknown;
  exports?: unknown;
}

function readPackageJson(root: string): PackageJson {
  const file = join(root, "package.json");
  if (!existsSync(file)) return {};
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
    return data && typeof data === "object" ? (data as PackageJson) : {};
  } catch {
    // Node itself will say what is wrong with it when the program loads.
    return {};
  }
}

/** The entry package.json names (`exports` as Pulumi reads it, then `main`), relative to the root. */
function packageEntry(pkg: PackageJson): string | undefined {
  const exp = pkg.exports;
  if (typeof exp === "string") return exp;
  if (exp && typeof exp === "object") {
    const dot = (exp as Record<string, unknown>)["."];
    if (typeof dot === "string") return dot;
    if (dot && typeof dot === "object") {
      const d = dot as Record<string, unknown>;
      const pick = d.default ?? d.require ?? d.import;
      if (typeof pick === "string") return pick;
    }
  }
  return typeof pkg.main === "string" ? pkg.main : undefined;
}

function resolveFile(path: string): string | undefined {
  if (!existsSync(path)) {
    // Extensionless, as Pulumi users write `main: src/index`.
    for (const ext of [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"]) if (existsSync(path + ext)) return path + ext;
    return undefined;
  }
  if (!statSync(path).isDirectory()) return path;
  for (const name of INDEX_FILES) if (existsSync(join(path, name))) return join(path, name);
  return undefined;
}

function moduleKindOf(file: string, pkg: PackageJson): ModuleKind {
  if (/\.m[jt]s$/.test(file)) return "esm";
  if (/\.c[jt]s$/.test(file)) return "cjs";
  return pkg.type === "module" ? "esm" : "cjs";
}

/** How Pulumi's Node.js runtime loads the entry file: by its extension, else the nearest package.json's type. */
export function entryModuleKind(main: string): ModuleKind {
  for (let dir = dirname(main); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return moduleKindOf(main, readPackageJson(dir));
    if (dirname(dir) === dir) return moduleKindOf(main, {});
  }
}

/** What Pulumi.yaml says of where the project's stacks are, without needing its program (the incident commands read stack files only). */
export function projectStacks(root: string): Pick<ProjectInfo, "root" | "name" | "stackConfigDir"> {
  return projectFile(root).stacks;
}

function projectFile(root: string) {
  const projectFile = join(root, PROJECT_FILE);
  const shown = relative(process.cwd(), projectFile) || projectFile;
  if (!existsSync(projectFile)) throw new InputError([{ file: shown, line: 1, column: 1, path: "", message: "no Pulumi.yaml: not a Pulumi project" }]);
  const src = parseSource(readFileSync(projectFile, "utf8"), shown);
  const doc = src.data as { name?: unknown; main?: unknown; stackConfigDir?: unknown };
  if (typeof doc.name !== "string" || doc.name === "") {
    throw new InputError([{ ...locate(src, ["name"]), path: "name", message: "expected the project's name (a string)" }]);
  }
  if (doc.stackConfigDir !== undefined && typeof doc.stackConfigDir !== "string") {
    throw new InputError([{ ...locate(src, ["stackConfigDir"]), path: "stackConfigDir", message: "expected a directory (a string)" }]);
  }
  const stacks = { root, name: doc.name, stackConfigDir: join(root, (doc.stackConfigDir as string | undefined) ?? ".") };
  return { src, doc, shown, stacks };
}

export function projectInfo(root: string): ProjectInfo {
  const { src, doc, shown, stacks } = projectFile(root);
  const pkg = readPackageJson(root);
  let main: string | undefined;
  if (doc.main !== undefined) {
    if (typeof doc.main !== "string") throw new InputError([{ ...locate(src, ["main"]), path: "main", message: "expected a path (a string)" }]);
    main = resolveFile(join(root, doc.main));
    if (!main) throw new InputError([{ ...locate(src, ["main"]), path: "main", message: `${doc.main}: no such program file or directory with an index file` }]);
  } else {
    const entry = packageEntry(pkg);
    main = (entry !== undefined ? resolveFile(join(root, entry)) : undefined) ?? resolveFile(root);
    if (!main) throw new InputError([{ file: shown, line: 1, column: 1, path: "", message: `no program: no main in Pulumi.yaml or package.json, and no ${INDEX_FILES.join(", ")} beside it` }]);
  }
  return { ...stacks, main, moduleKind: moduleKindOf(main, pkg) };
}
