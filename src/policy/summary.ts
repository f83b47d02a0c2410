import type { EnforcementLevel, RuleInfo } from "../engine/violation.ts";
import { locate, renderPath, type SourceDocument } from "../model/index.ts";
import { type EnforcementOverride, type EnforcementSource, type EnforcementSourceKind, resolveEnforcement, type ResolvedEnforcement } from "./enforcement.ts";

/*
 * What policy judged: every report carries this, so a reader (and `diff`) can tell a verdict that
 * changed because the flows changed from one that changed because the policy did.
 */

export interface PolicyInputRef {
  /** The file (or bundle member) as messages name it. */
  source: string;
  /** `sha256:<hex>` of its bytes. */
  digest: string;
}

/** An enforcement entry that changed a level, with its source: what resolveEnforcement reports. */
export type PolicyOverride = EnforcementOverride;

export interface PolicySummary {
  /** The compiled policy (policy.wasm), and the signed organisation bundle when one was used. */
  bundle: { wasm: string; signed?: { source: string; digest: string; keyId?: string } };
  registry: PolicyInputRef;
  exceptions?: PolicyInputRef;
  enforcement: PolicyOverride[];
  /** Rules switched off, sorted. */
  disabled: string[];
}


/**
 * An enforcement source in a YAML/JSON file already loaded: `levels` sit at `at` (e.g. ["policy",
 * "enforcement"]) and every entry is located by its key, for errors at the line that tried.
 */
export function fileEnforcementSource(
  kind: EnforcementSourceKind,
  file: string,
  at: readonly (string | number)[],
  levels: Readonly<Record<string, EnforcementLevel>> | undefined,
  mayLoosen: boolean,
  src: SourceDocument,
): EnforcementSource | undefined {
  if (!levels || Object.keys(levels).length === 0) return undefined;
  return {
    kind,
    file,
    levels,
    mayLoosen,
    at: (rule) => ({ ...locate(src, [...at, rule], "key"), path: renderPath([...at, rule]) }),
  };
}

/** Levels with no file behind them (the pack's config, written by vendorgate itself). */
export function plainEnforcementSource(kind: EnforcementSourceKind, file: string, levels: Readonly<Record<string, EnforcementLevel>>): EnforcementSource {
  return { kind, file, levels, mayLoosen: true, at: (rule) => ({ file, line: 1, column: 1, path: `enforcement.${rule}` }) };
}

export interface ResolvedPolicy {
  resolved: ResolvedEnforcement;
  summary: PolicySummary;
  sources: readonly EnforcementSource[];
}

/** Resolves enforcement over `sources` and describes the policy in force. */
export function describePolicy(
  catalogue: readonly RuleInfo[],
  sources: readonly (EnforcementSource | undefined)[],
  refs: Omit<PolicySummary, "enforcement" | "disabled">,
): ResolvedPolicy {
  const present = sources.filter((s): s is EnforcementSource => s !== undefined);
  const resolved = resolveEnforcement(catalogue, present);
  return {
    resolved,
    sources: present,
    summary: {
      ...refs,
      enforcement: resolved.overrides.map((o) => ({ rule: o.rule, level: o.level, was: o.was, source: o.source, file: o.file, line: o.line })),
      disabled: resolved.disabled,
    },
  };
}

/** The policy again with one more source (a stack's own config) applied last. */
export function withSource(catalogue: readonly RuleInfo[], policy: ResolvedPolicy, extra: EnforcementSource | undefined): ResolvedPolicy {
  if (!extra) return policy;
  const { enforcement: _e, disabled: _d, ...refs } = policy.summary;
  return describePolicy(catalogue, [...policy.sources, extra], refs);
}
