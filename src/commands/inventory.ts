import { readFileSync } from "node:fs";
import { type Command, Option } from "commander";
import { parse } from "yaml";
import { formatCycloneDx } from "../audit/inventory/cyclonedx.ts";
import { addSourceOptions, current, loadFlows, type SourceOptions } from "../sources/flows.ts";
import { buildInventory, formatInventoryJson, formatRopa } from "../audit/inventory/inventory.ts";
import { type Out, toStderr } from "../text/output.ts";
import { addOutputOptions, emit, type OutputOptions } from "./output.ts";
import { configFileHelp, projectHelp } from "./options.ts";
import { readRegistryInput, resolvePolicyInputs, parseNow } from "../policy/context.ts";
import { toolInfo } from "./tool.ts";

export const inventoryFormats = ["ropa", "json", "cyclonedx"] as const;
type InventoryFormat = (typeof inventoryFormats)[number];

interface InventoryOptions extends SourceOptions, OutputOptions {
  registry?: string;
  configFile?: string;
  project?: string;
  format: InventoryFormat;
  now?: string;
  product?: string;
}

/** The Pulumi project's name when run from a project root, as the product the BOM describes. */
function projectName(): string | undefined {
  try {
    const doc = parse(readFileSync("Pulumi.yaml", "utf8")) as { name?: unknown };
    return typeof doc?.name === "string" ? doc.name : undefined;
  } catch {
    return undefined;
  }
}

export async function runInventory(opts: InventoryOptions, out: Out, warn: Out = toStderr): Promise<number> {
  const inputs = await resolvePolicyInputs(opts);
  opts = { ...opts, projectConfig: inputs.project };
  // Only a given --now is written into the output; an unpinned run stays byte-stable.
  const now = opts.now === undefined ? undefined : parseNow(opts.now);
  const { registry, taxonomy } = await readRegistryInput(inputs);
  const set = await loadFlows(opts, taxonomy);
  for (const w of set.warnings) warn(`vendorgate: warning: ${w}\n`);
  const sources = [...set.manifests, ...(set.backend && set.snapshots.length ? [`Pulumi state in ${set.backend}`] : [])];
  const inv = buildInventory(current(set), registry, taxonomy, sources);
  const text =
    opts.format === "ropa"
      ? formatRopa(inv)
      : opts.format === "json"
        ? formatInventoryJson(inv)
        : formatCycloneDx(inv, { product: opts.product ?? projectName() ?? "inventory", tool: toolInfo(), ...(now ? { now } : {}) });
  await emit(text, opts, out);
  return 0;
}

export function registerInventory(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("inventory")
    .description("export the data flows as a record of processing (CSV or JSON) or as CycloneDX 1.6 services")
    .addOption(new Option("--format <format>", "ropa: CSV record of processing; json; cyclonedx: CycloneDX 1.6 JSON BOM").choices([...inventoryFormats]).default("ropa"))
    .option("--registry <file>", "vendor registry (recipient names, status, DPA dates) (default: vendorgate.yaml's registry)")
    .option("--config-file <file>", configFileHelp)
    .option("--project <dir>", projectHelp)
    .option("--product <name>", "product the BOM describes (default: the name in ./Pulumi.yaml)")
    .option("--now <date>", "timestamp written into the CycloneDX BOM (default: none, for reproducible output)");
  addSourceOptions(cmd, "integrations are inventoried");
  addOutputOptions(cmd, { failOn: false, what: "inventory" });
  cmd.addHelpText(
    "after",
    "\nOne record per enabled integration: purpose, data categories, data subjects, recipient, transfer\n" +
      "region, and the transforms applied as safeguards. Exit codes: 0 done, 2 input error.\n" +
      "Example: npx vendorgate inventory --format cyclonedx --manifest flows.yaml",
  );
  cmd.action(async (opts: InventoryOptions) => {
    process.exitCode = await runInventory(opts, out);
  });
}
