/*
 * Fault drills: broken policy bundles, broken policy inputs and oversized declarations, each
 * handed to `check`, `plan` and the policy pack. Every case must block with its own clear reason,
 * within bounded time and memory; the outcomes are recorded for docs/fault-injection.md.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { buildBundle, bundlePaths } from "../../src/engine/bundle.ts";
import { packageRoot } from "../../src/paths.ts";
import type { ProjectInfo } from "../../src/pulumi/project.ts";

export const NOW = "2026-11-29";
export const REGISTRY = join(packageRoot, "examples", "shop", "policy", "vendors.yaml");
export const EXCEPTIONS = join(packageRoot, "examples", "shop", "policy", "exceptions.yaml");
export const MANIFEST = join(packageRoot, "examples", "shop", "manifests", "clean.manifest.yaml");
const PROBE = pathToFileURL(join(import.meta.dirname, "probe.ts")).href;
const FIXTURES = join(packageRoot, "test", "fixtures", "faults");

/** A stack trace line, which no user-facing message may contain. */
export const STACK_FRAME = /^\s+at .+[(:]\d+/m;

export interface Bounds {
  ms: number;
  rssMb: number;
}

/**
 * Generous on purpose: the reference machine has two busy cores, where a CLI run that does nothing
 * takes one to two seconds. A hang or a runaway allocation still blows through them.
 */
export const defaultBounds: Bounds = { ms: 60_000, rssMb: 600 };

export type Channel = "check" | "plan" | "pack";

/** What a fault case changes: environment of the run, and the policy inputs it reads. */
export interface FaultSetup {
  env: Record<string, string>;
  registry?: string;
  exceptions?: string;
}

export interface FaultCase {
  id: string;
  /** For the table in docs/fault-injection.md. */
  title: string;
  /** The reason the gate must give. */
  reason: RegExp;
  bounds?: Bounds;
  /** Channels the case runs through (default: all). */
  channels?: readonly Channel[];
  setup(scratch: string): FaultSetup;
}

// ---------------------------------------------------------------------------------------------
// Measured runs

export interface Measured {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak RSS of the process (the CLI), from the probe; undefined if it wrote nothing. */
  rssMb: number | undefined;
}

interface ProbeSample {
  pid: number;
  argv: string[];
  maxRssKb: number;
  ms: number;
}

/** Every probe sample written under `prefix`, then removes them. */
export function readProbes(prefix: string): ProbeSample[] {
  const dir = join(prefix, "..");
  const base = prefix.slice(dir.length + 1);
  const samples: ProbeSample[] = [];
  for (const f of existsSync(dir) ? readdirSync(dir) : []) {
    if (!f.startsWith(`${base}.`)) continue;
    if (f.endsWith(".json")) samples.push(JSON.parse(readFileSync(join(dir, f), "utf8")) as ProbeSample);
    rmSync(join(dir, f), { force: true });
  }
  return samples;
}

export const probeEnv = (prefix: string): Record<string, string> => ({ VENDORGATE_PROBE_OUT: prefix });
export const probeNodeOptions = `--import=${PROBE}`;

/** Runs the CLI as a user would, timed, with its peak RSS; killed (code null) past `timeoutMs`. */
export function measuredCli(args: readonly string[], env: Record<string, string> = {}, timeoutMs = 300_000): Measured {
  const dir = mkdtempSync(join(tmpdir(), "vendorgate-probe-"));
  try {
    const prefix = join(dir, "cli");
    const started = performance.now();
    const r = spawnSync(process.execPath, ["--import", PROBE, join(packageRoot, "bin", "vendorgate.js"), ...args], {
      cwd: packageRoot,
      encoding: "utf8",
      env: { ...process.env, ...env, ...probeEnv(prefix) },
      maxBuffer: 64 << 20,
      timeout: timeoutMs,
    });
    const ms = performance.now() - started;
    const rss = readProbes(prefix).map((s) => s.maxRssKb / 1024);
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms, rssMb: rss.length ? Math.max(...rss) : undefined };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Outcomes, for the table in docs/fault-injection.md

export interface Outcome {
  channel: string;
  case: string;
  title: string;
  exit: string;
  reason: string;
  ms: number;
  rssMb: number | undefined;
}

const outcomes: Outcome[] = [];

export function record(o: Outcome): void {
  outcomes.push(o);
}

/** The first line that says why, with temporary paths shortened, for the table. */
export function reasonLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^vendorgate plan \(stack/.test(l));
  const input = lines.indexOf("vendorgate: input error");
  const line = input >= 0 ? (lines[input + 1] ?? "") : (lines.find((l) => l.startsWith("vendorgate:")) ?? lines[0] ?? "");
  return line
    .replace(TEMP_PATH, "$TMP")
    .split(packageRoot)
    .join(".")
    .replace(POLICY_FAULT, "")
    .replace(/^vendorgate: /, "");
}

/** A path (absolute, or relative to the checkout) into a temporary folder of these tests. */
const TEMP_PATH = new RegExp(`(?:\\.\\./)*/?${tmpdir().slice(1).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/vendorgate-[\\w-]+`, "g");

/** How the CLI begins every policy fault; the table leaves it out. */
export const POLICY_FAULT = "vendorgate: policy fault, nothing can be judged (fail closed): ";

/** Writes this file's outcomes to test-results/faults/<name>.json (see test/faults/table.ts). */
export function writeOutcomes(name: string): void {
  if (outcomes.length === 0) return;
  const dir = join(packageRoot, "test-results", "faults");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(outcomes, null, 2) + "\n");
}

