import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { findTool, packageRoot } from "../paths.ts";
import { checkCustomRules, type InspectOutput } from "./custom-rules.ts";
import { PolicyFault } from "./errors.ts";
import type { RuleInfo, Severity } from "./violation.ts";

/** The product's own rules (VG001-VG012 and their library): what the package ships, precompiled. */
export const builtinSourceDirs: readonly string[] = ["policies/lib", "policies/rules"];
/** This checkout's development bundle also compiles the example organisation's rules. */
export const policySourceDirs: readonly string[] = [...builtinSourceDirs, "policies/custom"];

/*
 * The compiled package (dist/) judges with the product bundle built beside it into dist/policy;
 * the TypeScript sources of a checkout with build/policy. Which folders a bundle must have been
 * built from is the reader's fact, never the bundle's own claim: a bundle that left a rule folder
 * out is stale, not fresh.
 */
const compiled = fileURLToPath(import.meta.url).endsWith(".js");
const defaultSources = compiled ? builtinSourceDirs : policySourceDirs;
const defaultDir = (root: string) => join(root, ...(compiled ? ["dist", "policy"] : ["build", "policy"]));
/** Tests beside the rules are never compiled. */
export const entrypoint = "vendorgate/main/report";

export interface BundleManifest {
  sourceDigest: string;
  wasmDigest: string;
  opaVersion: string;
}

export interface BundlePaths {
  root: string;
  /** The rule folders, relative to root, the bundle is compiled from. */
  sources: readonly string[];
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
    dir,
    wasm: join(dir, "policy.wasm"),
    catalogue: join(dir, "catalogue.json"),
    manifest: join(dir, "manifest.json"),
  };
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

function regoSources(root: string, dirs: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".rego") && !e.name.endsWith("_test.rego")) files.push(p);
    }
  };
  for (const d of dirs) walk(join(root, d));
  return files.sort();
}

/** Digest over every compiled .rego (path and content), so any edit makes the bundle stale. */
export function sourceDigest(root = packageRoot, dirs: readonly string[] = defaultSources): string {
  const h = createHash("sha256");
  for (const f of regoSources(root, dirs)) {
    h.update(relative(root, f)).update("\0").update(readFileSync(f)).update("\0");
  }
  return h.digest("hex");
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
    });
  }
  return rules.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

function opaOrFault(): string {
  const opa = findTool("opa");
  if (!opa) throw new PolicyFault("opa is not installed: run `npm run setup` to build the pinned toolchain");
  return opa;
}

/** Compiles the policies with `opa build -t wasm` and derives the catalogue from METADATA. */
export function buildBundle(paths = bundlePaths()): BundleManifest {
  const opa = opaOrFault();
  // Relative to the policy root (opa runs there): opa records each source's path as given in the
  // WASM module, so absolute paths would make the digest depend on where the sources sit.
  const dirs = [...paths.sources];
  const tmp = `${paths.dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const run = (args: string[]) => {
    try {
      return execFileSync(opa, args, { cwd: paths.root, encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string };
      throw new PolicyFault(`opa ${args[0]} failed:\n${(e.stderr || e.stdout || String(err)).trim()}`);
    }
  };
  try {
    const digest = sourceDigest(paths.root, paths.sources);
    // `opa inspect` takes one path at a time.
    const inspected = dirs.map((d) => JSON.parse(run(["inspect", "-a", "--format", "json", d])) as InspectOutput & { annotations?: Annotation[] });
    const catalogue = catalogueFromAnnotations(inspected.flatMap((i) => i.annotations ?? []));
    // Every folder other than the built-in ones holds custom rules, confined to vendorgate.custom.
    const builtIn = new Set(builtinSourceDirs);
    for (const [i, d] of paths.sources.entries()) {
      if (builtIn.has(d)) continue;
      checkCustomRules(inspected[i] ?? {}, { root: paths.root, builtInIds: catalogue.filter((r) => !r.custom).map((r) => r.id) });
    }
    // Only once the custom rules are known to stay in their package: a file that redefines the
    // entrypoint must be named as such, not surface as whatever opa makes of the clash.
    run(["build", "-t", "wasm", "-e", entrypoint, "--ignore", "*_test.rego", "-o", join(tmp, "bundle.tar.gz"), ...dirs]);
    execFileSync("tar", ["-xzf", join(tmp, "bundle.tar.gz"), "-C", tmp, "/policy.wasm"], { stdio: "pipe" });

    const wasm = readFileSync(join(tmp, "policy.wasm"));
    const opaVersion = /Version: (\S+)/.exec(run(["version"]))?.[1] ?? "unknown";
    const manifest: BundleManifest = { sourceDigest: digest, wasmDigest: sha256(wasm), opaVersion };
    writeFileSync(join(tmp, "catalogue.json"), JSON.stringify(catalogue, null, 2) + "\n");
    writeFileSync(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    rmSync(join(tmp, "bundle.tar.gz"));
    // Swap the whole folder so a reader never sees a new wasm beside an old manifest.
    rmSync(paths.dir, { recursive: true, force: true });
    renameSync(tmp, paths.dir);
    return manifest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function readManifest(paths: BundlePaths): BundleManifest | undefined {
  try {
    return JSON.parse(readFileSync(paths.manifest, "utf8")) as BundleManifest;
  } catch {
    return undefined;
  }
}

/** True when the bundle on disk was built from the .rego sources on disk. */
export function isFresh(paths = bundlePaths()): boolean {
  return readManifest(paths)?.sourceDigest === sourceDigest(paths.root, paths.sources);
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
  if (!manifest) throw new PolicyFault(`policy bundle missing or unreadable: ${relative(process.cwd(), paths.manifest)} (run \`npm run build:policy\`)`);
  if (manifest.sourceDigest !== sourceDigest(paths.root, paths.sources)) {
    throw new PolicyFault("policy bundle is stale: the .rego sources changed since it was built (run `npm run build:policy`)");
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
