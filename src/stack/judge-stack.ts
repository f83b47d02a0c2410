import { judge } from "../engine/judge.ts";
import type { DeclaredIntegration, DeclaredStack, EgressResource } from "../engine/normalize.ts";
import type { Report } from "../engine/violation.ts";
import type { PolicyContext } from "../policy/context.ts";
import { checkDeclaration, INTEGRATION_TYPE } from "../model/declaration.ts";
import { inputLimits } from "../model/index.ts";
import { summarize } from "../engine/summarize.ts";
import { egressOf, readContext } from "./egress.ts";
import { UnknownValue, type StackResource } from "./resource.ts";
import { UnreadableDocument } from "./egress-catalogue.ts";

/*
 * Judges the resources of a Pulumi stack: the policy pack (real engine) and `plan` (mocks) both
 * reduce what they see to StackResource and call this, so they cannot disagree.
 */

/** Something that makes a resource impossible to judge; always blocks, like a violation. */
export interface Problem {
  urn: string;
  message: string;
}

export interface StackVerdict {
  report: Report;
  problems: Problem[];
  /** Integration name -> URN, so each violation is reported on the resource that caused it. */
  urns: Map<string, string>;
  declarations: DeclaredIntegration[];
}

/** A declaration value nested deeper than inputLimits.maxDepth. */
export class TooDeep extends Error {
  readonly input: string;
  constructor(input: string) {
    super(`${input} is nested deeper than ${inputLimits.maxDepth} levels`);
    this.input = input;
  }
}

const DECLARATION_KEYS = ["name", "vendor", "purpose", "subjects", "enabled", "destination", "credentials", "fields"] as const;

/**
 * Copies a declaration out of resource properties, naming the first input whose value is still
 * unknown. CrossGuard skips a policy silently when it meets an unknown; a gate must not.
 */
