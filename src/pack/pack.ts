import { createRequire } from "node:module";
import * as z from "zod";
import { PolicyPack, type PolicyConfigSchema, type PolicyResource, type ReportViolation, type StackValidationPolicy as StackPolicy, type StackValidationArgs } from "@pulumi/policy";
import { loadPolicyContext, type PolicyContext } from "../policy/context.ts";
import { readBundle } from "../engine/bundle.ts";
import { renderPath } from "../model/index.ts";
import { sortViolations } from "../engine/summarize.ts";
import { findProject } from "../project/index.ts";
import { projectBundlePaths } from "../policy/compiled-bundle.ts";
import { loadProjectBundle } from "../policy/project-bundle.ts";
import type { RuleInfo, Violation } from "../engine/violation.ts";
import { GATE_POLICY, type GateConfig, gateConfigSchema } from "./config.ts";
import { judgeStack, type StackVerdict } from "../stack/judge-stack.ts";
import type { StackResource } from "../stack/resource.ts";
import { stackResidency } from "../policy/stack.ts";

/*
 * The policy pack: thin on purpose. It turns the engine's resources into StackResources, asks
 * judgeStack (the same code `plan` runs) for one verdict per stack, and reports each violation
 * under the policy of its rule, on the resource that caused it.
 */

export const PACK_NAME = "vendorgate";
/** The gate's config as Pulumi validates it: the JSON Schema of gateConfigSchema's properties. */
const gateConfigJsonSchema = { properties: z.toJSONSchema(gateConfigSchema).properties } as PolicyConfigSchema;

/** The gate's config as handed over, checked against its schema like any other input. */
function gateConfig(args: StackValidationArgs): GateConfig {
  const parsed = gateConfigSchema.safeParse(args.getConfig<object>() ?? {});
  if (parsed.success) return parsed.data;
  throw new Error(`the ${GATE_POLICY} policy config is not valid: ${parsed.error.issues.map((i) => `${renderPath(i.path)}: ${i.message}`).join("; ")}`);
}

function stackNameOf(resources: readonly PolicyResource[]): string {
  // urn:pulumi:<stack>::<project>::<type>::<name>
  const urn = resources[0]?.urn ?? "";
  return urn.split("::")[0]?.split(":").at(-1) ?? "unknown";
}

function toStackResource(r: PolicyResource): StackResource {
  return { urn: r.urn, type: r.type, name: r.name, parent: r.parent?.urn, props: r.props as Record<string, unknown> };
}

const isUnknownError = (err: unknown) => (err as Error)?.constructor?.name === "UnknownValueError";

/**
 * One verdict per preview: the gate policy runs first and computes it, the rule policies read it.
 * Keyed by the resources' URNs and the declarations they carry, so a second preview in the same
 * process never sees the first one's verdict.
 */
let last: { key: string; verdict: StackVerdict } | undefined;
/** Rule ids that have a policy in this pack; the gate reports any other rule's violations itself. */
const covered = new Set<string>();

async function verdictFor(args: StackValidationArgs, gate: GateConfig): Promise<StackVerdict> {
  const resources = args.resources.map(toStackResource);
  // The pack runs in its own folder, not the project's: it cannot find vendorgate.yaml by looking
  // around, so it is told (pack config, or the environment) and fails closed when it is not.
  const configFile = gate.configFile ?? process.env.VENDORGATE_CONFIG_FILE;
  if (configFile === undefined && gate.registry === undefined) {
    throw new Error(
      "no vendorgate.yaml given to the policy pack: set VENDORGATE_CONFIG_FILE to the project's vendorgate.yaml " +
        `(or the pack config ${GATE_POLICY}.configFile); \`vendorgate preview\` does this for you`,
    );
  }
  const ctx: PolicyContext = await loadPolicyContext({
    ...(configFile ? { configFile } : {}),
    ...(gate.registry ? { registry: gate.registry } : {}),
    ...(gate.exceptions ? { exceptions: gate.exceptions } : {}),
    ...(gate.now ? { now: gate.now } : {}),
    ...(gate.enforcement ? { enforcement: gate.enforcement } : {}),
  });
  // A pack started without the project (no VENDORGATE_CONFIG_FILE when it started) has no policy
  // for the project's custom rules: their advisory findings would vanish. Say so and block.
  const missing = covered.size === 0 ? [] : ctx.engine.catalogue.filter((r) => !covered.has(r.id)).map((r) => r.id);
  if (missing.length) {
    throw new Error(
      `the policy pack started without this project's custom rules (${missing.join(", ")}), so it cannot report them: ` +
        "set VENDORGATE_CONFIG_FILE to the project's vendorgate.yaml in the environment pulumi runs in (the pack reads it when it starts)",
    );
  }
  const stack = stackNameOf(args.resources);
  // Started by `vendorgate preview` the config carries the residency; started by pulumi with only
  // vendorgate.yaml, the stack's residency there still applies.
  const residency = gate.residency ?? stackResidency(ctx.project, stack);
  return judgeStack(ctx, resources, {
    stack: { name: stack, ...(residency ? { residency } : {}) },
    ownAccounts: gate.accounts ?? [],
  });
}

function cacheKey(args: StackValidationArgs): string {
  return args.resources.map((r) => r.urn).join("\n");
}

function reportViolation(report: ReportViolation, v: Violation, verdict: StackVerdict): void {
  const where = v.field ? ` (field ${v.field})` : "";
  const urn = v.resource ?? verdict.urns.get(v.integration);
  report(`${v.rule} ${v.integration}${where}: ${v.message}\nRemediation: ${v.remediation}`, urn);
}

