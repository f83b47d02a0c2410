import * as opaWasm from "@open-policy-agent/opa-wasm";
import { z } from "zod";
import { dataCategories, dataSubjects, dataUses } from "../model/taxonomy.ts";
import { bundlePaths, readBundle, type BundlePaths } from "./bundle.ts";
import { PolicyFault } from "./errors.ts";
import type { WasmInput, WasmRegistry } from "./normalize.ts";
import { type RuleInfo, type Violation, violationSchema } from "./violation.ts";

/**
 * WebAssembly pages of 64 KiB. The ceiling bounds what a runaway custom rule can take: it traps
 * (and the deploy is blocked) instead of exhausting the host. 16384 pages = 1 GiB.
 */
export const MEMORY_PAGES = { initial: 32, maximum: 16384 } as const;

/**
 * Bytes of WebAssembly memory to give an evaluation per byte of input JSON: about 22 were used on
 * the benchmark's generated manifests, about 75 when every field is a violation (the test's worst
 * case). Pages never touched cost address space, not resident memory. OPA's allocator grows memory a few pages
 * at a time and V8 runs a full garbage collection on each growth: hundreds of them for a large input
 * (12.5 s against 0.87 s warm at N = 10,000). Growing the memory from outside does not help, since
 * OPA's allocator only sees memory it grew itself; so a large input gets an instance whose initial
 * memory is already sized for it.
 */
const MEMORY_PER_INPUT_BYTE = 80;
const PAGE_BYTES = 65536;

/** The initial pages an instance needs to evaluate `inputBytes` of JSON without growing. */
export function pagesFor(inputBytes: number): number {
  return Math.min(MEMORY_PAGES.maximum, Math.max(MEMORY_PAGES.initial, Math.ceil((inputBytes * MEMORY_PER_INPUT_BYTE) / PAGE_BYTES)));
}

// The entrypoint always defines `report`; an empty result set means the bundle is not ours.
// `rules` counts the rule packages that were evaluated, to hold against the catalogue.
const resultSchema = z
  .array(z.object({ result: z.object({ violations: z.array(violationSchema), rules: z.number().int() }) }))
  .length(1, "expected exactly one result");

export interface EngineOptions {
  paths?: BundlePaths;
  /** Rebuild a stale bundle from the .rego sources (needs opa). Default false: stale is a fault. */
  rebuild?: boolean;
}

type Policy = ReturnType<typeof opaWasm.loadPolicySync>;
// The ES module entry exports only loadPolicy by name; loadPolicySync (which its types declare as a
// named export) is on the default export.
const { loadPolicySync } = (opaWasm as unknown as { default: typeof opaWasm }).default;

/** The part of the WebAssembly global used here (the project's type libraries do not declare it). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  Module: { exports(module: object): { name: string }[] };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** What opa-wasm needs from a module built by `opa build -t wasm`. */
const opaExports = ["opa_wasm_abi_version", "opa_wasm_abi_minor_version", "builtins", "entrypoints", "opa_eval", "opa_malloc", "opa_json_parse", "opa_json_dump"];

/** A taxonomy key and every key that covers it, root first: "a.b.c" gives ["a", "a.b", "a.b.c"]. */
export function lineage(key: string): string[] {
  const parts = key.split(".");
  return parts.map((_, i) => parts.slice(0, i + 1).join("."));
}

/**
 * The data document: the registry, and the lineage of every taxonomy key the policy is likely to
 * meet (fideslang's, plus those the registry names), so that Rego's taxonomy.covers is a lookup
 * rather than string building for every field. A key missing here is computed in Rego instead.
 */
export function policyData(registry: WasmRegistry): { registry: WasmRegistry; taxonomy: { lineage: Record<string, string[]> } } {
  const keys = new Set<string>([...dataCategories, ...dataUses, ...dataSubjects, ...registry.prohibitedCategories]);
  for (const vendor of Object.values(registry.vendors) as { approvals?: { purpose: string; subjects?: string[]; categories: string[]; requireTransform?: Record<string, unknown> }[] }[]) {
    for (const a of vendor.approvals ?? []) {
      for (const k of [a.purpose, ...(a.subjects ?? []), ...a.categories, ...Object.keys(a.requireTransform ?? {})]) keys.add(k);
    }
  }
  const index: Record<string, string[]> = {};
  for (const k of [...keys].sort()) index[k] = lineage(k);
  return { registry, taxonomy: { lineage: index } };
}

/** The compiled policy, loaded once; data (the registry) set once, one evaluate per manifest. */
export class Engine {
  readonly catalogue: readonly RuleInfo[];
  readonly wasmDigest: string;
  private policy: Policy;
  private readonly module: object;
  private data: ReturnType<typeof policyData> | undefined;
  private broken: string | undefined;

