import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseExceptions, parseProjectConfig, parseRegistry } from "../../src/model/index.ts";
import { findTool, packageRoot } from "../../src/paths.ts";
import { STACK_FRAME, vendorgate } from "../cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-init-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function pulumiProject(name: string): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
  return dir;
}

const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

describe("vendorgate init", () => {
  it("writes the starter files, each valid, no temporary file left, and prints what comes next", () => {
    const dir = pulumiProject("fresh");
    const r = vendorgate(["init"], {}, { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const f of ["vendorgate.yaml", "policy/vendors.yaml", "policy/exceptions.yaml", "policy/rules/_example-large-flow/large_flow.rego", "policy/rules/_example-large-flow/large_flow_test.rego", ".github/workflows/vendorgate.yml"]) {
      expect(existsSync(join(dir, f)), f).toBe(true);
      expect(r.stdout).toContain(`wrote ${f}`);
    }
    expect(r.stdout).toMatch(/Next:\n {2}1\. .*\n {2}2\. npx vendorgate plan .*\n {2}3\. npx vendorgate preview /);
    const registry = readFileSync(join(dir, "policy/vendors.yaml"), "utf8");
    expect(registry.split("\n")[0]).toBe("# yaml-language-server: $schema=../node_modules/vendorgate/schemas/registry.schema.json");
    expect(() => parseRegistry(registry, "vendors.yaml")).not.toThrow();
    expect(parseExceptions(readFileSync(join(dir, "policy/exceptions.yaml"), "utf8"), "e.yaml", []).exceptions).toEqual([]);
    expect(parseProjectConfig(readFileSync(join(dir, "vendorgate.yaml"), "utf8"), "vendorgate.yaml").config.customRules).toBe("policy/rules");
    expect(readFileSync(join(dir, ".github/workflows/vendorgate.yml"), "utf8")).toMatch(/uses: vendorgate\/vendorgate@/);
    expect(files(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("the example rule's tests pass with the opa test command their file gives, against the installed package's policies", () => {
    const dir = pulumiProject("rule-tests");
    expect(vendorgate(["init"], {}, { cwd: dir }).code).toBe(0);
    // policies/ as the tarball has it: the library without its tests, and the pack folder beside it.
    const installed = join(dir, "node_modules", "vendorgate", "policies");
    mkdirSync(join(installed, "lib"), { recursive: true });
    mkdirSync(join(installed, "pack"), { recursive: true });
    for (const f of readdirSync(join(packageRoot, "policies", "lib")).filter((f) => f.endsWith(".rego") && !f.endsWith("_test.rego"))) {
      copyFileSync(join(packageRoot, "policies", "lib", f), join(installed, "lib", f));
    }
    for (const f of ["package.json", "PulumiPolicy.yaml"]) copyFileSync(join(packageRoot, "policies", "pack", f), join(installed, "pack", f));

    const testFile = readFileSync(join(dir, "policy/rules/_example-large-flow/large_flow_test.rego"), "utf8");
    const command = /run `opa test ([^`]+)`/.exec(testFile)?.[1];
    expect(command, "the test file says how to run it").toBeDefined();
    const opa = findTool("opa");
    expect(opa, "the test needs opa (npm run setup)").toBeDefined();
    const r = spawnSync(opa!, ["test", ...command!.split(" ")], { cwd: dir, encoding: "utf8" });
    expect(r.stdout + r.stderr).toMatch(/PASS: 2\/2/);
    expect(r.status).toBe(0);
  });

  it("refuses to overwrite: exit 2 naming the file, nothing written", () => {
    const dir = pulumiProject("existing");
    writeFileSync(join(dir, "vendorgate.yaml"), "# mine\n");
    const r = vendorgate(["init"], {}, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vendorgate\.yaml: already exists; init never overwrites/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(readFileSync(join(dir, "vendorgate.yaml"), "utf8")).toBe("# mine\n");
    expect(existsSync(join(dir, "policy"))).toBe(false);
  });

  it("wants a Pulumi project", () => {
    const dir = join(scratch, "not-pulumi");
    mkdirSync(dir);
    const r = vendorgate(["init"], {}, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no Pulumi\.yaml here/);
  });
});
