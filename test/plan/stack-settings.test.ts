// Issue 17: the stack settings (`vendorgate:residency`, `vendorgate:enforcement` in
// Pulumi.<stack>.yaml) had a reader each in plan and preview, and they disagreed: a scalar
// residency stopped plan but preview ran without it. One reader now serves plan, preview, up and
// the pack, and these cases hold each command to it: an input error at the line, exit 2.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackValidationArgs } from "@pulumi/policy";
import { afterAll, describe, expect, it } from "vitest";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { packPolicies } from "../../src/pack/pack.ts";
import { packageRoot } from "../../src/paths.ts";
import { STACK_FRAME } from "../cli.ts";
import { cli, NOW } from "./helpers.ts";
import { EXAMPLE, EXAMPLE_EXCEPTIONS, EXAMPLE_REGISTRY, exampleProject } from "../../scripts/example.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-stack-settings-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const backend = join(scratch, "backend");
mkdirSync(backend);
const REGISTRY = EXAMPLE_REGISTRY;
const EXCEPTIONS = EXAMPLE_EXCEPTIONS;

/** A project running the package's own program, with a stack `stack` whose file is prod's with `edit` applied. */
function projectWithStack(stack: string, edit: (prod: string) => string): string {
  const root = join(scratch, `project-${stack}`);
  mkdirSync(root, { recursive: true });
  symlinkSync(join(packageRoot, "node_modules"), join(root, "node_modules"));
  copyFileSync(join(EXAMPLE, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  writeFileSync(join(root, `Pulumi.${stack}.yaml`), edit(readFileSync(join(EXAMPLE, "Pulumi.prod.yaml"), "utf8")));
  writeFileSync(join(root, "index.ts"), `export { default } from ${JSON.stringify(exampleProject().main)};\n`);
  return root;
}

const policy = ["--registry", REGISTRY, "--exceptions", EXCEPTIONS, "--backend", backend, "--now", NOW];
const commands = {
  plan: (root: string, stack: string) => cli(["plan", "--stack", stack, "--project", root, "--no-decrypt", ...policy]),
  // Refused before the engine starts: these runs never reach Pulumi.
  preview: (root: string, stack: string) => cli(["preview", "--stack", stack, "--project", root, ...policy]),
  up: (root: string, stack: string) => cli(["up", "--stack", stack, "--project", root, ...policy]),
};

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe.each(Object.entries(commands))("%s reads the stack file's vendorgate settings", (name, run) => {
  it("a scalar residency is an input error at its line (exit 2), not a stack judged without residency", () => {
    const root = projectWithStack(`scalar-${name}`, (prod) => prod.replace(/ {2}vendorgate:residency:\n {4}- eu\n/, "  vendorgate:residency: eu\n"));
    const file = readFileSync(join(root, `Pulumi.scalar-${name}.yaml`), "utf8");
    expect(file).toMatch(/vendorgate:residency: eu\n/);
    const r = run(root, `scalar-${name}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`Pulumi\\.scalar-${name}\\.yaml:${lineOf(file, "vendorgate:residency")}:\\d+ config\\["vendorgate:residency"\\]`));
    expect(r.stderr).not.toMatch(/internal error|deploy allowed/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("an unknown rule under vendorgate:enforcement is an input error at its line (exit 2), not an internal error", () => {
    const root = projectWithStack(`unknown-${name}`, (prod) => `${prod}  vendorgate:enforcement:\n    VG999: mandatory\n`);
    const file = readFileSync(join(root, `Pulumi.unknown-${name}.yaml`), "utf8");
    const r = run(root, `unknown-${name}`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`Pulumi\\.unknown-${name}\\.yaml:${lineOf(file, "VG999")}:\\d+ .*VG999`));
    expect(r.stderr).not.toMatch(/internal error|deploy allowed/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});

describe("the pack, started by pulumi with only vendorgate.yaml", () => {
  it("judges the stack against vendorgate.yaml's residency for it (VG007), as plan and preview do", async () => {
    const dir = join(scratch, "pack-residency");
    mkdirSync(dir);
    const configFile = join(dir, "vendorgate.yaml");
    writeFileSync(configFile, `apiVersion: vendorgate/v1\nregistry: ${JSON.stringify(REGISTRY)}\nstacks:\n  drill:\n    residency: [eu]\n`);
    const name = "analytics-us";
    const args = {
      resources: [
        {
          urn: `urn:pulumi:drill::vg-pack::${INTEGRATION_TYPE}::${name}`,
          type: INTEGRATION_TYPE,
          name,
          props: {
            name,
            vendor: "mixpanel",
            purpose: "analytics.reporting",
            subjects: ["customer"],
            enabled: true,
            destination: { url: "https://api.mixpanel.com/track", region: "us" },
            fields: [{ path: "properties.$os", category: "user.device", transform: "none" }],
          },
          opts: {},
          dependencies: [],
          propertyDependencies: {},
        },
      ],
      getConfig: () => ({ configFile, now: NOW }),
    } as unknown as StackValidationArgs;
    const reported: string[] = [];
    // The gate computes the verdict; each rule's policy then reports its own violations.
    for (const p of await packPolicies()) await p.validateStack(args, (message) => void reported.push(`${p.name}: ${message.split("\n")[0]}`));
    expect(reported.filter((r) => r.startsWith("vendorgate-gate"))).toEqual([]);
    expect(reported).toContainEqual(expect.stringMatching(/^residency: VG007 analytics-us/));
  });
});