export function readDeclaration(props: Record<string, unknown>, isUnknown: (v: unknown) => boolean = () => false): Record<string, unknown> {
  const copy = (value: unknown, path: string, depth = 1): unknown => {
    let v: unknown;
    try {
      v = value;
      if (isUnknown(v)) throw new UnknownValue(path);
      // A declaration is a few levels deep; a deeper value would only overflow the stack here,
      // and that error would pass for an unknown value.
      if (depth > inputLimits.maxDepth && v !== null && typeof v === "object") throw new TooDeep(path);
      if (Array.isArray(v)) return v.map((x, i) => copy(x, `${path}[${i}]`, depth + 1));
      if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const k of Object.keys(v)) out[k] = copy(read(v as Record<string, unknown>, k, `${path}.${k}`), `${path}.${k}`, depth + 1);
        return out;
      }
      return v;
    } catch (err) {
      if (err instanceof UnknownValue || err instanceof TooDeep) throw err;
      throw new UnknownValue(path);
    }
  };
  const read = (obj: Record<string, unknown>, key: string, path: string): unknown => {
    try {
      return obj[key];
    } catch {
      throw new UnknownValue(path);
    }
  };
  const out: Record<string, unknown> = {};
  for (const key of DECLARATION_KEYS) {
    const v = copy(read(props, key, key), key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The Integration among a resource's ancestors, or null when none owns it (VG010). */
export function integrationOwner(r: StackResource, byUrn: ReadonlyMap<string, StackResource>): string | null {
  const seen = new Set<string>();
  for (let p = r.parent; p && !seen.has(p); p = byUrn.get(p)?.parent) {
    seen.add(p);
    const parent = byUrn.get(p);
    if (parent?.type === INTEGRATION_TYPE) return parent.name;
  }
  return null;
}

export interface StackJudgeOptions {
  stack: DeclaredStack;
  /** The stack's own AWS accounts: a destination in any other one is egress. */
  ownAccounts?: readonly string[] | undefined;
  isUnknown?: (v: unknown) => boolean;
}

/**
 * The egress resources of a stack, each with its owner. A resource the catalogue cannot read is
 * listed under `unreadable` with the input that could not be read.
 */
export function listEgress(resources: readonly StackResource[], ownAccounts: readonly string[] = []): { egress: EgressResource[]; unreadable: { resource: StackResource; why: string }[] } {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const ctx = readContext({ ownAccounts, resources });
  const egress: EgressResource[] = [];
  const unreadable: { resource: StackResource; why: string }[] = [];
  for (const r of resources) {
    if (r.type === INTEGRATION_TYPE) continue;
    let found;
    try {
      found = egressOf(r, ctx);
    } catch (err) {
      if (err instanceof UnknownValue) unreadable.push({ resource: r, why: `input ${err.input} is not known until the deploy runs` });
      else if (err instanceof UnreadableDocument) unreadable.push({ resource: r, why: `input ${err.what} cannot be read, so where it sends cannot be shown` });
      else throw err;
      continue;
    }
    if (found) egress.push({ urn: r.urn, type: r.type, name: r.name, integration: integrationOwner(r, byUrn), ...found });
  }
  return { egress, unreadable };
}

export function judgeStack(ctx: PolicyContext, resources: readonly StackResource[], opts: StackJudgeOptions): StackVerdict {
  const problems: Problem[] = [];
  const declarations: DeclaredIntegration[] = [];
  const urns = new Map<string, string>();

  // A stack past the limits is blocked as a whole, and nothing in it is judged (see inputLimits).
  const { maxIntegrations, maxFileBytes } = inputLimits;
  const unjudged = (problem: Problem): StackVerdict => ({ report: { violations: [], summary: summarize([]) }, problems: [problem], urns, declarations: [] });
  const over = resources.filter((r) => r.type === INTEGRATION_TYPE)[maxIntegrations];
  if (over) {
    const count = resources.filter((r) => r.type === INTEGRATION_TYPE).length;
    return unjudged({ urn: over.urn, message: `the stack declares ${count} integrations, over the limit of ${maxIntegrations} that vendorgate judges in one stack; split the flows across stacks` });
  }
  let declaredBytes = 0;

  // Names identify flows in every report, exception and owner lookup: two Integrations with one
  // name (under different parents, so with different URNs) would let one's egress be credited to
  // the other, a disabled one's to an enabled one. The stack is refused as a manifest would be.
  const seenNames = new Map<string, string>();
  for (const r of resources) {
    if (r.type !== INTEGRATION_TYPE) continue;
    const first = seenNames.get(r.name);
    if (first === undefined) seenNames.set(r.name, r.urn);
    else problems.push({ urn: r.urn, message: `integration name ${r.name} is declared twice (also ${first}); names must be unique within a stack` });
  }
  if (problems.length > 0) return { report: { violations: [], summary: summarize([]) }, problems, urns, declarations: [] };

  for (const r of resources) {
    if (r.type === INTEGRATION_TYPE) {
      urns.set(r.name, r.urn);
      let raw: Record<string, unknown>;
      try {
        raw = readDeclaration(r.props, opts.isUnknown);
      } catch (err) {
        if (err instanceof TooDeep) {
          problems.push({ urn: r.urn, message: `integration ${r.name} is not a valid declaration: ${err.input.slice(0, 80)}…: nested deeper than ${inputLimits.maxDepth} levels` });
          continue;
        }
        if (!(err instanceof UnknownValue)) throw err;
        problems.push({ urn: r.urn, message: `cannot judge integration ${r.name}: input ${err.input} is not known until the deploy runs; declare it with a value known at preview time` });
        continue;
      }
      declaredBytes += Buffer.byteLength(JSON.stringify(raw));
      if (declaredBytes > maxFileBytes) {
        return unjudged({ urn: r.urn, message: `the stack's declarations pass ${maxFileBytes} bytes at integration ${r.name}, over the limit vendorgate judges in one stack (as for a manifest file)` });
      }
      const checked = checkDeclaration(raw, ctx.taxonomy);
      if (!checked.ok) {
        problems.push({ urn: r.urn, message: `integration ${r.name} is not a valid declaration: ${checked.issues.join("; ")}` });
        continue;
      }
      declarations.push(checked.value);
    }
  }
  const listed = listEgress(resources, opts.ownAccounts);
  const { unreadable } = listed;
  // A name that is not well-formed text cannot be judged or reported: the resource is blocked.
  const egress = listed.egress.filter((e) => {
    if (e.name.isWellFormed() && e.urn.isWellFormed()) return true;
    problems.push({ urn: e.urn.toWellFormed(), message: `cannot judge ${e.type} ${e.name.toWellFormed()}: its name holds a lone UTF-16 surrogate, which is not text` });
    return false;
  });
  for (const { resource: r, why } of unreadable) {
    problems.push({ urn: r.urn, message: `cannot judge ${r.type} ${r.name}: ${why}` });
  }

  const report = judge(ctx.engine, {
    now: ctx.now,
    stack: opts.stack,
    integrations: declarations,
    resources: egress,
    exceptions: ctx.exceptions,
    enforcement: ctx.enforcement,
  });
  return { report, problems, urns, declarations };
}
