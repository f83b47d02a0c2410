import { PolicyFault } from "../engine/errors.ts";
import type { LoadedProject } from "../project/index.ts";
import type { VerifiedBundle } from "./signed-bundle.ts";

/*
 * The policy a project's vendorgate.yaml pins by `policyBundle`: security's signed OPA bundle,
 * fetched and verified (digest, then signature, then every file's hash) before anything in it is
 * read. Its data document holds the registry at `registry` and the exceptions file at
 * `exceptions`, each exactly as the file security keeps (built from `registry/data.yaml` and
 * `exceptions/data.yaml` by `opa build -b`). Those come from the bundle only: no path in the
 * repository, which a pull request could edit, is read in their place.
 */

/** One policy input taken from the bundle: its text for the usual loader, and how messages name it. */
export interface BundleInput {
  /** `<bundle source>#registry`: errors and the policy object name the bundle, not a file. */
  source: string;
  /** The member as indented JSON, so errors and enforcement overrides have lines to point at. */
  text: string;
}

export interface ProjectBundle {
  bundle: VerifiedBundle;
  registry: BundleInput;
  exceptions: BundleInput | undefined;
  /** Security's custom rules (.rego under the bundle's custom/), by path below that folder, verified. */
  customRules: ReadonlyMap<string, Buffer>;
}

function member(bundle: VerifiedBundle, key: string): BundleInput | undefined {
  if (!Object.hasOwn(bundle.data, key)) return undefined;
  const value = bundle.data[key];
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PolicyFault(`signed policy bundle ${bundle.source}: its data.${key} is not an object (expected the ${key} file as security keeps it)`);
  }
  return { source: `${bundle.source}#${key}`, text: JSON.stringify(value, null, 2) + "\n" };
}

/** The verified bundle vendorgate.yaml pins, or undefined when it names none. Any doubt is a PolicyFault. */
export async function loadProjectBundle(project: LoadedProject): Promise<ProjectBundle | undefined> {
  const ref = project.config.policyBundle;
  if (ref === undefined) return undefined;
  // jose and tar-stream load only for projects that pin a bundle, not on every command's start.
  const { customRuleFiles, loadSignedBundle } = await import("./signed-bundle.ts");
  const bundle = await loadSignedBundle(ref, project.root);
  const registry = member(bundle, "registry");
  if (!registry) throw new PolicyFault(`signed policy bundle ${bundle.source}: it holds no registry (data.registry, built from registry/data.yaml)`);
  return { bundle, registry, exceptions: member(bundle, "exceptions"), customRules: customRuleFiles(bundle) };
}
