import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { InputError, locate, parseSource, readSourceText, type SourceDocument } from "../model/index.ts";
import type { ProjectInfo } from "../pulumi/project.ts";

/*
 * The stack's config as a Pulumi language host would hand it to the program: every key
 * namespaced (`project:key`), every value a string (objects as JSON), and the list of keys that
 * are secrets. Plain values come straight from stacks/Pulumi.<stack>.yaml. `secure:` values are
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

export async function loadStackConfig(project: ProjectInfo, stack: string, opts: StackConfigOptions): Promise<StackConfig> {
  const path = join(project.stackConfigDir, `Pulumi.${stack}.yaml`);
  const file = relative(process.cwd(), path) || path;
  if (!existsSync(path)) {
    throw new InputError([{ file, line: 1, column: 1, path: "", message: `no config file for stack ${stack} (--stack ${stack})` }]);
  }
  const src = parseSource(await readSourceText(path), file);
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
  if (secure.length === 0 || !opts.decrypt) return { file, src, values, secretKeys: [...secretKeys].sort(), placeholders: secure.length > 0 };

  let all: Record<string, { value: string; secret?: boolean }>;
  try {
    // The Automation API client loads only when there is something to decrypt.
    const { openStack } = await import("../pulumi/workspace.ts");
    const { stack: s } = await openStack(stack, { project, ...(opts.backend ? { backendDir: opts.backend } : {}) });
    all = await s.getAllConfig();
  } catch (err) {
    // Only the CLI's own error lines: its full output is not ours to echo.
    const why = String((err as Error)?.message ?? err)
      .split("\n")
      .filter((l) => /^\s*error:/i.test(l))
      .map((l) => l.trim())
      .join(" ");
    const at = locate(src, ["config", secure[0]!]);
    throw new InputError([
      {
        ...at,
        path: `config["${secure[0]}"]`,
        message:
          `cannot decrypt the stack's secure values${why ? ` (${why})` : ""}; set PULUMI_CONFIG_PASSPHRASE ` +
          "(or PULUMI_CONFIG_PASSPHRASE_FILE) for this stack, or run plan with --no-decrypt",
      },
    ]);
  }
  for (const [k, { value, secret }] of Object.entries(all)) {
    values[k] = value;
    if (secret) secretKeys.add(k);
  }
  return { file, src, values, secretKeys: [...secretKeys].sort(), placeholders: false };
}
