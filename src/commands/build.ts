import { relative } from "node:path";
import type { Command } from "commander";
import { readBundle } from "../engine/bundle.ts";
import { PolicyFault } from "../engine/errors.ts";
import { UsageError } from "../errors.ts";
import { buildProjectBundle, customRulesDir, projectBundleCache } from "../policy/compiled-bundle.ts";
import { loadProjectBundle } from "../policy/project-bundle.ts";
import { loadProject } from "../project/index.ts";
import type { ProjectCliOptions } from "../policy/context.ts";
import { addProjectOptions } from "./options.ts";

const shown = (p: string) => relative(process.cwd(), p) || ".";

/**
 * Compiles the built-in rules plus the project's custom rules into the project's own bundle. A
 * project without custom rules needs nothing built: the bundle shipped with vendorgate judges it.
 */
export async function runBuild(opts: ProjectCliOptions, out: (s: string) => void): Promise<number> {
  const project = await loadProject({
    ...(opts.configFile === undefined ? {} : { configFile: opts.configFile }),
    ...(opts.project === undefined ? {} : { projectDir: opts.project }),
  });
  const started = performance.now();
  let built;
  // Security's signed bundle, verified, when vendorgate.yaml pins one: its custom rules are compiled.
  const signed = await loadProjectBundle(project);
  try {
    built = buildProjectBundle(project, signed);
  } catch (err) {
    // Nothing is judged here: opa missing or a rule that does not compile is the build's own failure.
    if (err instanceof PolicyFault) throw new UsageError(`build: ${err.message}`);
    // vendorgate's cache beside the package: a read-only install cannot hold a project's bundle.
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === "string") throw new UsageError(`build: cannot write the project's bundle under ${shown(projectBundleCache())} (${code}): ${(err as Error).message}`);
    throw err;
  }
  if (!built) {
    const dir = customRulesDir(project);
    out(
      dir === undefined
        ? `${shown(project.configFile)} names no customRules folder: the built-in rules shipped with vendorgate judge this project; nothing to build.\n`
        : `no custom rule in ${shown(dir)} (folders starting with _ are skipped): the built-in rules shipped with vendorgate judge this project; nothing to build.\n`,
    );
    return 0;
  }
  const custom = readBundle(built.paths).catalogue.filter((r) => r.custom);
  out(
    `built ${shown(built.paths.dir)} with opa ${built.manifest.opaVersion} in ${Math.round(performance.now() - started)} ms: ` +
      `the built-in rules and ${custom.length} custom rule${custom.length === 1 ? "" : "s"} (${custom.map((r) => r.id).join(", ")}) ` +
      `from ${signed?.customRules.size ? `signed policy bundle ${signed.bundle.source}` : shown(built.paths.custom!.dir)}; wasm sha256 ${built.manifest.wasmDigest.slice(0, 12)}\n`,
  );
  return 0;
}

export function registerBuild(program: Command, out: (s: string) => void): void {
  const cmd = program
    .command("build")
    .description(
      "compile the built-in rules and the project's custom rules (vendorgate.yaml customRules, or the signed policy bundle's) into the project's policy bundle, kept in node_modules/.cache/vendorgate/policy (needs opa)",
    );
  addProjectOptions(cmd);
  cmd.addHelpText(
    "after",
    "\nRun it after changing a custom rule (and after `npm ci`): every judging command looks for the bundle compiled from the rules as they are, and refuses to judge without it.\n" +
      "The bundle is never read from the repository, which a pull request controls: it is kept beside the installed package, in a folder named for the digest of its sources.\n" +
      "Without custom rules there is nothing to build (the bundle shipped with vendorgate is used, and opa is not needed).\n" +
      "Exit codes: 0 built (or nothing to build), 2 opa missing, a rule that does not compile or breaks the custom-rule rules, or no vendorgate.yaml.",
  );
  cmd.action(async (opts: ProjectCliOptions) => {
    process.exitCode = await runBuild(opts, out);
  });
}
