import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import { acceptingTransforms, vendorStatuses, type Transform } from "../model/index.ts";
import { displayPath, type Out, printable } from "../text/output.ts";
import { addVendor, type ApprovalChange, approve, type EditOptions, type EditResult, lineDiff, type NewVendor, revoke, type Revocation } from "../registry/vendor.ts";
import { configFileHelp, projectHelp } from "./options.ts";
import { parseNow, type PolicyInputs, resolvePolicyInputs } from "../policy/context.ts";
import { UsageError } from "../errors.ts";

/*
 * `vendor add`, `vendor approve` and `vendor revoke` on the command line. Lists are given once,
 * comma-separated (`--categories user.device,user.behavior`): a repeated option is refused across
 * the CLI, so that judging one file of two can never pass silently.
 */

interface CommonOptions {
  registry?: string;
  configFile?: string;
  project?: string;
  dryRun?: boolean;
  quiet?: boolean;
}

/** The registry change as the edit takes it, less what the command line gives otherwise (the key is an argument). */
type AddOptions = CommonOptions & Omit<NewVendor, "vendor" | "by" | "date"> & { by?: string; now?: string };
type ApproveOptions = CommonOptions & Omit<ApprovalChange, "vendor">;
type RevokeOptions = CommonOptions & Omit<Revocation, "vendor">;

/** Who is making the change when --by is not given: the git identity, else the OS user. */
export function defaultActor(): string {
  try {
    const email = execFileSync("git", ["config", "user.email"], { encoding: "utf8", timeout: 2000, stdio: ["ignore", "pipe", "ignore"] }).trim();
    if (email) return email;
  } catch {
    // No git or no identity configured.
  }
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

function commaList(value: string): string[] {
  const items = value.split(",").map((s) => s.trim());
  if (items.some((s) => s === "")) throw new InvalidArgumentError(`expected a comma-separated list without empty items, got "${value}"`);
  return [...new Set(items)];
}

function portList(value: string): number[] {
  return commaList(value).map((p) => {
    if (!/^\d{1,5}$/.test(p)) throw new InvalidArgumentError(`expected port numbers such as 443,8443, got "${p}"`);
    return Number(p);
  });
}

function transformList(value: string): Transform[] {
  const items = commaList(value);
  for (const t of items) {
    if (!(acceptingTransforms as readonly string[]).includes(t)) {
      throw new InvalidArgumentError(`"${t}" is not a transform that makes a category acceptable (expected ${acceptingTransforms.join(", ")})`);
    }
  }
  return items as Transform[];
}

function oneLine(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "" || /[\r\n]/.test(value)) throw new UsageError(`${flag}: expected one non-empty line`);
  return value.trim();
}

/**
 * The registry file a command may edit; refused when vendorgate.yaml pins security's signed policy
 * bundle, whose registry is not a file of this repository. `what` says what the command changes.
 */
export function editableRegistry(inputs: PolicyInputs, what: string): string {
  if (inputs.bundle) throw new UsageError(`${inputs.project!.loaded.file} pins security's signed policy bundle: ${what} changed in the registry security signs, not here`);
  return inputs.registry;
}

async function registryFile(opts: CommonOptions): Promise<string> {
  return editableRegistry(await resolvePolicyInputs(opts), "vendors are");
}

/** What changed, then the diff of the file (on a dry run: what would change). */
export function describeEdit(r: EditResult, dryRun: boolean, note?: string): string {
  const shown = displayPath(r.file);
  if (r.changes.length === 0) return `vendorgate: ${shown}: nothing to change, the registry already says this\n`;
  const verb = dryRun ? "would change (dry run, nothing written)" : "changed";
  const lines = [`vendorgate: ${shown} ${verb}:`, ...r.changes.map((c) => `  ${printable(c)}`)];
  if (note) lines.push(note);
  return `${lines.join("\n")}\n\n${printable(lineDiff(r.before.replaceAll("\r\n", "\n"), r.after.replaceAll("\r\n", "\n"), shown))}`;
}

/** One edit of the registry vendorgate.yaml names (or --registry), then what changed unless --quiet. */
async function runEdit(
  opts: CommonOptions,
  out: Out,
  edit: (file: string, options: EditOptions) => Promise<EditResult>,
  note?: (r: EditResult) => string | undefined,
): Promise<void> {
  const r = await edit(await registryFile(opts), { dryRun: opts.dryRun === true });
  if (opts.quiet !== true) out(describeEdit(r, opts.dryRun === true, note?.(r)));
  process.exitCode = 0;
}

function common(cmd: Command): Command {
  return cmd
    .option("--registry <file>", "vendor registry to edit (default: vendorgate.yaml's registry)")
    .option("--config-file <file>", configFileHelp)
    .option("--project <dir>", projectHelp)
    .option("--dry-run", "check the change and print the diff, but write nothing")
    .option("-q, --quiet", "print nothing on standard output (errors still go to standard error)")
    .addHelpText(
      "after",
      "\nThe registry is edited in place under a lock: comments and layout elsewhere stay byte for byte, and the\n" +
        "result must validate as a registry before it replaces the file (atomically). Prints what changed and the diff.\n" +
        "Exit codes: 0 done (or nothing to change), 2 input error (unknown vendor, invalid value, registry locked).",
    );
}