// ---------------------------------------------------------------------------------------------
// Broken bundles

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** A copy of the built bundle in `dir`, changed by `edit`; `redigest` records the new wasm's digest. */
function editedBundle(dir: string, edit: (wasm: Buffer) => Buffer, redigest: boolean): string {
  cpSync(bundlePaths().dir, dir, { recursive: true });
  const paths = bundlePaths(packageRoot, dir);
  const wasm = edit(readFileSync(paths.wasm));
  writeFileSync(paths.wasm, wasm);
  if (redigest) {
    const manifest = JSON.parse(readFileSync(paths.manifest, "utf8")) as { wasmDigest: string };
    manifest.wasmDigest = sha256(wasm);
    writeFileSync(paths.manifest, JSON.stringify(manifest, null, 2) + "\n");
  }
  return dir;
}

/** policies/ without its tests and the pack (opa inspect type-checks tests against the entrypoint). */
function copyPolicies(root: string): void {
  cpSync(join(packageRoot, "policies"), join(root, "policies"), {
    recursive: true,
    filter: (src) => !src.includes(`${join("policies", "pack")}`) && !src.endsWith("_test.rego"),
  });
}

/** A policy root (VENDORGATE_POLICY_ROOT) built by buildBundle after `change` edits its sources. */
function builtRoot(root: string, change: (root: string) => void): FaultSetup {
  copyPolicies(root);
  change(root);
  buildBundle(bundlePaths(root, join(root, "build", "policy")));
  return { env: { VENDORGATE_POLICY_ROOT: root } };
}

/**
 * Adds one of test/fixtures/faults/rules (a package under vendorgate.custom) beside the built-in
 * rules: the policy root's bundle compiles policies/lib and policies/rules only (a project's custom
 * rules go into its own bundle), and the drill is about what the rule does when it runs.
 */
const withCustomRule = (fixture: string) => (root: string) => {
  const name = `fault-${fixture}`;
  mkdirSync(join(root, "policies", "rules", name), { recursive: true });
  copyFileSync(join(FIXTURES, "rules", `${fixture}.rego`), join(root, "policies", "rules", name, `${name.replaceAll("-", "_")}.rego`));
};

/** Edits policies/lib/main.rego, failing loudly if the text to replace is gone. */
const editMain = (from: string, to: string) => (root: string) => {
  const file = join(root, "policies", "lib", "main.rego");
  const text = readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`main.rego no longer contains ${JSON.stringify(from)}: update the fault drill`);
  writeFileSync(file, text.replace(from, to));
};

