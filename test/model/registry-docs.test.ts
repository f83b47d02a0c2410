import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRegistry } from "../../src/model/index.ts";
import { packageRoot } from "../../src/paths.ts";

/*
 * docs/registry.md is where security engineers learn the registry instead of reading its JSON
 * Schema: its complete example must validate and use every field the schema has, and its field
 * table must explain every one of them. A field added to the zod schema (and so to the generated
 * schemas/registry.schema.json) fails here until the page covers it.
 */

const doc = readFileSync(join(packageRoot, "docs/registry.md"), "utf8");
const schema = JSON.parse(readFileSync(join(packageRoot, "schemas/registry.schema.json"), "utf8")) as JsonSchema;

interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

/** "*" stands for any key of a mapping whose values are objects, "[]" for any item of a list of objects. */
type Segment = string;

function resolve(node: JsonSchema): JsonSchema {
  if (node.$ref?.startsWith("#/$defs/")) return resolve(schema.$defs![node.$ref.slice("#/$defs/".length)]!);
  const alt = [...(node.anyOf ?? []), ...(node.allOf ?? [])].find((n) => resolve(n).properties || resolve(n).items || typeof resolve(n).additionalProperties === "object");
  return alt ? resolve(alt) : node;
}

function leaves(node: JsonSchema, path: Segment[] = []): Segment[][] {
  const n = resolve(node);
  if (n.properties) return Object.entries(n.properties).flatMap(([k, v]) => leaves(v, [...path, k]));
  if (n.items && resolve(n.items).properties) return leaves(n.items, [...path, "[]"]);
  if (typeof n.additionalProperties === "object" && resolve(n.additionalProperties).properties) return leaves(n.additionalProperties, [...path, "*"]);
  return [path];
}

/** As the field table writes it: vendor fields relative to the vendor, `approvals[].purpose`. */
const docName = (path: Segment[]) => (path[0] === "vendors" && path[1] === "*" ? path.slice(2) : path).join(".").replaceAll(".[]", "[]");

function present(data: unknown, path: Segment[]): boolean {
  if (path.length === 0) return data !== undefined;
  const [head, ...rest] = path;
  if (head === "[]") return Array.isArray(data) && data.some((d) => present(d, rest));
  if (typeof data !== "object" || data === null) return false;
  if (head === "*") return Object.values(data).some((d) => present(d, rest));
  return present((data as Record<string, unknown>)[head!], rest);
}

const fields = leaves(schema);
const example = /## A complete example[^]*?```yaml\n([^]*?)```/.exec(doc)?.[1] ?? "";
const table = doc.slice(doc.indexOf("## Every field"), doc.indexOf("\n## ", doc.indexOf("## Every field") + 1));
const tableNames = new Set(
  table
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .flatMap((l) => [...(l.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!)),
);

describe("docs/registry.md", () => {
  it("finds the schema's fields (the walk itself works)", () => {
    expect(fields.map(docName)).toEqual(expect.arrayContaining(["apiVersion", "name", "approvals[].requireTransform", "assurance.dpa.expires", "policy.maxExceptionLifetimeDays"]));
  });

  it("has a complete example that validates as a registry", () => {
    expect(example.length).toBeGreaterThan(100);
    expect(() => parseRegistry(example, "docs/registry.md")).not.toThrow();
  });

  it.each(fields.map((f) => [docName(f), f] as const))("uses %s in the complete example and explains it in the field table", (name, path) => {
    const { registry } = parseRegistry(example, "docs/registry.md");
    expect(present(JSON.parse(JSON.stringify(registry)), path), `${name} in the example`).toBe(true);
    expect(tableNames.has(name), `${name} in the table`).toBe(true);
  });

  it("documents the commands that edit the registry", () => {
    for (const cmd of ["vendor add", "vendor approve", "vendor revoke", "vendor suspend", "vendor set-status", "--dry-run"]) expect(doc).toContain(cmd);
  });
});
