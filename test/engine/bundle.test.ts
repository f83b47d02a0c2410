import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundlePaths, buildBundle, isFresh, readBundle, sourceDigest } from "../../src/engine/bundle.ts";
import { Engine } from "../../src/engine/engine.ts";
import { PolicyFault } from "../../src/engine/errors.ts";
import { packageRoot } from "../../src/paths.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the project's policies with its own build folder, so tests can break it freely. */
function copyProject(name: string): string {
  const root = join(scratch, name);
  cpSync(join(packageRoot, "policies"), join(root, "policies"), { recursive: true, filter: (src) => !src.includes("/pack") });
  cpSync(bundlePaths().dir, join(root, "build", "policy"), { recursive: true });
  return root;
}

describe("policy bundle", () => {
  it("is fresh: built from the .rego sources in this checkout (run npm run build:policy if not)", () => {
    expect(isFresh()).toBe(true);
  });

  it("derives the rule catalogue from METADATA: one entry per rule folder, with id, title and remediation", () => {
    const { catalogue } = readBundle();
    expect(catalogue.map((r) => r.name).sort()).toEqual(readdirSync(join(packageRoot, "policies/rules")).sort());
    for (const rule of catalogue) {
      expect(rule.id).toMatch(/^VG\d{3}$/);
      expect(rule.custom).toBe(false);
      expect(rule.title.length).toBeGreaterThan(5);
      expect(rule.remediation.length).toBeGreaterThan(20);
      // The product ships to every project: its advice names the registry, not this checkout's example files.
      expect(rule.remediation).not.toMatch(/policies\/data\//);
      const rego = readdirSync(join(packageRoot, "policies/rules", rule.name)).find((f) => !f.endsWith("_test.rego"))!;
      const text = readFileSync(join(packageRoot, "policies/rules", rule.name, rego), "utf8");
      expect(text).toContain(`id: ${rule.id}`);
      expect(text).toContain(`title: ${rule.title}`);
    }
    expect(catalogue.map((r) => r.id)).toEqual(expect.arrayContaining(["VG001", "VG006", "VG010", "VG012"]));
  });

  it("is reproducible: the same sources built in two folders give byte-identical WASM and catalogue", () => {
    // Different depths too: any absolute path recorded in the module would change its bytes.
    const a = copyProject("here");
    const b = copyProject(join("somewhere", "much", "deeper"));
    const built = [a, b].map((root) => {
      const paths = bundlePaths(root, join(root, "build", "policy"));
      const manifest = buildBundle(paths);
      return { manifest, wasm: readFileSync(paths.wasm), catalogue: readFileSync(paths.catalogue, "utf8") };
    });
    expect(built[0]!.wasm.includes(Buffer.from(scratch))).toBe(false);
    expect(built[1]!.wasm.equals(built[0]!.wasm)).toBe(true);
    expect(built[1]!.manifest).toEqual(built[0]!.manifest);
    expect(built[1]!.catalogue).toBe(built[0]!.catalogue);
  });

  it("goes stale when any compiled .rego changes, and a judging command refuses a stale bundle", () => {
    const root = copyProject("stale");
    const paths = bundlePaths(root, join(root, "build", "policy"));
    expect(isFresh(paths)).toBe(true);
    const before = sourceDigest(root);
    const rule = join(root, "policies/rules/residency/residency.rego");
    writeFileSync(rule, readFileSync(rule, "utf8") + "\n# edited\n");
    expect(sourceDigest(root)).not.toBe(before);
    expect(isFresh(paths)).toBe(false);
    expect(() => readBundle(paths)).toThrow(/stale/);
    // Tests beside the rules are not compiled, so editing one does not make the bundle stale.
    const test = join(root, "policies/rules/residency/residency_test.rego");
    const digest = sourceDigest(root);
    writeFileSync(test, readFileSync(test, "utf8") + "\n# edited\n");
    expect(sourceDigest(root)).toBe(digest);
  });

  it("rebuilds from sources, and a custom rule added without TypeScript joins the catalogue", () => {
    const root = copyProject("custom");
    const dir = join(root, "custom", "no-health-data");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "no_health_data.rego"),
      [
        "# METADATA",
        "# title: No health data to analytics",
        "# custom:",
        "#   id: ACME002",
        "#   severity: advisory",
        "#   remediation: Remove health-related fields from analytics integrations.",
        'package vendorgate.custom["no-health-data"]',
        "",
        "import data.vendorgate.lib.result",
        "",
        "violation contains result.fail(rego.metadata.chain(), {",
        '\t"integration": integration.name,',
        '\t"message": "health data in analytics",',
        "}) if {",
        "\tsome integration in input.integrations",
        '\tstartswith(integration.purpose, "analytics")',
        "\tsome field in integration.fields",
        '\tstartswith(field.category, "user.health_and_medical")',
        "}",
        "",
      ].join("\n"),
    );
    const paths = { ...bundlePaths(root, join(root, "build", "custom-policy")), custom: { dir: join(root, "custom"), as: "custom-rules" } };
    buildBundle(paths);
    const { catalogue } = readBundle(paths);
    expect(catalogue.find((r) => r.id === "ACME002")).toMatchObject({ name: "no-health-data", severity: "advisory", custom: true });
    // The custom rules are part of what the bundle was built from.
    writeFileSync(join(dir, "no_health_data.rego"), readFileSync(join(dir, "no_health_data.rego"), "utf8") + "\n# edited\n");
    expect(isFresh(paths)).toBe(false);
  });

  it("fails closed on a digest mismatch, a missing bundle and a wasm that does not load", async () => {
    const root = copyProject("broken");
    const dir = join(root, "build", "policy");
    const paths = bundlePaths(root, dir);
    const wasm = readFileSync(paths.wasm);
    writeFileSync(paths.wasm, wasm.subarray(0, wasm.length >> 1));
    expect(() => readBundle(paths)).toThrow(PolicyFault);
    expect(() => readBundle(paths)).toThrow(/digest mismatch/);

    // Truncated wasm with a matching digest: the digest check passes, loading must not.
    const manifest = JSON.parse(readFileSync(paths.manifest, "utf8")) as { wasmDigest: string };
    const { createHash } = await import("node:crypto");
    manifest.wasmDigest = createHash("sha256").update(readFileSync(paths.wasm)).digest("hex");
    writeFileSync(paths.manifest, JSON.stringify(manifest));
    await expect(Engine.load({ paths })).rejects.toThrow(/does not load as WebAssembly/);

    rmSync(dir, { recursive: true });
    expect(() => readBundle(paths)).toThrow(/missing/);
  });
});
