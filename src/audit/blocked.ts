import type { Violation } from "../engine/violation.ts";
import type { Registry, VendorStatus } from "../model/index.ts";
import { isBlocking } from "../report/format.ts";
import { compareFlows, type Flow, originLabel, stackLabel } from "../sources/flows.ts";
import { printable, table, uniqueSorted } from "../text/output.ts";

/*
 * Which flows a vendor's status stops. Which of them the gate blocks is the engine's verdict
 * (VG002 as enforced, exceptions applied: an exception or an advisory level lets a flow through
 * whatever the status). The kill switch must still report what it switched off when the policy
 * cannot be loaded, so the status alone answers then, and says that it does.
 */

/** The engine's violations of each enabled flow, or why the policy could not judge them. */
export type GateVerdict = { judged: ReadonlyMap<Flow, readonly Violation[]> } | { unjudged: string };

const VENDOR_NOT_APPROVED = "VG002";

/** The enabled flows the gate blocks for the vendor's status, and those it lets through despite it. */
function splitByGate(enabled: Flow[], gate: GateVerdict): { blocked: Flow[]; through: { flow: Flow; why: string }[] } {
  if ("unjudged" in gate) return { blocked: enabled, through: [] };
  const blocked: Flow[] = [];
  const through: { flow: Flow; why: string }[] = [];
  for (const f of enabled) {
    const vg002 = (gate.judged.get(f) ?? []).filter((v) => v.rule === VENDOR_NOT_APPROVED);
    if (vg002.some(isBlocking)) blocked.push(f);
    else {
      const v = vg002[0];
      through.push({ flow: f, why: v === undefined ? "VG002 disabled" : v.waivedBy !== undefined ? `waived by ${printable(v.waivedBy)}` : `VG002 ${v.severity}` });
    }
  }
  return { blocked, through };
}

export interface VendorFlows {
  /** Enabled flows to the vendor: blocked unless the status is approved. */
  enabled: Flow[];
  /** Switched off (`enabled: false`): they send nothing either way. */
  disabled: Flow[];
}

export function flowsOf(vendor: string, flows: readonly Flow[]): VendorFlows {
  const mine = flows.filter((f) => f.integration.vendor === vendor).sort(compareFlows);
  return { enabled: mine.filter((f) => f.integration.enabled), disabled: mine.filter((f) => !f.integration.enabled) };
}

export const blocksFlows = (status: VendorStatus | string): boolean => status !== "approved";

/**
 * A status blocks the next deploy, not the pipelines already deployed: the flows in a stack's
 * deployed state keep sending until that stack's next `up` removes them.
 */
function stillSending(vendor: string, enabled: Flow[], stateRead: boolean): string[] {
  if (!stateRead) return [`Deployed state was not read (no Pulumi backend): which flows still send to ${printable(vendor)} is unknown.`];
  const deployed = enabled.filter((f) => f.origin === "state");
  if (deployed.length === 0) return [`Still sending: none (no deployed stack has an enabled flow to ${printable(vendor)}).`];
  return [
    `Still sending until their stack's next deploy: ${deployed.length} integration(s) in deployed state (the status blocks deploys, not pipelines already running)`,
    ...table(
      deployed.map((f) => [stackLabel(f), f.integration.name, printable(f.integration.destination.url), f.time ? `deployed ${f.time}` : "deployed (time unknown)"]),
      "  ",
    ),
  ];
}

export function describeStatusChange(opts: {
  vendor: string;
  registry: Registry;
  registryFile: string;
  before: string;
  written: boolean;
  flows: VendorFlows;
  sources: string;
  /** Whether a Pulumi backend was read: without it, what still sends is unknown. */
  stateRead: boolean;
  gate: GateVerdict;
}): string {
  const v = opts.registry.vendors[opts.vendor]!;
  const lines: string[] = [];
  const change = opts.before === v.status ? `status ${v.status} (unchanged)` : `${opts.before} → ${v.status}`;
  lines.push(`${opts.vendor} (${printable(v.name)}): ${change}`);
  if (v.statusReason) lines.push(`  reason: ${printable(v.statusReason)}`);
  if (v.statusChanged) lines.push(`  changed: ${v.statusChanged}${v.statusBy ? ` by ${printable(v.statusBy)}` : ""}`);
  lines.push(`  registry: ${opts.registryFile}${opts.written ? " (written)" : " (already up to date, not written)"}`, "");

  const { enabled, disabled } = opts.flows;
  const rows = (fs: Flow[]) => table(fs.map((f) => [stackLabel(f), f.integration.name, originLabel(f)]), "  ");
  if (blocksFlows(v.status)) {
    const { blocked, through } = splitByGate(enabled, opts.gate);
    const stacks = uniqueSorted(blocked.map(stackLabel));
    lines.push(`Now blocked (VG002 vendor-not-approved): ${blocked.length} integration(s) in ${stacks.length} stack(s)`);
    if ("unjudged" in opts.gate) lines.push(`  by the status alone: the policy could not be loaded to apply exceptions and enforcement levels (${printable(opts.gate.unjudged)})`);
    if (blocked.length) lines.push(...rows(blocked), "", `Blocked stacks: ${stacks.join(", ")}`);
    if (through.length) {
      lines.push("", `Not blocked despite the status: ${through.length} integration(s) the gate lets through`);
      lines.push(...table(through.map(({ flow, why }) => [stackLabel(flow), flow.integration.name, why]), "  "));
    }
    lines.push("", ...stillSending(opts.vendor, blocked, opts.stateRead));
  } else {
    lines.push(`No longer blocked by VG002: ${enabled.length} integration(s) (other rules still apply)`);
    if (enabled.length) lines.push(...rows(enabled));
  }
  if (disabled.length) lines.push("", `Switched off (enabled: false), sending nothing:`, ...rows(disabled));
  lines.push("", `Looked at: ${opts.sources}`);
  return `${lines.join("\n")}\n`;
}
