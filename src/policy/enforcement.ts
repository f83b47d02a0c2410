import type { EnforcementLevel, RuleInfo, Severity } from "../engine/violation.ts";
import { InputError, type InputIssue, type SourceLocation } from "../model/errors.ts";

/*
 * Who may set which enforcement level. Levels belong to security: the registry and the project's
 * vendorgate.yaml (security's files) may set any level; what a pull request can edit alone (a
 * stack's own Pulumi.<stack>.yaml, or vendorgate.yaml when the organisation's signed bundle is the
 * policy) may only tighten a level. VG006 is mandatory everywhere. Anything else is an input error
 * at the line that tried, never a quiet fallback.
 */

/** Where an enforcement level came from, for errors and for the `policy` object of every report. */
export type EnforcementSourceKind = "registry" | "project" | "stack" | "pack";

export interface EnforcementSource {
  kind: EnforcementSourceKind;
  /** The file as messages name it. */
  file: string;
  levels: Readonly<Record<string, EnforcementLevel>>;
  /** Where a rule's entry sits in the file, with its path (`policy.enforcement.VG006`). */
  at: (rule: string) => SourceLocation & { path: string };
  /** False: this source may only raise a level (disabled < advisory < mandatory). */
  mayLoosen: boolean;
}

export interface EnforcementOverride {
  rule: string;
  level: EnforcementLevel;
  /** The level the rule had before this override (its METADATA severity or an earlier source's). */
  was: EnforcementLevel;
  source: EnforcementSourceKind;
  file: string;
  line: number;
}

export interface ResolvedEnforcement {
  /** Rule id -> level in force for every rule a source set, for the policy input. */
  levels: Record<string, EnforcementLevel>;
  /** Every entry that changed a level, in the order applied. */
  overrides: EnforcementOverride[];
  /** Rules switched off, sorted. */
  disabled: string[];
}

/** Rules whose level nothing may change: a prohibited category must never leave. */
export const fixedRules: Readonly<Record<string, Severity>> = { VG006: "mandatory" };

const rank: Record<EnforcementLevel, number> = { disabled: 0, advisory: 1, mandatory: 2 };

const sourceLabel: Record<EnforcementSourceKind, string> = {
  registry: "the registry",
  project: "vendorgate.yaml",
  stack: "a stack's own config",
  pack: "the policy pack's config",
};

/** Applies the sources in order (registry, vendorgate.yaml, stack) over the rules' own levels. */
export function resolveEnforcement(catalogue: readonly RuleInfo[], sources: readonly EnforcementSource[]): ResolvedEnforcement {
  const defaults = new Map(catalogue.map((r) => [r.id, r.severity]));
  const current = new Map<string, EnforcementLevel>(defaults);
  const issues: InputIssue[] = [];
  const overrides: EnforcementOverride[] = [];
  const explicit = new Set<string>();
  for (const source of sources) {
    for (const [rule, level] of Object.entries(source.levels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const at = source.at(rule);
      const fail = (message: string) => issues.push({ ...at, message });
      const was = current.get(rule);
      if (was === undefined) {
        fail(`unknown rule "${rule}" (expected one of ${[...defaults.keys()].sort().join(", ")})`);
        continue;
      }
      const fixed = Object.hasOwn(fixedRules, rule) ? fixedRules[rule] : undefined;
      if (fixed !== undefined && level !== fixed) {
        fail(`${rule} is always ${fixed}: prohibited categories can never be disabled, lowered or waived`);
        continue;
      }
      if (!source.mayLoosen && rank[level] < rank[was]) {
        fail(
          `${sourceLabel[source.kind]} may only tighten enforcement: ${rule} is ${was} by security's policy, ` +
            `and ${level} would loosen it (ask security to change ${source.kind === "project" ? "the level in the signed policy bundle's registry" : "the registry or vendorgate.yaml"})`,
        );
        continue;
      }
      // Kept even when equal: VG009 mandatory also raises the rule's advisory cases.
      current.set(rule, level);
      explicit.add(rule);
      overrides.push({ rule, level, was, source: source.kind, file: at.file, line: at.line });
    }
  }
  if (issues.length) throw new InputError(issues);
  const levels: Record<string, EnforcementLevel> = {};
  for (const [rule, level] of [...current].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (explicit.has(rule)) levels[rule] = level;
  }
  const disabled = Object.keys(levels).filter((r) => levels[r] === "disabled");
  return { levels, overrides, disabled };
}
