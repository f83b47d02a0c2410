import { isAbsolute, relative, resolve } from "node:path";

/** Code-unit order: unlike localeCompare it is the same on every machine, so output is byte-stable. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A path as people passed it: relative to the working directory when under it, else absolute. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? resolve(file) : rel;
}
