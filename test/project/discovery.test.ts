import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError, outputFormats, parseProjectConfig } from "../../src/model/index.ts";
import { backendDirOf, findProject, loadProject, pulumiProjectDir, resolveBackend } from "../../src/project/index.ts";
import { formatNames } from "../../src/report/index.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-project-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(name: string, config: string): string {
  const root = join(scratch, name);
  mkdirSync(join(root, "infra", "deep"), { recursive: true });
  writeFileSync(join(root, "vendorgate.yaml"), config);
  return root;
}

const minimal = "apiVersion: vendorgate/v1\nregistry: policy/vendors.yaml\n";

describe("finding vendorgate.yaml", () => {
  it("walks up from the working directory and resolves paths against the file, not the cwd", async () => {
    const root = project("walk", `${minimal}exceptions: policy/exceptions.yaml\ncustomRules: policy/rules\n`);
    const p = await loadProject({ cwd: join(root, "infra", "deep") });
    expect(p.configFile).toBe(join(root, "vendorgate.yaml"));
    expect(p.root).toBe(root);
    expect(p.config.registry).toBe(join(root, "policy", "vendors.yaml"));
    expect(p.config.exceptions).toBe(join(root, "policy", "exceptions.yaml"));
    expect(p.config.customRules).toBe(join(root, "policy", "rules"));
    expect(p.config.backend).toBe(`file://${join(root, ".vendorgate", "backend")}`);
  });

  it("--project starts the search in that directory; --config-file names the file", async () => {
    const root = project("flags", minimal);
    const other = project("other", "apiVersion: vendorgate/v1\nregistry: /abs/vendors.yaml\n");
    expect((await loadProject({ cwd: scratch, projectDir: join(root, "infra") })).root).toBe(root);
    const byFile = await loadProject({ cwd: root, configFile: join(other, "vendorgate.yaml") });
    expect(byFile.root).toBe(other);
    expect(byFile.config.registry).toBe("/abs/vendors.yaml");
  });

  it("without one: an error that says to run vendorgate init; findProject gives undefined", async () => {
    const lonely = join(scratch, "lonely");
    mkdirSync(lonely);
    // The scratch folder sits in the system temp dir; nothing above it has a vendorgate.yaml.
    await expect(loadProject({ cwd: lonely })).rejects.toThrow(/no vendorgate\.yaml in .*lonely or any directory above it: run `npx vendorgate init`/);
    expect(await findProject({ cwd: lonely })).toBeUndefined();
  });

  it("a missing --config-file is a file-not-found input error, not a silent fallback", async () => {
    await expect(loadProject({ cwd: scratch, configFile: "nope/vendorgate.yaml" })).rejects.toThrow(/nope\/vendorgate\.yaml:1:1 cannot read: file not found/);
  });

  it("errors name file, line and column", async () => {
    const root = project("bad", "apiVersion: vendorgate/v1\nregistry: v.yaml\npolicy:\n  enforcment: {}\nstacks:\n  prod:\n    residency: [EU]\n");
    const err = await loadProject({ cwd: root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).toMatch(/^vendorgate\.yaml:4:3 policy\.enforcment: unknown property "enforcment"/m);
    expect(message).toMatch(/^vendorgate\.yaml:7:17 stacks\.prod\.residency\[0\]: expected a lowercase region code/m);
  });

  it("requires apiVersion and registry", () => {
    expect(() => parseProjectConfig("customRules: rules\n", "vendorgate.yaml")).toThrow(/apiVersion[\s\S]*registry/);
  });
});

describe("backend and Pulumi project", () => {
  it("a relative file:// backend is relative to vendorgate.yaml; other URLs stay as written", () => {
    expect(resolveBackend("file://state", "/p")).toBe("file:///p/state");
    expect(resolveBackend("file:///abs", "/p")).toBe("file:///abs");
    expect(resolveBackend("file://~", "/p")).toBe("file://~");
    expect(resolveBackend("s3://bucket/prefix", "/p")).toBe("s3://bucket/prefix");
    expect(backendDirOf("file:///p/state")).toBe("/p/state");
    expect(backendDirOf("s3://bucket")).toBeUndefined();
  });

  it("finds Pulumi.yaml by walking up, or takes --project", () => {
    const root = project("pulumi", minimal);
    writeFileSync(join(root, "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
    expect(pulumiProjectDir({ cwd: join(root, "infra", "deep") })).toBe(root);
    expect(pulumiProjectDir({ cwd: scratch, projectDir: root })).toBe(root);
    expect(() => pulumiProjectDir({ cwd: scratch, projectDir: join(root, "infra") })).toThrow(/--project .*: no Pulumi\.yaml in/);
  });

  it("output.format accepts the report formats", () => {
    expect([...outputFormats]).toEqual([...formatNames]);
  });
});
