// Issue 15: custom rule files are confined to vendorgate.custom with unique ids of their own,
// checked when the bundle is built (file:line errors), and the core Rego tests pass whatever
// custom rules a checkout has.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundlePaths, buildBundle } from "../../src/engine/bundle.ts";
import { InputError } from "../../src/model/errors.ts";
import { packageRoot } from "../../src/paths.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-custom-rules-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** A copy of the checkout's policies with `files` added under policies/custom/. */
function projectWith(files: Record<string, string>): string {
  const root = join(scratch, `p${n++}`);
  cpSync(join(packageRoot, "policies"), join(root, "policies"), { recursive: true, filter: (src) => !src.includes("/pack") });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, "policies", "custom", name, ".."), { recursive: true });
    writeFileSync(join(root, "policies", "custom", name), text);
  }
  return root;
}

/** A custom rule file: METADATA (with `id` when given), then `pkg`, then one violation. */
function rule(pkg: string, id: string | undefined): string {
  return [
    "# METADATA",
    "# title: No health data to analytics",
    "# custom:",
    ...(id === undefined ? [] : [`#   id: ${id}`]),
    "#   severity: advisory",
    "#   remediation: Remove health-related fields.",
    `package ${pkg}`,
    "",
    "import data.vendorgate.lib.result",
    "",
    "violation contains result.fail(rego.metadata.chain(), {",
    '\t"integration": integration.name,',
    '\t"message": "health data",',
    "}) if {",
    "\tsome integration in input.integrations",
    "\tsome field in integration.fields",
    '\tstartswith(field.category, "user.health_and_medical")',
    "}",
    "",
  ].join("\n");
}

/** The build's error, or undefined when the build succeeded. */
function buildError(root: string): InputError | undefined {
  try {
    // Compiled as a project's custom rules are (`vendorgate build`): the built-in rules plus this folder.
    buildBundle({ ...bundlePaths(root, join(root, "build", "policy")), custom: { dir: join(root, "policies", "custom"), as: "custom-rules" } });
    return undefined;
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
}

describe("custom rules are confined, checked at build", () => {
  it("refuses a file declaring package vendorgate.main (it would replace the core policy), naming file and line", () => {
    const err = buildError(projectWith({ "takeover/takeover.rego": rule("vendorgate.main", "ACME900") }));
    expect(err?.message).toMatch(/policies\/custom\/takeover\/takeover\.rego:7(:\d+)? .*vendorgate\.main/);
    expect(err?.message).toMatch(/vendorgate\.custom/);
  });

  it("refuses a custom rule reusing a VG id (VG004), naming file and line", () => {
    const err = buildError(projectWith({ "fake-vg004/fake.rego": rule('vendorgate.custom["fake-vg004"]', "VG004") }));
    expect(err?.message).toMatch(/policies\/custom\/fake-vg004\/fake\.rego:\d+(:\d+)? .*VG004/);
  });

  it("refuses a custom rule without an id, naming file and line", () => {
    const err = buildError(projectWith({ "no-id/no_id.rego": rule('vendorgate.custom["no-id"]', undefined) }));
    expect(err?.message).toMatch(/policies\/custom\/no-id\/no_id\.rego:\d+(:\d+)? .*id/);
  });

  it("refuses two custom rules with one id", () => {
    const err = buildError(
      projectWith({ "one/one.rego": rule('vendorgate.custom["one"]', "ACME777"), "two/two.rego": rule('vendorgate.custom["two"]', "ACME777") }),
    );
    expect(err?.message).toMatch(/ACME777/);
  });

  it("builds a well-formed custom rule", () => {
    expect(buildError(projectWith({ "no-health/no_health.rego": rule('vendorgate.custom["no-health"]', "ACME901") }))).toBeUndefined();
  });
});

describe("core Rego tests", () => {
  it("pass whatever custom rules the checkout has (they do not hard-code the rule list)", () => {
    const root = projectWith({
      "no-health/no_health.rego": rule('vendorgate.custom["no-health"]', "ACME901"),
      "no-health-2/no_health_2.rego": rule('vendorgate.custom["no-health-2"]', "ACME902"),
    });
    const dirs = ["lib", "rules", "custom"].map((d) => join(root, "policies", d));
    const r = spawnSync("opa", ["test", ...dirs], { encoding: "utf8" });
    expect(r.stdout + r.stderr).not.toMatch(/FAIL/);
    expect(r.status).toBe(0);
  });
});
