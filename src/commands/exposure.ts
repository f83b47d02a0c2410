import { type Command, Option } from "commander";
import { buildExposure } from "../audit/exposure/exposure.ts";
import { exposureFormats, exposureFormatters, type ExposureFormat } from "../audit/exposure/format.ts";
import { addSourceOptions, loadFlows, type SourceOptions } from "../sources/flows.ts";
import { displayPath, type Out, toStderr } from "../text/output.ts";
import { addOutputOptions, emit, type OutputOptions } from "./output.ts";
import { configFileHelp, projectHelp } from "./options.ts";
import { readRegistryInput, resolvePolicyInputs, parseNow } from "../policy/context.ts";
import { UsageError } from "../errors.ts";

interface ExposureOptions extends SourceOptions, OutputOptions {
  vendor: string;
  since?: string;
  format: ExposureFormat;
  registry?: string;
  configFile?: string;
  project?: string;
}

/** A date option other than --now, with its own name in the message. */
export function parseDateOption(flag: string, value: string): string {
  try {
    return parseNow(value);
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(err.message.replace(/^--now/, flag));
    throw err;
  }
}

export async function runExposure(opts: ExposureOptions, out: Out, warn: Out = toStderr): Promise<number> {
  const inputs = await resolvePolicyInputs(opts);
  const registryFile = inputs.registry;
  const since = opts.since === undefined ? undefined : parseDateOption("--since", opts.since);
  const { registry, taxonomy } = await readRegistryInput(inputs);
  const set = await loadFlows({ ...opts, projectConfig: inputs.project, history: true, onlyVendor: opts.vendor }, taxonomy);
  for (const w of set.warnings) warn(`vendorgate: warning: ${w}\n`);
  if (registry.vendors[opts.vendor] === undefined && !set.flows.some((f) => f.integration.vendor === opts.vendor)) {
    const known = Object.keys(registry.vendors).sort().join(", ");
    throw new UsageError(`--vendor: no vendor "${opts.vendor}" in ${displayPath(registryFile)} (it has ${known}), and no flow in the sources sends to it`);
  }
  await emit(exposureFormatters[opts.format](buildExposure(opts.vendor, set, registry, taxonomy, since)), opts, out);
  return 0;
}

export function registerExposure(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("exposure")
    .description("everything ever shared with one vendor: fields, categories, subjects, purposes, stacks, endpoints, with dates")
    .requiredOption("--vendor <vendor>", "vendor key, e.g. mixpanel")
    .option("--since <date>", "only fields sent on or after this date (ISO 8601)")
    .addOption(new Option("--format <format>", "output format; notice drafts the notification letter").choices([...exposureFormats]).default("text"))
    .option("--registry <file>", "vendor registry (for names and taxonomy additions) (default: vendorgate.yaml's registry)")
    .option("--config-file <file>", configFileHelp)
    .option("--project <dir>", projectHelp);
  addSourceOptions(cmd, "integrations were shared");
  addOutputOptions(cmd, { failOn: false, what: "exposure" });
  cmd.addHelpText(
    "after",
    "\nReads the manifests given, and every stack of the local Pulumi backend: its current state and\n" +
      "every checkpoint of its history, so a flow an earlier deploy removed still counts. Switched-off\n" +
      "flows (enabled: false) sent nothing and are left out.\n" +
      "Exit codes: 0 done, 2 input error.\n" +
      "Example: npx vendorgate exposure --vendor mixpanel --backend 's3://acme-pulumi-state?region=eu-west-1' --format notice",
  );
  cmd.action(async (opts: ExposureOptions) => {
    process.exitCode = await runExposure(opts, out);
  });
}
