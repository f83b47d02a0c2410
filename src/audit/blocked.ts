import type { Registry, VendorStatus } from "../model/index.ts";
import { compareFlows, type Flow, originLabel, stackLabel } from "../sources/flows.ts";
import { printable, table, uniqueSorted } from "../text/output.ts";

/*
 * Which flows a vendor's status stops. VG002 fires for every enabled integration of a vendor whose
 * status is not `approved`, and for nothing else, so the answer needs no policy evaluation: the
 * kill switch must report what it switched off even if the policy bundle is broken.
 */

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
    const stacks = uniqueSorted(enabled.map(stackLabel));
    lines.push(`Now blocked (VG002 vendor-not-approved): ${enabled.length} integration(s) in ${stacks.length} stack(s)`);
    if (enabled.length) lines.push(...rows(enabled), "", `Blocked stacks: ${stacks.join(", ")}`);
  } else {
    lines.push(`No longer blocked by VG002: ${enabled.length} integration(s) (other rules still apply)`);
    if (enabled.length) lines.push(...rows(enabled));
  }
  if (blocksFlows(v.status)) lines.push("", ...stillSending(opts.vendor, enabled, opts.stateRead));
  if (disabled.length) lines.push("", `Switched off (enabled: false), sending nothing:`, ...rows(disabled));
  lines.push("", `Looked at: ${opts.sources}`);
  return `${lines.join("\n")}\n`;
}
