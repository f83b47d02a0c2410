import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { findTool, packageRoot } from "../paths.ts";
import { checkCustomRules, type InspectOutput } from "./custom-rules.ts";
import { PolicyFault } from "./errors.ts";
import type { RuleInfo, Severity } from "./violation.ts";

/** The product's own rules (VG001-VG012 and their library): what the package ships, precompiled. */
export const builtinSourceDirs: readonly string[] = ["policies/lib", "policies/rules"];

/*
 * The compiled package (dist/) judges with the product bundle built beside it into dist/policy;
 * the TypeScript sources of a checkout with build/policy. Both hold the product's rules only: an
 * organisation's own rules go into its project's bundle (`vendorgate build`). Which folders a
 * bundle must have been built from is the reader's fact, never the bundle's own claim: a bundle
 * that left a rule folder out is stale, not fresh.
 */
const compiled = fileURLToPath(import.meta.url).endsWith(".js");
const defaultSources = builtinSourceDirs;
const defaultDir = (root: string) => join(root, ...(compiled ? ["dist", "policy"] : ["build", "policy"]));
/** Tests beside the rules are never compiled. */
export const entrypoint = "vendorgate/main/report";

export interface BundleManifest {
  sourceDigest: string;
  wasmDigest: string;
  opaVersion: string;
}

/** An organisation's own rules, compiled beside the built-in ones into a project's bundle. */
export interface CustomRuleSources {
  /**
   * The folder (absolute): one rule a subfolder; folders and files starting with `_` or `.` are
   * skipped. Messages from opa name files under it.
   */
  dir: string;
  /**
   * The rules themselves, by path below `dir`, when they are not files on disk (security's signed
   * bundle, verified in memory): `dir` then only names them in messages.
   */
  files?: ReadonlyMap<string, Uint8Array>;
  /** Its name inside the bundle (forward slashes, relative): messages from opa are rewritten back to `dir`. */
  as: string;
}

export interface BundlePaths {
  root: string;
  /** The rule folders, relative to root, the bundle is compiled from. */
  sources: readonly string[];
  custom?: CustomRuleSources;
  /** What to run when the bundle is missing or stale. */
  buildCommand: string;
  /** Why a missing bundle is missing, when the reader knows better than "missing or unreadable". */
  missing?: string;
  /** The sources' digest, when whoever chose the folder has computed it already (a project bundle's folder is named for it). */
  sourceDigest?: string;
  dir: string;
  wasm: string;
  catalogue: string;
  manifest: string;
}

/**
 * VENDORGATE_POLICY_ROOT (a folder holding policies/) and VENDORGATE_BUNDLE_DIR point the CLI and
 * the pack at other policy sources and another built bundle: fault drills and policy development.
 */
export function bundlePaths(
  root = process.env.VENDORGATE_POLICY_ROOT ?? packageRoot,
  dir = process.env.VENDORGATE_BUNDLE_DIR ?? defaultDir(root),
  sources: readonly string[] = defaultSources,
): BundlePaths {
  return {
    root,
    sources,
    buildCommand: "npm run build:policy",
    dir,
    wasm: join(dir, "policy.wasm"),
    catalogue: join(dir, "catalogue.json"),
    manifest: join(dir, "manifest.json"),
  };
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * The .rego files compiled from `dir` (tests beside the rules never are), absolute and sorted. In
 * a custom rules folder (`skipHidden`) a folder or file starting with `_` or `.` is left out: the
 * example rule `init` writes stays off until its folder is renamed.
 */
export function regoSources(dir: string, skipHidden = false): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (skipHidden && /^[_.]/.test(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".rego") && !e.name.endsWith("_test.rego")) files.push(p);
    }
  };
  walk(dir);
  return files.sort();
}

const slashed = (p: string) => p.split(sep).join("/");

/** Every compiled file: its name inside the bundle (what opa records and the digest covers) and its bytes. */
function compiledFiles(root: string, dirs: readonly string[], custom?: CustomRuleSources): { name: string; text: Uint8Array }[] {
  const onDisk = (dir: string, skipHidden: boolean, prefix: string): { name: string; text: Uint8Array }[] =>
    regoSources(dir, skipHidden).map((file) => ({ name: `${prefix}${slashed(relative(dir, file))}`, text: readFileSync(file) }));
  const files = dirs.flatMap((d) => onDisk(join(root, d), false, `${d.split(sep).join("/")}/`));
  if (custom?.files) {
    const names = [...custom.files.keys()].filter((n) => n.endsWith(".rego") && !n.endsWith("_test.rego")).sort();
    files.push(...names.map((n) => ({ name: `${custom.as}/${n}`, text: custom.files!.get(n)! })));
  } else if (custom) files.push(...onDisk(custom.dir, true, `${custom.as}/`));
  return files;
}