export function registerVendorEdits(vendor: Command, out: Out): void {
  common(
    vendor
      .command("add")
      .description("add a vendor to the registry (status under_review unless --status says otherwise; no approvals yet)")
      .argument("<vendor>", "vendor key, lowercase letters, digits and dashes, e.g. acme-crm")
      .requiredOption("--name <name>", "the vendor's name as people read it")
      .requiredOption("--regions <regions>", "regions the vendor may receive data in, comma-separated, e.g. eu,us", commaList)
      .option("--domains <hosts>", "endpoint hosts (and their subdomains), comma-separated, e.g. acme.example", commaList)
      .option("--hosts <hosts>", "exact endpoint hosts, for multi-tenant services, comma-separated", commaList)
      .option("--ports <ports>", "ports other than the scheme's default, comma-separated", portList)
      .option("--accounts <ids>", "the vendor's 12-digit AWS account ids, comma-separated", commaList)
      .option("--dpa-expires <date>", "last day of the data processing agreement (YYYY-MM-DD)")
      .option("--soc2-expires <date>", "last day of the SOC 2 report's coverage (YYYY-MM-DD)")
      .addOption(new Option("--status <status>", "initial status").choices([...vendorStatuses]).default("under_review"))
      .option("--reason <text>", "why (recorded as statusReason)")
      .option("--by <who>", "who decided (recorded as statusBy; default: git user.email, else the OS user)")
      .option("--now <date>", "date recorded as statusChanged, ISO 8601 (default: today)")
      .addHelpText("after", "\nExample: npx vendorgate vendor add acme-crm --name \"Acme CRM\" --domains acme.example --regions eu --dpa-expires 2027-06-30"),
  ).action(async (key: string, opts: AddOptions) => {
    await runEdit(
      opts,
      out,
      (file, options) => {
        const reason = oneLine("--reason", opts.reason);
        const by = oneLine("--by", opts.by) ?? defaultActor();
        return addVendor(file, { ...opts, vendor: key, name: oneLine("--name", opts.name)!, reason, by, date: parseNow(opts.now) }, options);
      },
      () => `  next: npx vendorgate vendor approve ${key} --purpose <use> --categories <keys>${opts.status === "approved" ? "" : `, then npx vendorgate vendor set-status ${key} approved`}`,
    );
  });

  common(
    vendor
      .command("approve")
      .description("approve data categories for one purpose of a vendor (added to its approval for that purpose and subjects, or a new approval)")
      .argument("<vendor>", "vendor key in the registry")
      .requiredOption("--purpose <use>", "the data use approved, e.g. analytics.reporting")
      .requiredOption("--categories <keys>", "data categories approved for it, comma-separated, e.g. user.device,user.behavior", commaList)
      .option("--subjects <keys>", "data subjects the approval is limited to, comma-separated (default: any subject)", commaList)
      .option("--require-transform <transforms>", `transforms each of the categories must then use, comma-separated (${acceptingTransforms.join(", ")})`, transformList)
      .addHelpText(
        "after",
        "\nCategories the approval already covers (itself or through a parent key) are left as they are. The vendor's\n" +
          "status is not changed: flows stay blocked (VG002) until it is approved (vendor set-status).\n" +
          "Example: npx vendorgate vendor approve mixpanel --purpose analytics.reporting --categories user.unique_id --require-transform hash,pseudonymize",
      ),
  ).action(async (key: string, opts: ApproveOptions) => {
    await runEdit(
      opts,
      out,
      (file, options) => approve(file, { ...opts, vendor: key }, options),
      (r) =>
        r.result.status === "approved" || r.changes.length === 0
          ? undefined
          : `  note: ${key} is ${r.result.status}: its flows stay blocked (VG002) until vendorgate vendor set-status ${key} approved --reason "…"`,
    );
  });

  common(
    vendor
      .command("revoke")
      .description("revoke a vendor's approval for a purpose, or some of its categories")
      .argument("<vendor>", "vendor key in the registry")
      .requiredOption("--purpose <use>", "the approval's data use")
      .option("--categories <keys>", "revoke only these categories, comma-separated (default: the whole approval)", commaList)
      .option("--subjects <keys>", "only the approval limited to exactly these subjects (default: every approval for the purpose)", commaList)
      .addHelpText(
        "after",
        "\nAn approval left without categories is removed, with the comment lines right above it. A category\n" +
          "approved only through a parent key is refused: revoke the parent and approve the keys that stay.\n" +
          "For a breach, vendor suspend blocks every flow to the vendor at once.\n" +
          "Example: npx vendorgate vendor revoke mixpanel --purpose analytics.reporting --categories user.location",
      ),
  ).action(async (key: string, opts: RevokeOptions) => {
    await runEdit(opts, out, (file, options) => revoke(file, { ...opts, vendor: key }, options));
  });
}