  private constructor(policy: Policy, module: object, catalogue: RuleInfo[], wasmDigest: string) {
    this.policy = policy;
    this.module = module;
    this.catalogue = catalogue;
    this.wasmDigest = wasmDigest;
  }

  static async load(opts: EngineOptions = {}): Promise<Engine> {
    const bundle = readBundle(opts.paths ?? bundlePaths(), opts.rebuild === undefined ? {} : { rebuild: opts.rebuild });
    const notLoaded = (why: string, cause?: unknown) => new PolicyFault(`policy bundle does not load as WebAssembly: ${why}`, { cause });
    let module: object;
    try {
      module = await wasmApi.compile(bundle.wasm);
    } catch (err) {
      throw notLoaded(err instanceof Error ? err.message : String(err), err);
    }
    // A module without OPA's exports would otherwise fail inside opa-wasm with a riddle (and a
    // stray line on stderr); say what it is instead.
    const exported = new Set(wasmApi.Module.exports(module).map((e) => e.name));
    const missing = opaExports.filter((name) => !exported.has(name));
    if (missing.length) throw notLoaded(`it is not an OPA policy module (no export ${missing.join(", ")})`);
    let policy: Policy;
    try {
      // The sync loader: the async one tests `instanceof Response`, and that first touch of the
      // global loads Node's whole fetch implementation (~60 ms of every cold start).
      policy = instantiate(module, MEMORY_PAGES.initial);
    } catch (err) {
      throw notLoaded(err instanceof Error ? err.message : String(err), err);
    }
    return new Engine(policy, module, bundle.catalogue, bundle.manifest.wasmDigest);
  }

  /** Pages of WebAssembly memory the current instance holds (grown by OPA, or sized for the input). */
  get memoryPages(): number {
    return this.policy.mem.buffer.byteLength / PAGE_BYTES;
  }

  setRegistry(registry: WasmRegistry): void {
    this.data = policyData(registry);
    const data = this.data;
    this.guard(() => this.policy.setData(data), "setting the registry");
  }

  /** Raw violations of one evaluation (waivers and overrides applied in Rego), unsorted. */
  evaluate(input: WasmInput): Violation[] {
    return this.evaluateJson(JSON.stringify(input));
  }

  /** The same for an input already serialised (JSON.stringify of a WasmInput). */
  evaluateJson(json: string): Violation[] {
    return this.evaluateBytes(new TextEncoder().encode(json));
  }

  private evaluateBytes(text: Uint8Array): Violation[] {
    const pages = pagesFor(text.byteLength);
    if (pages > this.policy.mem.buffer.byteLength / PAGE_BYTES) {
      const data = this.data;
      this.policy = this.guard(() => {
        const sized = instantiate(this.module, pages);
        if (data) sized.setData(data);
        return sized;
      }, "sizing the policy's memory");
    }
    const raw: unknown = this.guard(() => this.policy.evaluate(text.buffer as ArrayBuffer), "evaluating the policy");
    const parsed = resultSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PolicyFault(
        `policy returned a malformed result (${issue ? `${issue.path.join(".") || "result"}: ${issue.message}` : "unknown shape"})`,
      );
    }
    const { violations, rules } = parsed.data[0]!.result;
    // A rule the catalogue lists (from its METADATA) but that defines no `violation` set (say, a
    // misspelt `violations`) would never report anything: a silent pass for everything it guards.
    if (rules !== this.catalogue.length) {
      throw new PolicyFault(
        `the policy evaluated ${rules} rule packages but the bundle's catalogue lists ${this.catalogue.length}: ` +
          "a rule under policies/rules or among the project's custom rules defines no `violation` set, or the catalogue is from another build",
      );
    }
    return violations;
  }

  private guard<T>(fn: () => T, what: string): T {
    if (this.broken) throw new PolicyFault(`policy engine unusable after an earlier fault: ${this.broken}`);
    try {
      return fn();
    } catch (err) {
      // A trap can leave the instance's memory in any state; never evaluate with it again.
      // opa-wasm throws strings (e.g. "opa_malloc: failed") as well as Errors.
      const message = err instanceof Error ? err.message : String(err);
      this.broken = `${what}: ${message}`;
      throw new PolicyFault(`policy fault while ${what}: ${message}`, { cause: err });
    }
  }
}

function instantiate(module: object, initial: number): Policy {
  return loadPolicySync(module as Parameters<typeof loadPolicySync>[0], { initial, maximum: MEMORY_PAGES.maximum });
}
