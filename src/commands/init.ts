import { randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { exampleRule, exampleRuleTest, exceptionsYaml, registryYaml, vendorgateYaml, workflowYaml } from "../init/templates.ts";
import { parseExceptions, parseProjectConfig, parseRegistry } from "../model/index.ts";
import { UsageError } from "../errors.ts";

interface InitOptions {
  project?: string;
}

/** Every file init writes, relative to the project directory. */
export const initFiles: readonly { path: string; text: string }[] = [
  { path: "vendorgate.yaml", text: vendorgateYaml },
  { path: "policy/vendors.yaml", text: registryYaml },
  { path: "policy/exceptions.yaml", text: exceptionsYaml },
  { path: "policy/rules/_example-large-flow/large_flow.rego", text: exampleRule },
  { path: "policy/rules/_example-large-flow/large_flow_test.rego", text: exampleRuleTest },
  { path: ".github/workflows/vendorgate.yml", text: workflowYaml },
];

/**
 * Writes the starter files into an existing Pulumi project. Nothing is overwritten: a file that
 * exists stops init before anything is written. Each file appears whole or not at all (written
 * beside its target, then linked into place, which fails rather than replace a file created
 * meanwhile).
 */
export function runInit(opts: InitOptions, out: (s: string) => void): number {
  const dir = resolve(opts.project ?? ".");
  if (!existsSync(join(dir, "Pulumi.yaml"))) {
    throw new UsageError(`${dir}: no Pulumi.yaml here; run init in your Pulumi project's directory (or pass --project DIR)`);
  }
  const shown = (p: string) => relative(process.cwd(), join(dir, p)) || p;
  const existing = initFiles.filter((f) => existsSync(join(dir, f.path)));
  if (existing.length) {
    throw new UsageError(`${existing.map((f) => shown(f.path)).join(", ")}: already exists; init never overwrites (move it away to start over)`);
  }
  // What init writes must load: a template that does not validate is a bug, caught before writing.
  parseProjectConfig(vendorgateYaml, "vendorgate.yaml");
  parseRegistry(registryYaml, "policy/vendors.yaml");
  parseExceptions(exceptionsYaml, "policy/exceptions.yaml", []);
  for (const f of initFiles) {
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
    writeFileSync(tmp, f.text, { flag: "wx" });
    try {
      linkSync(tmp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new UsageError(`${shown(f.path)}: already exists; init never overwrites`);
      throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
    out(`  wrote ${shown(f.path)}\n`);
  }
  out(
    [
      "",
      "Next:",
      "  1. Put your vendors and their approvals in policy/vendors.yaml (security owns it).",
      "  2. npx vendorgate plan --stack <stack>     judge the stack's declared flows (no cloud access needed)",
      "  3. npx vendorgate preview --stack <stack>  a real pulumi preview with the policy pack",
      "Custom rules: add a folder under policy/rules, then npx vendorgate build (needs opa; in CI after npm ci): it",
      "  compiles them into vendorgate's cache in node_modules, never into the repository.",
      "Add .vendorgate/ (the default local state backend) to .gitignore.",
      "",
    ].join("\n"),
  );
  return 0;
}

export function registerInit(program: Command, out: (s: string) => void): void {
  program
    .command("init")
    .description("add vendorgate to this Pulumi project: vendorgate.yaml, a starter registry, exceptions, a custom rules folder and a pull-request workflow")
    .option("--project <dir>", "the Pulumi project's directory (default: the working directory)")
    .addHelpText("after", "\nNever overwrites a file: if any exists, nothing is written (exit 2).\nExit codes: 0 written, 2 not a Pulumi project or a file exists.")
    .action((opts: InitOptions) => {
      process.exitCode = runInit(opts, out);
    });
}
