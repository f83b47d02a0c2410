// Issue 15: a stack's own config file (Pulumi.<stack>.yaml) is the pull request's to edit. Adding
// `vendorgate:enforcement: {VG002: disabled, …, VG006: disabled}` to the blocked prod stack made
// `plan` and `preview` say "deploy allowed". It may only tighten: loosening is an input error at
// the line that tried, before anything is judged or deployed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, copyFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runDeploy } from "../../src/commands/preview.ts";
import { packageRoot } from "../../src/paths.ts";
import { projectInfo } from "../../src/pulumi/project.ts";
import { STACK_FRAME } from "../cli.ts";
import { cli, NOW } from "./helpers.ts";
import { EXAMPLE, EXAMPLE_EXCEPTIONS, EXAMPLE_REGISTRY, exampleProject } from "../../scripts/example.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-stack-enforcement-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const backend = join(scratch, "backend");
mkdirSync(backend);
const REGISTRY = EXAMPLE_REGISTRY;
const EXCEPTIONS = EXAMPLE_EXCEPTIONS;

/** A project beside the package's own: its program, and a stack `stack` whose file is prod's plus `extra`. */
function projectWithStack(stack: string, extra: string): string {
  const root = join(scratch, `project-${stack}`);
  mkdirSync(root, { recursive: true });
  symlinkSync(join(packageRoot, "node_modules"), join(root, "node_modules"));
  copyFileSync(join(EXAMPLE, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  writeFileSync(join(root, `Pulumi.${stack}.yaml`), readFileSync(join(EXAMPLE, "Pulumi.prod.yaml"), "utf8") + extra);
  writeFileSync(join(root, "index.ts"), `export { default } from ${JSON.stringify(exampleProject().main)};\n`);
  return root;
}

const loosening = ["VG002", "VG004", "VG005", "VG007", "VG011", "VG006"].map((r) => `    ${r}: disabled\n`).join("");
const plan = (root: string, stack: string, format = "json") =>
  cli(["plan", "--stack", stack, "--project", root, "--registry", REGISTRY, "--exceptions", EXCEPTIONS, "--no-decrypt", "--backend", backend, "--now", NOW, "--format", format]);

describe("a stack file may only tighten enforcement", () => {
  it("plan refuses the issue's stack file (every blocking rule disabled, VG006 too) at each line, exit 2, no verdict", () => {
    const root = projectWithStack("loose", `  vendorgate:enforcement:\n${loosening}`);
    const r = plan(root, "loose", "text");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/deploy allowed/);
    expect(r.stderr).toMatch(/Pulumi\.loose\.yaml:\d+:\d+ .*VG006: VG006 is always mandatory/);
    for (const rule of ["VG002", "VG004", "VG005", "VG007", "VG011"]) {
      expect(r.stderr).toMatch(new RegExp(`Pulumi\\.loose\\.yaml:\\d+:\\d+ .*${rule}: a stack's own config may only tighten enforcement`));
    }
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("plan takes a tightening, still blocks, and the policy object names the stack file as its origin", () => {
    const root = projectWithStack("strict", "  vendorgate:enforcement:\n    VG009: mandatory\n");
    const r = plan(root, "strict");
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { policy: { enforcement: { rule: string; level: string; source: string; file: string }[] } };
    expect(doc.policy.enforcement).toContainEqual(expect.objectContaining({ rule: "VG009", level: "mandatory", source: "stack" }));
  });

  it("preview refuses the same stack file before the engine starts", async () => {
    const root = projectWithStack("loose-preview", `  vendorgate:enforcement:\n${loosening}`);
    const err = await runDeploy(
      "preview",
      { stack: "loose-preview", backend, registry: REGISTRY, exceptions: EXCEPTIONS, now: NOW, stream: false, pulumiProject: projectInfo(root) },
      () => {},
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/Pulumi\.loose-preview\.yaml:\d+:\d+ .*VG006: VG006 is always mandatory/);
    expect(err?.message).toMatch(/Pulumi\.loose-preview\.yaml:\d+:\d+ .*VG002: a stack's own config may only tighten enforcement/);
  });
});
