import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { parse, stringify } from "yaml";
import { packageRoot } from "../paths.ts";
import { InputError, locate, type SourceDocument } from "../model/index.ts";
import { readStackFile } from "../policy/stack.ts";
import { DEMO_PASSPHRASE, type ProjectInfo } from "../pulumi/project.ts";
import type { PulumiCommand } from "@pulumi/pulumi/automation/index.js";

/*
 * The stack's config as a Pulumi language host would hand it to the program: every key
 * namespaced (`project:key`), every value a string (objects as JSON), and the list of keys that
 * are secrets. Plain values come straight from the stack file (Pulumi.<stack>.yaml). `secure:` values are
 * decrypted by the pulumi CLI (its secrets provider, its passphrase), never by us, and stay
 * marked secret, so the program's requireSecret() sees a secret as it would in a real deploy.
 */

export interface StackConfig {
  file: string;
  /** The parsed stack file, for errors that point into it. */
  src: SourceDocument;
  values: Record<string, string>;
  secretKeys: string[];
  /** True when `secure:` values were replaced by placeholders instead of being decrypted. */
  placeholders: boolean;
  /** Why they were not decrypted (--no-decrypt, a provider vendorgate does not open, no passphrase). */
  notDecrypted?: string;
  provider: SecretsProvider;
}

export interface StackConfigOptions {
  /** Decrypt `secure:` values with the pulumi CLI (default). Off: each becomes an opaque secret placeholder. */
  decrypt: boolean;
  backend?: string;
}

/** What a program sees for a secure value plan did not decrypt. */
export const SECRET_PLACEHOLDER = "vendorgate-plan-secret-not-decrypted";

const hasSecure = (v: unknown): boolean =>
  Array.isArray(v) ? v.some(hasSecure) : v !== null && typeof v === "object" ? "secure" in v || Object.values(v).some(hasSecure) : false;

function asConfigString(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function fullKey(project: ProjectInfo, key: string): string {
  return key.includes(":") ? key : `${project.name}:${key}`;
}

/** Project-level defaults from Pulumi.yaml (`config: {key: {default: v}}` or `key: v`); the stack file wins. */
function projectDefaults(project: ProjectInfo): Record<string, string> {
  const file = join(project.root, "Pulumi.yaml");
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(doc?.config ?? {})) {
    const value = spec !== null && typeof spec === "object" && !Array.isArray(spec) ? ((spec as { value?: unknown; default?: unknown }).value ?? (spec as { default?: unknown }).default) : spec;
    if (value !== undefined) out[fullKey(project, key)] = asConfigString(value);
  }
  return out;
}

function configSection(src: SourceDocument): Record<string, unknown> {
  const section = src.data.config;
  if (section === undefined || section === null) return {};
  if (typeof section !== "object" || Array.isArray(section)) {
    const at = locate(src, ["config"]);
    throw new InputError([{ ...at, path: "config", message: "expected a mapping of config keys to values" }]);
  }
  return section as Record<string, unknown>;
}

/** How the stack file's `secure:` values are encrypted, from its `secretsprovider:` and `encryptionsalt:`. */
export type SecretsProvider = "passphrase" | "service" | "awskms" | "gcpkms" | "azurekeyvault" | "hashivault" | "other";

export function secretsProviderOf(data: Record<string, unknown>): SecretsProvider {
  const sp = data.secretsprovider;
  if (typeof sp !== "string" || sp === "") return typeof data.encryptionsalt === "string" ? "passphrase" : "service";
  const scheme = sp.split(":")[0]!.toLowerCase();
  if (scheme === "passphrase") return "passphrase";
  if (scheme === "default" || scheme === "service") return "service";
  return (["awskms", "gcpkms", "azurekeyvault", "hashivault"] as const).find((k) => k === scheme) ?? "other";
}

const PROVIDER_NAMES: Record<SecretsProvider, string> = {
  passphrase: "the passphrase provider",
  service: "Pulumi Cloud",
  awskms: "AWS KMS",
  gcpkms: "Google Cloud KMS",
  azurekeyvault: "Azure Key Vault",
  hashivault: "HashiCorp Vault",
  other: "a secrets provider vendorgate does not open",
};

/** Why secure values stayed placeholders (for the verdict to say), or undefined when decrypted. */
function whyNotDecrypted(provider: SecretsProvider, opts: StackConfigOptions, passphrase: boolean): string | undefined {
  if (!opts.decrypt) return "--no-decrypt";
  if (provider !== "passphrase") return `its secrets are encrypted with ${PROVIDER_NAMES[provider]}, which vendorgate does not decrypt`;
  if (!passphrase) return "PULUMI_CONFIG_PASSPHRASE and PULUMI_CONFIG_PASSPHRASE_FILE are not set";
  return undefined;
}

/**
 * The stack's config as the program would see it. Reads Pulumi.yaml and the stack file and writes
 * neither: the passphrase provider decrypts in a scratch copy of the two (the pulumi CLI adds an
 * encryption salt, or rewrites a provider, in the files it is pointed at).
 */
