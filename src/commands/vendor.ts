import { Argument, type Command, Option } from "commander";
import { loadRegistry, vendorStatuses, vendorStatusRecord, type VendorStatus } from "../model/index.ts";
import { describeStatusChange, flowsOf, type GateVerdict } from "../audit/blocked.ts";
import { judgeFlows } from "../audit/judge-flows.ts";
import { addSourceOptions, current, type Flow, loadFlows, type SourceOptions, withStackSettings } from "../sources/flows.ts";
import { changeVendorStatus } from "../registry/edit.ts";
import { displayPath, type Out, printable, table, toStderr } from "../text/output.ts";
import { addOutputOptions, emit, type OutputOptions } from "./output.ts";
import { defaultActor, editableRegistry, registerVendorEdits } from "./vendor-edit.ts";
import { configFileHelp, projectHelp } from "./options.ts";
import { loadPolicyContext, readRegistryInput, resolvePolicyInputs, parseNow } from "../policy/context.ts";
import { UsageError } from "../errors.ts";

interface StatusOptions extends SourceOptions, OutputOptions {
  reason: string;
  by?: string;
  registry?: string;
  configFile?: string;
  project?: string;
  now?: string;
}

export async function runSetStatus(vendor: string, status: VendorStatus, opts: StatusOptions, out: Out, warn: Out = toStderr): Promise<number> {
  const inputs = await resolvePolicyInputs(opts);
  const registryFile = editableRegistry(inputs, "vendor status is");
  opts = { ...opts, projectConfig: inputs.project };
  const date = parseNow(opts.now);
  if (opts.reason.trim() === "" || /[\r\n]/.test(opts.reason)) throw new UsageError("--reason: expected one non-empty line saying why");
  const by = opts.by ?? defaultActor();
  if (by.trim() === "" || /[\r\n]/.test(by)) throw new UsageError("--by: expected one non-empty line naming who made the change");
  // Every input is read before the registry is touched: a typo in --manifest must not leave the
  // vendor suspended behind an error message. A status change does not change the taxonomy.
  const set = await loadFlows(opts, (await loadRegistry(registryFile)).taxonomy);
  const result = await changeVendorStatus(registryFile, { vendor, status, reason: opts.reason.trim(), by: by.trim(), date });
  const { registry } = await loadRegistry(registryFile);
  const flows = flowsOf(vendor, current(set));
  const gate = await gateVerdict({ ...opts, registry: registryFile }, flows.enabled);
  for (const w of [...set.warnings, ...(gate.warnings ?? [])]) warn(`vendorgate: warning: ${w}\n`);
  const sources = [...set.manifests, ...(set.backend ? [`Pulumi stacks in ${set.backend}${set.unreadable ? ` (${set.unreadable} checkpoint(s) unreadable: see the warnings)` : ""}`] : [])];
  await emit(
    describeStatusChange({
      vendor,
      registry,
      registryFile: displayPath(registryFile),
      before: result.before.status,
      written: result.written,
      flows,
      gate,
      sources: sources.length ? sources.join(", ") : "nothing (pass --manifest, or deploy a stack)",
      stateRead: set.backend !== undefined,
    }),
    opts,
    out,
  );
  return 0;
}

/**
 * The engine's verdict on the vendor's enabled flows under the registry just written. The status
 * is already changed when this runs, so a policy that cannot load (a broken bundle, a bad
 * exceptions file) is said in the output, never an exit that hides what the switch blocked.
 */
async function gateVerdict(opts: StatusOptions, enabled: Flow[]): Promise<GateVerdict & { warnings?: string[] }> {
  let ctx;
  let settled;
  try {
    ctx = await loadPolicyContext(opts);
    // Each stack's state judged with its stack file's own levels, as review and plan judge it.
    settled = await withStackSettings(enabled, opts.projectConfig, ctx.engine.catalogue.map((r) => r.id));
  } catch (e) {
    return { unjudged: e instanceof Error ? e.message.split("\n")[0]! : String(e) };
  }
  const { violations, warnings } = judgeFlows(ctx, settled);
  return { judged: new Map(enabled.map((f, n) => [f, violations.get(settled[n]!) ?? []])), warnings };
}

