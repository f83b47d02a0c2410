import { isAbsolute, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceLocation } from "./protocol.ts";

/*
 * The place in the user's program an error comes from: the first stack frame in the project that
 * is not a dependency, or the position a syntax error names. Frames in vendorgate, the SDK or the
 * loader are never what the user can fix.
 */

const FRAME = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/;

function inProject(file: string, root: string): string | undefined {
  const rel = relative(root, file);
  if (!rel || rel.startsWith("..") || isAbsolute(rel) || rel.split(sep).includes("node_modules")) return undefined;
  return rel;
}

export function locateError(err: unknown, root: string): SourceLocation | undefined {
  // esbuild's syntax errors (through the TypeScript loader) carry their positions.
  const errors = (err as { errors?: { location?: { file?: string; line?: number; column?: number } }[] })?.errors;
  for (const e of Array.isArray(errors) ? errors : []) {
    const loc = e?.location;
    if (loc?.file && typeof loc.line === "number") {
      const file = inProject(isAbsolute(loc.file) ? loc.file : `${root}${sep}${loc.file}`, root);
      if (file) return { file, line: loc.line, column: (loc.column ?? 0) + 1 };
    }
  }
  const text = [String((err as Error)?.stack ?? ""), String((err as Error)?.message ?? "")].join("\n");
  for (const line of text.split("\n")) {
    const m = FRAME.exec(line.trim()) ?? /((?:file:\/\/)?\/[^\s():]+):(\d+):(\d+)/.exec(line);
    if (!m) continue;
    const abs = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
    const file = inProject(abs, root);
    if (file) return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
