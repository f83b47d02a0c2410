/*
 * Small output helpers the incident commands share. Every string they print may come from a
 * user's file (vendor names, field paths, reasons), so each output kind has its own escaping.
 */

export { cmp, displayPath } from "./order.ts";
import { cmp } from "./order.ts";

export function uniqueSorted(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(cmp);
}

/** Control characters shown as \uXXXX so that a value cannot rewrite the terminal it is printed in. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * One RFC 4180 cell. A leading = + - @ (or tab/CR) would make a spreadsheet run the cell as a
 * formula; such cells get a leading apostrophe, the usual neutralisation.
 */
export function csvCell(value: string | number | boolean | undefined): string {
  let s = value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(cells: readonly (string | number | boolean | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function escapeHtml(s: string): string {
  return s
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** YYYY-MM-DD of an ISO timestamp (or of a date, unchanged). */
export const dayOf = (iso: string | undefined): string | undefined => iso?.slice(0, 10);

/** Whole days from `from` to `to` (both YYYY-MM-DD), negative when `to` is earlier. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Left-aligned columns; the last one is not padded. */
export function table(rows: readonly (readonly string[])[], indent = ""): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, [...c].length)));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c + " ".repeat(widths[i]! - [...c].length))).join("  ").trimEnd());
}


export type Out = (s: string) => void;

/** Where commands put warnings by default, apart from their output so that pipes stay clean. */
export const toStderr: Out = (s) => void process.stderr.write(s);
