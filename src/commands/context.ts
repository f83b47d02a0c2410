import { existsSync } from "node:fs";
import { Option, type Command } from "commander";
import { Engine } from "../engine/engine.ts";
import { isoDate, normalizeRegistry } from "../engine/normalize.ts";
import type { EnforcementLevel } from "../engine/violation.ts";
import { loadConfig, loadExceptions, loadRegistry } from "../model/index.ts";
import type { Exception, Registry, Taxonomy } from "../model/index.ts";
import { formatNames, type FormatName } from "../report/index.ts";

export const DEFAULT_REGISTRY = "policies/data/vendors.yaml";
export const DEFAULT_EXCEPTIONS = "policies/data/exceptions.yaml";

/** Options every judging command shares, so `check`, `plan` and `preview` read the same policy inputs. */
export interface PolicyOptions {
  registry: string;
  exceptions?: string;
  config?: string;
  now?: string;
  /** Overrides on top of the config file's (the policy pack passes the stack's here). */
  enforcement?: Record<string, EnforcementLevel>;
}

export function addPolicyOptions(cmd: Command): Command {
  return cmd
    .option("--registry <file>", "vendor registry (YAML or JSON)", DEFAULT_REGISTRY)
    .option("--exceptions <file>", `time-boxed waivers (default: ${DEFAULT_EXCEPTIONS} when it exists)`)
    .option("--config <file>", "enforcement overrides, e.g. {enforcement: {VG009: advisory}}")
    .option("--now <date>", "evaluation date, ISO 8601 (default: today)");
}

export function addFormatOption(cmd: Command, formats: readonly string[] = formatNames): Command {
  return cmd.addOption(new Option("--format <format>", "output format").choices([...formats]).default("text"));
}

export interface PolicyContext {
  engine: Engine;
  registry: Registry;
  taxonomy: Taxonomy;
  exceptions: Exception[];
  enforcement: Record<string, EnforcementLevel>;
  now: string;
  registryFile: string;
}

import { UsageError } from "./usage-error.ts";

export { UsageError };

export function parseNow(value: string | undefined): string {
  if (value === undefined) return isoDate(new Date());
  const shape = /^(\d{4})-(\d{2})-(\d{2})([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!shape) throw new UsageError(`--now: expected an ISO 8601 date such as 2026-11-29, got "${value}"`);
  const date = isoDate(new Date(Date.UTC(Number(shape[1]), Number(shape[2]) - 1, Number(shape[3]))));
  // Date.UTC rolls 2026-02-30 over into March; a date that does not round-trip does not exist.
  if (date !== `${shape[1]}-${shape[2]}-${shape[3]}`) throw new UsageError(`--now: "${value}" is not a real date`);
  return date;
}

/** Loads registry, engine, exceptions and overrides: everything a verdict needs besides the flows. */
export async function loadPolicyContext(opts: PolicyOptions): Promise<PolicyContext> {
  const now = parseNow(opts.now);
  const { registry, taxonomy } = await loadRegistry(opts.registry);
  const engine = await Engine.load();
  const knownRules = engine.catalogue.map((r) => r.id);
  const exceptionsFile = opts.exceptions ?? (existsSync(DEFAULT_EXCEPTIONS) ? DEFAULT_EXCEPTIONS : undefined);
  const exceptions = exceptionsFile ? (await loadExceptions(exceptionsFile, knownRules)).exceptions : [];
  const enforcement = {
    ...(opts.config ? ((await loadConfig(opts.config, knownRules)).config.enforcement ?? {}) : {}),
    ...opts.enforcement,
  };
  const unknown = Object.keys(enforcement).filter((id) => !knownRules.includes(id));
  if (unknown.length) throw new UsageError(`enforcement override for unknown rule ${unknown.join(", ")} (known: ${knownRules.join(", ")})`);
  engine.setRegistry(normalizeRegistry(registry));
  return { engine, registry, taxonomy, exceptions, enforcement, now, registryFile: opts.registry };
}

export type { FormatName };