/** A deterministic byte stream (the fault must be the same on every run). */
function noise(length: number, seed = 7): Buffer {
  const out = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Broken inputs

export function mkfifo(path: string): string {
  const r = spawnSync("mkfifo", [path], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`mkfifo ${path}: ${r.stderr}`);
  return path;
}

/** Registry text with `from` replaced, failing loudly if it is gone. */
function editedCopy(source: string, file: string, from: string | RegExp, to: string): string {
  const text = readFileSync(source, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${source} no longer contains ${String(from)}: update the fault drill`);
  writeFileSync(file, next);
  return file;
}

/** A valid document head padded with comment lines to `bytes`. */
export function padded(head: string, bytes: number): string {
  const line = `# ${"x".repeat(1021)}\n`;
  return head + line.repeat(Math.ceil((bytes - head.length) / line.length));
}

/** 10 000 levels of flow lists under `key`: small (20 kB), and far past any nesting limit. */
export const deepFlow = (head: string, key: string, levels = 10_000) => `${head}${key}: ${"[".repeat(levels)}${"]".repeat(levels)}\n`;

// ---------------------------------------------------------------------------------------------
// The cases every channel runs: the policy and what it reads

const heavy: Bounds = { ms: 300_000, rssMb: 1600 };

export const policyFaults: readonly FaultCase[] = [
  {
    id: "missing-bundle",
    title: "bundle folder missing",
    reason: /policy bundle missing or unreadable/,
    setup: (s) => ({ env: { VENDORGATE_BUNDLE_DIR: join(s, "no-such-bundle") } }),
  },
  {
    id: "truncated-wasm",
    title: "policy.wasm cut in half (digest re-recorded, so loading is what fails)",
    reason: /policy bundle does not load as WebAssembly/,
    setup: (s) => ({ env: { VENDORGATE_BUNDLE_DIR: editedBundle(join(s, "bundle"), (w) => w.subarray(0, w.length >> 1), true) } }),
  },
  {
    id: "corrupt-wasm",
    title: "policy.wasm replaced by random bytes (digest re-recorded)",
    reason: /policy bundle does not load as WebAssembly/,
    setup: (s) => ({ env: { VENDORGATE_BUNDLE_DIR: editedBundle(join(s, "bundle"), (w) => noise(w.length), true) } }),
  },
  {
    id: "foreign-wasm",
    title: "a valid WebAssembly module that is not an OPA policy (digest re-recorded)",
    reason: /policy bundle does not load as WebAssembly: it is not an OPA policy module \(no export opa_wasm_abi_version/,
    setup: (s) => ({ env: { VENDORGATE_BUNDLE_DIR: editedBundle(join(s, "bundle"), () => Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), true) } }),
  },
  {
    id: "digest-mismatch",
    title: "one byte of policy.wasm flipped (digest as built)",
    reason: /policy bundle digest mismatch/,
    setup: (s) => ({
      env: {
        VENDORGATE_BUNDLE_DIR: editedBundle(
          join(s, "bundle"),
          (w) => {
            w.writeUInt8(w.readUInt8(w.length >> 1) ^ 0xff, w.length >> 1);
            return w;
          },
          false,
        ),
      },
    }),
  },
  {
    id: "stale-bundle",
    title: "a rule edited since the bundle was built",
    reason: /policy bundle is stale/,
    setup: (s) => {
      copyPolicies(s);
      editedCopy(join(s, "policies/rules/residency/residency.rego"), join(s, "policies/rules/residency/residency.rego"), /$/, "\n# edited after the build\n");
      cpSync(bundlePaths().dir, join(s, "build", "policy"), { recursive: true });
      return { env: { VENDORGATE_POLICY_ROOT: s } };
    },
  },
  {
    id: "catalogue-corrupt",
    title: "catalogue.json not JSON",
    reason: /policy bundle incomplete/,
    setup: (s) => {
      const dir = editedBundle(join(s, "bundle"), (w) => w, false);
      writeFileSync(join(dir, "catalogue.json"), "[{");
      return { env: { VENDORGATE_BUNDLE_DIR: dir } };
    },
  },
  {
    id: "trap",
    title: "custom rule that traps (conflicting values at evaluation time)",
    reason: /policy fault while evaluating the policy: .*fault_trap\.rego:\d+:\d+: var assignment conflict/,
    setup: (s) => builtRoot(s, withCustomRule("trap")),
  },
  {
    id: "oom-burst",
    title: "custom rule that asks for 1.25 GiB at once (ceiling 1 GiB)",
    reason: /policy fault while evaluating the policy: opa_malloc: failed/,
    setup: (s) => builtRoot(s, withCustomRule("oom-burst")),
  },
  {
    id: "oom-gradual",
    title: "custom rule that fills memory 64 KiB at a time until the 1 GiB ceiling",
    reason: /policy fault while evaluating the policy: opa_malloc: failed/,
    bounds: heavy,
    // Some 40 s on the busy reference machine; plan and the pack run the same engine code.
    channels: ["check"],
    setup: (s) => builtRoot(s, withCustomRule("oom-gradual")),
  },
  {
    id: "empty-result",
    title: "entrypoint returns nothing (main.rego: report undefined)",
    reason: /policy returned a malformed result \(result: expected exactly one result\)/,
    setup: (s) => builtRoot(s, editMain('"rules": count(_rule_packages),\n}', '"rules": count(_rule_packages),\n} if {\n\tinput.no_such_key\n}')),
  },
  {
    id: "wrong-shape",
    title: "entrypoint returns a result of the wrong shape (violations a string)",
    reason: /policy returned a malformed result \(0\.result\.violations: Invalid input: expected array, received string\)/,
    setup: (s) => builtRoot(s, editMain('"violations": [violation | some violation in _enforced]', '"violations": "none"')),
  },
  {
    id: "result-without-rules",
    title: "entrypoint leaves out the count of rules it evaluated",
    reason: /policy returned a malformed result \(0\.result\.rules: Invalid input: expected number, received undefined\)/,
    setup: (s) => builtRoot(s, editMain('\t"rules": count(_rule_packages),\n', "")),
  },
  {
    id: "rule-without-violation",
    title: "custom rule in the catalogue that defines no violation set (misspelt `violations`)",
    reason: /the policy evaluated (\d+) rule packages but the bundle's catalogue lists (?!\1\b)\d+: a rule under policies\/rules or among the project's custom rules defines no `violation` set/,
    setup: (s) => builtRoot(s, withCustomRule("misspelt")),
  },
  {
    id: "registry-invalid",
    title: "registry fails validation (a status misspelt)",
    reason: /vendors\.yaml:\d+:\d+ vendors\.\w+\.status: expected one of approved/,
    setup: (s) => ({ env: {}, registry: editedCopy(REGISTRY, join(s, "vendors.yaml"), "status: approved", "status: aproved") }),
  },
  {
    id: "exceptions-invalid",
    title: "exceptions file fails validation (a waiver of VG006)",
    reason: /exceptions\.yaml:\d+:\d+ exceptions\[0\]\.rule: .*VG006/,
    setup: (s) => ({ env: {}, exceptions: editedCopy(EXCEPTIONS, join(s, "exceptions.yaml"), /rule: VG\d{3}/, "rule: VG006") }),
  },
  {
    id: "registry-directory",
    title: "registry path is a directory",
    reason: /registry\.yaml:1:1 cannot read: is a directory/,
    setup: (s) => {
      mkdirSync(join(s, "registry.yaml"));
      return { env: {}, registry: join(s, "registry.yaml") };
    },
  },
  {
    id: "exceptions-dangling-symlink",
    title: "exceptions path is a symlink to nothing",
    reason: /exceptions\.yaml:1:1 cannot read: file not found/,
    setup: (s) => {
      symlinkSync(join(s, "gone.yaml"), join(s, "exceptions.yaml"));
      return { env: {}, exceptions: join(s, "exceptions.yaml") };
    },
  },
  {
    id: "registry-fifo",
    title: "registry path is a named pipe nobody writes to",
    reason: /registry\.yaml:1:1 cannot read: a named pipe \(FIFO\) that no process writes to/,
    setup: (s) => ({ env: {}, registry: mkfifo(join(s, "registry.yaml")) }),
  },
  {
    id: "registry-50mb",
    title: "50 MB registry",
    reason: /vendors\.yaml:1:1 file is 5\d{7} bytes, over the limit of 10485760 bytes \(10 MB\)/,
    setup: (s) => {
      writeFileSync(join(s, "vendors.yaml"), padded(readFileSync(REGISTRY, "utf8"), 50 * 1024 * 1024));
      return { env: {}, registry: join(s, "vendors.yaml") };
    },
  },
  {
    id: "registry-deep",
    title: "registry nested 10 000 levels deep",
    reason: /vendors\.yaml:\d+:\d+ nested or indented too deeply to parse safely \(limit 64 levels\)/,
    setup: (s) => {
      writeFileSync(join(s, "vendors.yaml"), deepFlow("apiVersion: vendorgate/v1\n", "prohibitedCategories"));
      return { env: {}, registry: join(s, "vendors.yaml") };
    },
  },
];

export const forChannel = (channel: Channel) => policyFaults.filter((c) => !c.channels || c.channels.includes(channel));

// ---------------------------------------------------------------------------------------------
// The drill project: test/fixtures/faults/program.ts with a stack config per case

export const DRILL_PROJECT = "vg-faults";

/** A Pulumi project in `dir` running the drill program; each stack's config picks what it declares. */
export function drillProject(dir: string): ProjectInfo {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${DRILL_PROJECT}\nruntime: nodejs\nmain: index.ts\n`);
  // The program runs on the project's own @pulumi/pulumi, as a user's does.
  if (!existsSync(join(dir, "node_modules"))) symlinkSync(join(packageRoot, "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "index.ts"), `export { default } from ${JSON.stringify(join(FIXTURES, "program.ts"))};\n`);
  return { root: dir, name: DRILL_PROJECT, main: join(dir, "index.ts"), stackConfigDir: dir };
}

/** Writes Pulumi.<stack>.yaml with the program's settings (`vg-faults:<key>`). */
export function drillStack(project: ProjectInfo, stack: string, settings: Record<string, string | number> = {}): string {
  const lines = ["config:", ...Object.entries({ mode: "clean", ...settings }).map(([k, v]) => `  ${DRILL_PROJECT}:${k}: ${JSON.stringify(v)}`)];
  writeFileSync(join(project.stackConfigDir, `Pulumi.${stack}.yaml`), lines.join("\n") + "\n");
  return stack;
}

/** The CLI arguments of a policy run with `setup`'s inputs (the example's registry and waivers unless it names others). */
export function policyArgs(setup: FaultSetup): string[] {
  return ["--registry", setup.registry ?? REGISTRY, "--exceptions", setup.exceptions ?? EXCEPTIONS, "--now", NOW];
}