interface ListOptions extends OutputOptions {
  registry?: string;
  configFile?: string;
  project?: string;
  format: "text" | "json";
}

export async function runList(opts: ListOptions, out: (s: string) => void): Promise<number> {
  const inputs = await resolvePolicyInputs(opts);
  const { registry } = await readRegistryInput(inputs);
  const keys = Object.keys(registry.vendors).sort();
  if (opts.format === "json") {
    const vendors = keys.map((k) => {
      const v = registry.vendors[k]!;
      return {
        vendor: k,
        name: v.name,
        ...vendorStatusRecord(v),
        ...(v.assurance.dpa ? { dpaExpires: v.assurance.dpa.expires } : {}),
        ...(v.assurance.soc2 ? { soc2Expires: v.assurance.soc2.expires } : {}),
      };
    });
    await emit(`${JSON.stringify({ vendors }, null, 2)}\n`, opts, out);
    return 0;
  }
  const rows = [["VENDOR", "NAME", "STATUS", "CHANGED", "BY", "REASON"]];
  for (const k of keys) {
    const v = registry.vendors[k]!;
    rows.push([k, printable(v.name), v.status, v.statusChanged ?? "-", printable(v.statusBy ?? "-"), printable(v.statusReason ?? "-")]);
  }
  await emit(`${table(rows).join("\n")}\n`, opts, out);
  return 0;
}

function statusCommand(cmd: Command, out: (s: string) => void, fixed?: VendorStatus): Command {
  cmd
    .requiredOption("--reason <text>", "why (recorded as statusReason)")
    .option("--by <who>", "who decided (recorded as statusBy; default: git user.email, else the OS user)")
    .option("--registry <file>", "vendor registry to edit (default: vendorgate.yaml's registry)")
    .option("--config-file <file>", configFileHelp)
    .option("--project <dir>", projectHelp)
    .option("--now <date>", "date recorded as statusChanged, ISO 8601 (default: today)");
  addSourceOptions(cmd, "integrations to list as blocked");
  // The list of what the status now blocks is the incident's record: --output keeps it as a file.
  addOutputOptions(cmd, { failOn: false, what: "change and the flows it blocks" });
  cmd.addHelpText(
    "after",
    "\nThe registry is edited in place: comments and layout stay as they are. Prints every integration\n" +
      "and stack the status now blocks (VG002), from the --manifest files and the stacks' Pulumi state.\n" +
      "Exit codes: 0 done, 2 input error (unknown vendor, invalid registry, registry locked).",
  );
  cmd.action(async (vendor: string, ...rest: unknown[]) => {
    const status = fixed ?? (rest[0] as VendorStatus);
    const opts = (fixed ? rest[0] : rest[1]) as StatusOptions;
    process.exitCode = await runSetStatus(vendor, status, opts, out);
  });
  return cmd;
}

export function registerVendor(program: Command, out: (s: string) => void): void {
  const vendor = program.command("vendor").description("edit the vendor registry in place (add, approve, revoke, suspend, set-status) and list vendors");
  registerVendorEdits(vendor, out);
  statusCommand(
    vendor
      .command("suspend")
      .description("suspend a vendor: every flow to it is blocked (VG002) from the next check or preview")
      .argument("<vendor>", "vendor key in the registry, e.g. mixpanel")
      .addHelpText("after", `\nExample: npx vendorgate vendor suspend mixpanel --reason "Mixpanel breach, SEC-400" --backend 's3://acme-pulumi-state?region=eu-west-1'`),
    out,
    "suspended",
  );
  statusCommand(
    vendor
      .command("set-status")
      .description("set a vendor's status: approved, under_review, suspended or prohibited")
      .argument("<vendor>", "vendor key in the registry")
      .addArgument(new Argument("<status>", "new status").choices([...vendorStatuses])),
    out,
  );
  const list = vendor
    .command("list")
    .description("list vendors with status, when and by whom it changed, and why")
    .option("--registry <file>", "vendor registry (default: vendorgate.yaml's registry)")
    .option("--config-file <file>", configFileHelp)
    .option("--project <dir>", projectHelp)
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"));
  addOutputOptions(list, { failOn: false, what: "list" }).action(async (opts: ListOptions) => {
    process.exitCode = await runList(opts, out);
  });
}