export async function loadStackConfig(project: ProjectInfo, stack: string, opts: StackConfigOptions): Promise<StackConfig> {
  const { path, file, src } = await readStackFile(project, stack);
  const section = configSection(src);
  const values: Record<string, string> = projectDefaults(project);
  const secretKeys = new Set<string>();
  const secure: string[] = [];

  for (const [key, value] of Object.entries(section)) {
    const k = fullKey(project, key);
    if (hasSecure(value)) {
      const v = value as Record<string, unknown>;
      if ("secure" in v && (typeof v.secure !== "string" || Object.keys(v).length !== 1)) {
        throw new InputError([{ ...locate(src, ["config", key]), path: `config["${key}"]`, message: "expected `secure: <ciphertext>` and nothing else" }]);
      }
      secure.push(key);
      secretKeys.add(k);
      values[k] = SECRET_PLACEHOLDER;
      continue;
    }
    values[k] = asConfigString(value);
  }
  const provider = secretsProviderOf(src.data);
  const passphrase = passphraseEnv(project);
  const why = secure.length === 0 ? undefined : whyNotDecrypted(provider, opts, passphrase !== undefined);
  const result = (placeholders: boolean): StackConfig => ({
    file,
    src,
    values,
    secretKeys: [...secretKeys].sort(),
    placeholders,
    provider,
    ...(placeholders && why ? { notDecrypted: why } : {}),
  });
  if (secure.length === 0 || why !== undefined) return result(secure.length > 0);

  // Found before decrypting, so that a missing CLI is said as such, not as a wrong passphrase.
  const { pulumiCommand } = await import("../pulumi/environment.ts");
  const command = await pulumiCommand();
  let all: Record<string, { value: string; secret?: boolean }>;
  try {
    all = await decryptInScratchCopy(project, stack, path, passphrase!, command);
  } catch (err) {
    // Only the CLI's own error lines: its full output is not ours to echo.
    // The Automation API's message repeats the CLI's stderr: each line once.
    const reason = [
      ...new Set(
        String((err as Error)?.message ?? err)
          .split("\n")
          .filter((l) => /^\s*error:/i.test(l))
          .map((l) => l.trim().replaceAll(scratchPrefix, "")),
      ),
    ].join(" ");
    const at = locate(src, ["config", secure[0]!]);
    throw new InputError([
      {
        ...at,
        path: `config["${secure[0]}"]`,
        message:
          `cannot decrypt the stack's secure values${reason ? ` (${reason})` : ""}; set PULUMI_CONFIG_PASSPHRASE ` +
          "(or PULUMI_CONFIG_PASSPHRASE_FILE) for this stack, or run plan with --no-decrypt",
      },
    ]);
  }
  for (const [k, { value, secret }] of Object.entries(all)) {
    if (!(k in values) && !secretKeys.has(k)) continue;
    values[k] = value;
    if (secret) secretKeys.add(k);
  }
  return result(false);
}

const isInside = (dir: string, root: string): boolean => dir === root || dir.startsWith(root + sep);

/** The passphrase environment for the pulumi CLI; the package's own example stacks use the demo passphrase. */
function passphraseEnv(project: ProjectInfo): Record<string, string> | undefined {
  if (process.env.PULUMI_CONFIG_PASSPHRASE) return { PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE };
  if (process.env.PULUMI_CONFIG_PASSPHRASE_FILE) return { PULUMI_CONFIG_PASSPHRASE_FILE: resolve(process.env.PULUMI_CONFIG_PASSPHRASE_FILE) };
  // The package's own example and test projects (never a user's: those live outside the package).
  if (isInside(project.root, packageRoot)) return { PULUMI_CONFIG_PASSPHRASE: DEMO_PASSPHRASE };
  return undefined;
}

const scratchPrefix = join(tmpdir(), "vendorgate-config-");

/**
 * Decrypts with the pulumi CLI in a scratch project: a Pulumi.yaml naming the project, a byte copy
 * of the stack file, a file backend and a PULUMI_HOME of its own; all removed afterwards.
 */
async function decryptInScratchCopy(
  project: ProjectInfo,
  stack: string,
  stackFile: string,
  passphrase: Record<string, string>,
  pulumiCommand: PulumiCommand,
) {
  const dir = mkdtempSync(scratchPrefix);
  try {
    writeFileSync(join(dir, "Pulumi.yaml"), stringify({ name: project.name, runtime: "nodejs" }));
    copyFileSync(stackFile, join(dir, `Pulumi.${stack}.yaml`));
    mkdirSync(join(dir, ".backend"));
    mkdirSync(join(dir, ".home"));
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation/index.js");
    const ws = await LocalWorkspace.create({
      workDir: dir,
      pulumiHome: join(dir, ".home"),
      pulumiCommand,
      envVars: {
        ...passphrase,
        PULUMI_BACKEND_URL: `file://${join(dir, ".backend")}`,
        PULUMI_SKIP_UPDATE_CHECK: "1",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      },
    });
    await ws.selectStack(stack).catch(() => ws.createStack(stack));
    return await ws.getAllConfig(stack);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