function digestOf(files: readonly { name: string; text: Uint8Array }[]): string {
  const h = createHash("sha256");
  for (const { name, text } of files) h.update(name).update("\0").update(text).update("\0");
  return h.digest("hex");
}

/** Digest over every compiled .rego (name and content), so any edit makes the bundle stale. */
export function sourceDigest(root = packageRoot, dirs: readonly string[] = defaultSources, custom?: CustomRuleSources): string {
  return digestOf(compiledFiles(root, dirs, custom));
}

interface Annotation {
  location?: { file?: string };
  path?: { value: unknown }[];
  annotations?: {
    scope?: string;
    title?: string;
    description?: string;
    custom?: Record<string, unknown>;
  };
}

/** The rule catalogue, read from METADATA so no rule fact is typed twice. */
export function catalogueFromAnnotations(annotations: readonly Annotation[]): RuleInfo[] {
  const rules: RuleInfo[] = [];
  for (const a of annotations) {
    const custom = a.annotations?.custom;
    if (a.annotations?.scope !== "package" || typeof custom?.id !== "string") continue;
    const path = (a.path ?? []).map((p) => String(p.value));
    const name = path.at(-1) ?? "";
    const severity = custom.severity;
    if (severity !== "mandatory" && severity !== "advisory") {
      throw new PolicyFault(`rule ${custom.id} (${a.location?.file ?? "?"}): METADATA custom.severity must be mandatory or advisory`);
    }
    rules.push({
      id: custom.id,
      name,
      title: a.annotations.title ?? name,
      description: a.annotations.description ?? "",
      severity: severity as Severity,
      remediation: typeof custom.remediation === "string" ? custom.remediation : "",
      custom: path.includes("custom"),
      ...(custom.advisory_cases === true ? { advisoryCases: true } : {}),
      ...(custom.per_field === true ? { perField: true } : {}),
      ...(typeof custom.warning_days === "number" ? { warningDays: custom.warning_days } : {}),
    });
  }
  return rules.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

/**
 * How many days before a DPA or SOC 2 report expires VG009 warns: its METADATA says so
 * (custom.warning_days), and `review` and the HTML report read it here rather than keep a copy.
 */
export function assuranceWarningDays(catalogue: readonly RuleInfo[]): number {
  const days = catalogue.find((r) => r.warningDays !== undefined)?.warningDays;
  if (days === undefined) throw new PolicyFault("the policy bundle's catalogue has no assurance warning window (VG009's METADATA custom.warning_days): rebuild it");
  return days;
}

/** How to get opa, for a user who has only the npm package. */
export const OPA_INSTALL_HINT =
  "install the Open Policy Agent CLI and put `opa` on PATH (https://www.openpolicyagent.org/docs/latest/#1-download-opa; e.g. `brew install opa`)";

function opaOrFault(): string {
  const opa = findTool("opa");
  if (!opa) throw new PolicyFault(`opa is not installed: compiling Rego needs it; ${OPA_INSTALL_HINT}`);
  return opa;
}

/**
 * Compiles the policies with `opa build -t wasm` and derives the catalogue from METADATA. The
 * compiled files are copied into a staging folder first, under their names in the bundle, and opa
 * runs there: opa records each source's path as given in the WASM module, so the same sources give
 * the same bytes wherever they sit, and exactly the files the digest covers are compiled.
 */
export function buildBundle(paths = bundlePaths()): BundleManifest {
  const opa = opaOrFault();
  const tmp = `${paths.dir}.tmp-${process.pid}`;
  const staged = join(tmp, "src");
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  const custom = paths.custom;
  // opa names staged files; the user should read the path of the file they edit.
  const shownCustom = !custom ? "" : custom.files ? custom.dir : relative(process.cwd(), custom.dir) || ".";
  const unstage = (text: string) => (custom ? text.split(`${custom.as}/`).join(`${slashed(shownCustom)}/`) : text);
  const run = (args: string[]) => {
    try {
      return execFileSync(opa, args, { cwd: staged, encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string };
      throw new PolicyFault(`opa ${args[0]} failed:\n${unstage((e.stderr || e.stdout || String(err)).trim())}`);
    }
  };
  try {
    const files = compiledFiles(paths.root, paths.sources, custom);
    for (const { name, text } of files) {
      mkdirSync(dirname(join(staged, name)), { recursive: true });
      writeFileSync(join(staged, name), text);
    }
    const digest = digestOf(files);
    const dirs = [...paths.sources, ...(custom ? [custom.as] : [])];
    for (const d of dirs) mkdirSync(join(staged, d), { recursive: true });
    // `opa inspect` takes one path at a time.
    const inspected = dirs.map((d) => JSON.parse(run(["inspect", "-a", "--format", "json", d])) as InspectOutput & { annotations?: Annotation[] });
    const catalogue = catalogueFromAnnotations(inspected.flatMap((i) => i.annotations ?? []));
    // Every folder other than the built-in ones holds custom rules, confined to vendorgate.custom.
    const builtIn = new Set(builtinSourceDirs);
    for (const [i, d] of dirs.entries()) {
      if (builtIn.has(d)) continue;
      const shown = custom && d === custom.as ? (f: string) => unstage(slashed(f)) : undefined;
      checkCustomRules(inspected[i] ?? {}, { root: staged, builtInIds: catalogue.filter((r) => !r.custom).map((r) => r.id), ...(shown ? { shown } : {}) });
    }
    // Only once the custom rules are known to stay in their package: a file that redefines the
    // entrypoint must be named as such, not surface as whatever opa makes of the clash.
    run(["build", "-t", "wasm", "-e", entrypoint, "-o", join(tmp, "bundle.tar.gz"), ...dirs]);
    execFileSync("tar", ["-xzf", join(tmp, "bundle.tar.gz"), "-C", tmp, "/policy.wasm"], { stdio: "pipe" });

    const wasm = readFileSync(join(tmp, "policy.wasm"));
    const opaVersion = /Version: (\S+)/.exec(run(["version"]))?.[1] ?? "unknown";
    const manifest: BundleManifest = { sourceDigest: digest, wasmDigest: sha256(wasm), opaVersion };
    const out = join(tmp, "out");
    mkdirSync(out);
    renameSync(join(tmp, "policy.wasm"), join(out, "policy.wasm"));
    writeFileSync(join(out, "catalogue.json"), JSON.stringify(catalogue, null, 2) + "\n");
    writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    // Swap the whole folder so a reader never sees a new wasm beside an old manifest.
    mkdirSync(dirname(paths.dir), { recursive: true });
    rmSync(paths.dir, { recursive: true, force: true });
    try {
      renameSync(out, paths.dir);
    } catch (err) {
      // A folder named for its sources' digest: another build of the same sources got there
      // first, and (the build being reproducible) holds the same wasm.
      if (readManifest(paths)?.wasmDigest !== manifest.wasmDigest) throw err;
    }
    return manifest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The digest a fresh bundle of these paths records: the sources as they are now. */
const expectedDigest = (paths: BundlePaths): string => paths.sourceDigest ?? sourceDigest(paths.root, paths.sources, paths.custom);

function readManifest(paths: BundlePaths): BundleManifest | undefined {
  try {
    return JSON.parse(readFileSync(paths.manifest, "utf8")) as BundleManifest;
  } catch {
    return undefined;
  }
}

/** True when the bundle on disk was built from the .rego sources on disk. */
export function isFresh(paths = bundlePaths()): boolean {
  return readManifest(paths)?.sourceDigest === expectedDigest(paths);
}

export interface LoadedBundle {
  wasm: Uint8Array;
  catalogue: RuleInfo[];
  manifest: BundleManifest;
}

/**
 * Reads the bundle and checks it: the wasm must match the digest recorded at build time, and the
 * bundle must have been built from the .rego sources on disk. A judging command never compiles
 * policy on its own (a missing or stale bundle is a fault, not a cue to guess); `rebuild: true` is
 * for the build step.
 */
export function readBundle(paths = bundlePaths(), opts: { rebuild?: boolean } = {}): LoadedBundle {
  if (opts.rebuild === true && !isFresh(paths)) buildBundle(paths);
  const manifest = readManifest(paths);
  if (!manifest) throw new PolicyFault(paths.missing ?? `policy bundle missing or unreadable: ${relative(process.cwd(), paths.manifest)} (run \`${paths.buildCommand}\`)`);
  if (manifest.sourceDigest !== expectedDigest(paths)) {
    throw new PolicyFault(`policy bundle is stale: the .rego sources changed since it was built (run \`${paths.buildCommand}\`)`);
  }
  let wasm: Uint8Array;
  let catalogue: RuleInfo[];
  try {
    wasm = readFileSync(paths.wasm);
    catalogue = JSON.parse(readFileSync(paths.catalogue, "utf8")) as RuleInfo[];
  } catch (err) {
    throw new PolicyFault(`policy bundle incomplete: ${(err as Error).message}`);
  }
  if (sha256(wasm) !== manifest.wasmDigest) {
    throw new PolicyFault(`policy bundle digest mismatch: ${relative(process.cwd(), paths.wasm)} is not the wasm that was built`);
  }
  if (!Array.isArray(catalogue) || catalogue.length === 0) throw new PolicyFault("policy bundle has an empty rule catalogue");
  return { wasm, catalogue, manifest };
}
