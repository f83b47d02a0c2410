import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { cruise, type ICruiseResult, type IConfiguration } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../src/paths.ts";

/*
 * The layer rules `npm test` enforces (.dependency-cruiser.js, the "dependency-cruiser" step of
 * scripts/test.sh): they must catch an upward import and a cycle, let a downward import through,
 * and cover every folder of src/, since a folder in no layer is checked by no rule.
 */

const config = (await import(pathToFileURL(join(packageRoot, ".dependency-cruiser.js")).href)) as { default: IConfiguration; layers: string[][] };
const layers = config.layers;

const dir = mkdtempSync(join(tmpdir(), "vendorgate-layers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The rules' violations over a made-up src/ of `files` (path -> source). */
async function violations(files: Record<string, string>): Promise<string[]> {
  const root = mkdtempSync(join(dir, "case-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const { output } = await cruise(["src"], { baseDir: root, validate: true, ruleSet: { forbidden: config.default.forbidden ?? [] }, tsPreCompilationDeps: true });
  return ((output as ICruiseResult).summary.violations ?? []).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe("the layer rules", () => {
  it("refuse an upward import: the model may not import a command", async () => {
    expect(
      await violations({
        "src/model/registry.ts": 'import { run } from "../commands/check.ts";\nexport const r = run;\n',
        "src/commands/check.ts": "export const run = 1;\n",
      }),
    ).toEqual(["no-upward-from-model: src/model/registry.ts -> src/commands/check.ts"]);
  });

  it("refuse a cycle inside one layer", async () => {
    expect(
      await violations({
        "src/stack/egress.ts": 'import { b } from "./judge-stack.ts";\nexport const a = b;\n',
        "src/stack/judge-stack.ts": 'import { a } from "./egress.ts";\nexport const b = () => a;\n',
      }),
    ).toEqual(["no-circular: src/stack/egress.ts -> src/stack/judge-stack.ts"]);
  });

  it("let a command import the model, and a type-only import counts like any other", async () => {
    expect(
      await violations({
        "src/commands/check.ts": 'import { r } from "../model/registry.ts";\nexport const run = r;\n',
        "src/model/registry.ts": "export const r = 1;\n",
        "src/engine/judge.ts": 'import type { Run } from "../plan/plan.ts";\nexport type J = Run;\n',
        "src/plan/plan.ts": "export type Run = number;\n",
      }),
    ).toEqual(["no-upward-from-engine: src/engine/judge.ts -> src/plan/plan.ts"]);
  });

  it("cover every folder and top-level module of src/, each in one layer", () => {
    const names = readdirSync(join(packageRoot, "src"), { withFileTypes: true }).map((e) => (e.isDirectory() ? e.name : e.name.replace(/\.ts$/, "")));
    expect(layers.flat().sort()).toEqual([...new Set(names)].sort());
  });

  it("are the layers docs/architecture.md draws", () => {
    const doc = readFileSync(join(packageRoot, "docs", "architecture.md"), "utf8");
    const drawn = [...doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)].map((m) => [...m[2]!.matchAll(/`(?:src\/)?([a-z-]+)(?:\/|\.ts)`/g)].map((n) => n[1]!));
    expect(drawn).toEqual(layers.toReversed());
  });
});
