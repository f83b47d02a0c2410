import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { type LoadedProjectConfig, parseProjectConfig, PROJECT_CONFIG_FILE, readSourceText, type ProjectConfig } from "../model/index.ts";
import { findUp } from "./find-up.ts";

/*
 * Finding and reading the user's vendorgate.yaml. Every path in it is relative to the file's own
 * directory, never to the working directory, so a command gives the same answer from any folder
 * of the project.
 */

export interface ProjectOptions {
  /** Where to start looking (default: the working directory). */
  cwd?: string;
  /** --config-file: this file, no search. */
  configFile?: string;
  /** --project: the project directory; the search starts there instead of at cwd. */
  projectDir?: string;
}

/** The state backend when vendorgate.yaml names none: a local file backend in the project's ignored folder. */
export const DEFAULT_BACKEND_DIR = join(".vendorgate", "backend");
/** Where `vendorgate build` writes the project's own policy bundle (ignored by git). */
export const PROJECT_BUNDLE_DIR = join(".vendorgate", "policy");

export interface LoadedProject {
  /** Absolute path of vendorgate.yaml. */
  configFile: string;
  /** Its directory: everything in the file is relative to it. */
  root: string;
  /**
   * The config with every path made absolute and `backend` always set; `policyBundle` stays as
   * written (its paths are resolved against `root` when it is loaded, and messages name them so).
   */
  config: ProjectConfig & { backend: string };
  /** The file as read, for errors that point into it later (unknown rule ids). */
  loaded: LoadedProjectConfig;
}

/** The vendorgate.yaml the options point at, or undefined when the search finds none. */
export function locateProjectConfig(opts: ProjectOptions = {}): string | undefined {
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (opts.configFile !== undefined) return resolve(cwd, opts.configFile);
  return findUp(PROJECT_CONFIG_FILE, opts.projectDir === undefined ? cwd : resolve(cwd, opts.projectDir));
}

/** The message for a project without vendorgate.yaml: what was searched and how to get one. */
export function missingProjectMessage(opts: ProjectOptions = {}): string {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const start = opts.projectDir === undefined ? cwd : resolve(cwd, opts.projectDir);
  return (
    `no ${PROJECT_CONFIG_FILE} in ${start} or any directory above it: ` +
    "run `npx vendorgate init` in your Pulumi project to create one, or point at one with --config-file FILE"
  );
}

/** vendorgate.yaml, read and resolved; a UsageError (exit 2) when there is none. */
export async function loadProject(opts: ProjectOptions = {}): Promise<LoadedProject> {
  const found = await findProject(opts);
  if (!found) throw new UsageError(missingProjectMessage(opts));
  return found;
}

/** vendorgate.yaml when there is one; an explicit --config-file that does not exist is still an error. */
export async function findProject(opts: ProjectOptions = {}): Promise<LoadedProject | undefined> {
  const configFile = locateProjectConfig(opts);
  if (configFile === undefined) return undefined;
  const cwd = resolve(opts.cwd ?? process.cwd());
  // Messages name the file as the user would type it from where they are (inside the project).
  const shown = relative(cwd, configFile);
  const loaded = parseProjectConfig(await readSourceText(configFile), shown && !shown.startsWith("..") ? shown : configFile);
  const root = dirname(configFile);
  const at = (p: string) => resolve(root, p);
  const c = loaded.config;
  const config = {
    ...c,
    ...(c.registry === undefined ? {} : { registry: at(c.registry) }),
    ...(c.exceptions === undefined ? {} : { exceptions: at(c.exceptions) }),
    ...(c.customRules === undefined ? {} : { customRules: at(c.customRules) }),
    backend: resolveBackend(c.backend, root),
  };
  return { configFile, root, config, loaded };
}

/** A backend URL with a relative file:// path made absolute against `root`; others as written. */
export function resolveBackend(url: string | undefined, root: string): string {
  if (url === undefined) return `file://${join(root, DEFAULT_BACKEND_DIR)}`;
  if (!url.startsWith("file://")) return url;
  const path = url.slice("file://".length);
  // `file://~` is Pulumi's own shorthand for the home directory: leave it to Pulumi.
  if (path.startsWith("~") || isAbsolute(path)) return url;
  return `file://${resolve(root, path)}`;
}

/** The directory of a file:// backend URL, or undefined for any other kind of backend. */
export function backendDirOf(url: string): string | undefined {
  return url.startsWith("file://") && !url.startsWith("file://~") ? url.slice("file://".length) : undefined;
}