/**
 * A rule's policy reports the rule's violations at the severity the policy decided (overrides
 * included); where the rule has an advisory companion, the companion takes the advisory ones.
 * Pulumi then applies the policy's own enforcement level, which pack config may also override.
 */
function rulePolicy(rule: RuleInfo, level: "mandatory" | "advisory", name: string, takes: (v: Violation) => boolean): StackPolicy {
  return {
    name,
    description: level === rule.severity ? rule.title : `${rule.title} (advisory cases)`,
    enforcementLevel: level,
    remediationSteps: rule.remediation,
    configSchema: { properties: {} },
    validateStack: (args, report) => {
      const verdict = last?.key === cacheKey(args) ? last.verdict : undefined;
      // Without the gate's verdict (the gate policy was disabled) nothing was judged: say so.
      if (!verdict) {
        report(`${rule.id}: no verdict: the ${GATE_POLICY} policy must stay enabled for vendorgate to judge this stack`);
        return;
      }
      for (const v of verdict.report.violations) {
        if (v.rule === rule.id && !v.waivedBy && takes(v)) reportViolation(report, v, verdict);
      }
    },
  };
}

export function gatePolicy(): StackPolicy {
  return {
    name: GATE_POLICY,
    description: "vendorgate could load its policy and judge every declared data flow",
    enforcementLevel: "mandatory",
    configSchema: gateConfigJsonSchema,
    validateStack: async (args, report) => {
      last = undefined;
      try {
        // The pack is an edge: its reports go out in the documented order, whatever the engine's.
        const judged = await verdictFor(args, gateConfig(args));
        const verdict = { ...judged, report: { ...judged.report, violations: sortViolations(judged.report.violations) } };
        last = { key: cacheKey(args), verdict };
        for (const p of verdict.problems) report(p.message, p.urn);
        // A rule the pack has no policy for (a catalogue out of step with the wasm) still blocks.
        for (const v of verdict.report.violations) {
          if (v.severity === "mandatory" && !v.waivedBy && !covered.has(v.rule)) reportViolation(report, v, verdict);
        }
      } catch (err) {
        const why = isUnknownError(err) ? "a value is unknown until the deploy runs" : (err as Error).message;
        report(`vendorgate could not judge this stack, so it is blocked (fail closed): ${why}`);
      }
    },
  };
}

/**
 * Rule policies from the catalogue; a rule that can also report advisory cases gets a companion.
 * The catalogue is the bundle that judges the project VENDORGATE_CONFIG_FILE names (its own when
 * it has custom rules, so each custom rule gets a policy), else the shipped one.
 */
export async function packPolicies(): Promise<StackPolicy[]> {
  let catalogue: RuleInfo[];
  // What this pack covers, not what an earlier pack in the same process did.
  covered.clear();
  try {
    const configFile = process.env.VENDORGATE_CONFIG_FILE;
    const project = configFile === undefined ? undefined : await findProject({ configFile });
    const signed = project === undefined ? undefined : await loadProjectBundle(project);
    catalogue = readBundle(projectBundlePaths(project, signed)).catalogue;
  } catch {
    // The gate policy reports the same fault when it tries to load the engine.
    return [gatePolicy()];
  }
  const policies = [gatePolicy()];
  for (const rule of catalogue) {
    const companion = rule.severity === "mandatory" && rule.advisoryCases === true;
    policies.push(rulePolicy(rule, rule.severity, rule.name, (v) => !companion || v.severity === "mandatory"));
    covered.add(rule.id);
    if (companion) policies.push(rulePolicy(rule, "advisory", `${rule.name}-advisory`, (v) => v.severity === "advisory"));
  }
  return policies;
}

type Deserialize = (properties: object, proxySecrets: boolean) => unknown;
const shared = Symbol.for("vendorgate.sharedDeserialisation");

/**
 * @pulumi/policy's analyzeStack deserialises every resource's properties once for each stack
 * policy, before calling it: with one policy per rule, that is the pack's largest cost on a large
 * stack (each rule policy reads only the gate's verdict, never the resources it was given). The
 * request's property structs are the same objects for every policy of one analyzeStack call, so
 * one deserialisation per struct serves them all; the SDK still wraps each in its own
 * unknown-checking proxy. Keyed weakly by the struct, so nothing outlives the request. Only this
 * pack's policies run in this process (the SDK serves one pack per process), and none of them
 * writes to what it reads. Where the SDK no longer has this function the pack runs unchanged.
 */
export function shareDeserialisation(): boolean {
  let mod: Record<string | symbol, unknown>;
  try {
    mod = createRequire(import.meta.url)("@pulumi/policy/deserialize.js") as Record<string | symbol, unknown>;
  } catch {
    return false;
  }
  const original = mod.deserializeProperties;
  if (typeof original !== "function") return false;
  if (mod[shared]) return true;
  const memo = new WeakMap<object, unknown>();
  const once: Deserialize = (properties, proxySecrets) => {
    if (proxySecrets || typeof properties !== "object" || properties === null) return (original as Deserialize)(properties, proxySecrets);
    if (memo.has(properties)) return memo.get(properties);
    const value = (original as Deserialize)(properties, proxySecrets);
    memo.set(properties, value);
    return value;
  };
  mod.deserializeProperties = once;
  mod[shared] = true;
  return true;
}

export async function startPack(): Promise<PolicyPack> {
  shareDeserialisation();
  return new PolicyPack(PACK_NAME, { policies: await packPolicies() });
}
