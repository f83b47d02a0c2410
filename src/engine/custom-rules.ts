import { readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { InputError, type InputIssue } from "../model/errors.ts";

/*
 * Security's own rules are confined to `vendorgate.custom`: a file there that declared
 * `package vendorgate.main` or `vendorgate.lib.exceptions` would replace the core policy, and one
 * that reused VG004's id would pass for it in every report. Checked at build time, from what
 * `opa inspect` reports, with the file and line of each offence.
 */

/** What `opa inspect -a --format json <custom dir>` says that matters here. */
export interface InspectOutput {
  namespaces?: Record<string, string[]>;
  annotations?: {
    location?: { file?: string; row?: number; col?: number };
    path?: { value: unknown }[];
    annotations?: { scope?: string; custom?: Record<string, unknown> };
  }[];
}

/** Ids of the built-in rules' form; a custom rule may not take one, present or future. */
export const builtInIdPattern = /^VG\d+$/;

const CUSTOM_ROOT = "data.vendorgate.custom";

/** The one package segment under vendorgate.custom, or undefined when the package is elsewhere or deeper. */
export function customRuleName(namespace: string): string | undefined {
  if (!namespace.startsWith(CUSTOM_ROOT)) return undefined;
  const rest = namespace.slice(CUSTOM_ROOT.length);
  const quoted = /^\["((?:[^"\\]|\\.)+)"\]$/.exec(rest);
  if (quoted) return JSON.parse(`"${quoted[1]}"`) as string;
  const plain = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(rest);
  return plain?.[1];
}

function packageLine(path: string): number {
  try {
    const lines = readFileSync(path, "utf8").split("\n");
    const i = lines.findIndex((l) => /^\s*package\s/.test(l));
    return i >= 0 ? i + 1 : 1;
  } catch {
    return 1;
  }
}

/**
 * Throws an InputError listing every custom rule file that leaves `vendorgate.custom` (or nests
 * below one rule's package), every rule package without a METADATA `custom.id`, ids of the
 * built-in form (VGnnn), and ids used twice (among custom rules or with `builtInIds`).
 * `root` is the folder the inspected paths are relative to; `shown` turns a path into what
 * messages name.
 */
export function checkCustomRules(
  inspected: InspectOutput,
  opts: { root: string; builtInIds: readonly string[]; shown?: (path: string) => string },
): void {
  const abs = (f: string) => (isAbsolute(f) ? f : join(opts.root, f));
  const shown = opts.shown ?? ((f: string) => relative(process.cwd(), abs(f)) || f);
  const issues: InputIssue[] = [];
  const rulePackages = new Map<string, string>();
  for (const [namespace, files] of Object.entries(inspected.namespaces ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const name = customRuleName(namespace);
    for (const f of [...files].sort()) {
      if (name === undefined) {
        const pkg = namespace.replace(/^data\./, "");
        issues.push({
          file: shown(f),
          line: packageLine(abs(f)),
          column: 1,
          path: "",
          message: `package ${pkg} is outside vendorgate.custom: a custom rule file may only declare package vendorgate.custom["<rule-name>"]`,
        });
      } else if (!name.endsWith("_test")) {
        rulePackages.set(name, f);
      }
    }
  }
  const ids = new Map<string, { name: string; file: string; line: number }>();
  const builtIn = new Set(opts.builtInIds);
  const annotated = new Set<string>();
  for (const a of inspected.annotations ?? []) {
    if (a.annotations?.scope !== "package") continue;
    const path = (a.path ?? []).map((p) => String(p.value));
    const namespace = `${CUSTOM_ROOT}[${JSON.stringify(path.at(-1) ?? "")}]`;
    const name = customRuleName(namespace);
    if (name === undefined || !rulePackages.has(name) || path.length !== 4) continue;
    annotated.add(name);
    const file = a.location?.file ?? rulePackages.get(name)!;
    const line = a.location?.row ?? packageLine(abs(file));
    const at = { file: shown(file), line, column: a.location?.col ?? 1, path: "" };
    const id = a.annotations.custom?.id;
    if (typeof id !== "string" || id.trim() === "") {
      issues.push({ ...at, message: `custom rule ${name} has no METADATA custom.id (such as ACME002)` });
      continue;
    }
    if (builtInIdPattern.test(id)) {
      issues.push({ ...at, message: `custom rule ${name} takes the id ${id}: VGnnn ids belong to vendorgate's built-in rules` });
      continue;
    }
    if (builtIn.has(id)) {
      issues.push({ ...at, message: `custom rule ${name} takes the id ${id}, which a built-in rule has` });
      continue;
    }
    const first = ids.get(id);
    if (first) {
      issues.push({ ...at, message: `custom rule ${name} takes the id ${id}, already used by ${first.name} (${first.file}:${first.line})` });
      continue;
    }
    ids.set(id, { name, file: at.file, line });
  }
  for (const [name, file] of rulePackages) {
    if (annotated.has(name)) continue;
    issues.push({
      file: shown(file),
      line: packageLine(abs(file)),
      column: 1,
      path: "",
      message: `custom rule ${name} has no package METADATA block with custom.id, title, severity and remediation`,
    });
  }
  if (issues.length) throw new InputError(issues);
}
