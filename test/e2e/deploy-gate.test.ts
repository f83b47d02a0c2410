// The deploy gate with the real pulumi CLI and engine (built by the setup), the real policy pack
// started through its launcher, and a local file backend in a temporary directory.
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDeploy, type DeployOptions, type DeployResult, type PolicyFinding } from "../../src/commands/preview.ts";
import { bundlePaths } from "../../src/engine/bundle.ts";
import { packageRoot } from "../../src/paths.ts";
import { openStack, type ProjectInfo } from "../../src/pulumi/workspace.ts";
import { EXAMPLE, EXAMPLE_EXCEPTIONS, EXAMPLE_REGISTRY, exampleProject } from "../../scripts/example.ts";

const NOW = "2026-11-29";
let backend: string;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "vendorgate-gate-"));
  backend = join(scratch, "backend");
  mkdirSync(backend);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const deploy = (op: "preview" | "up", stack: string, extra: Partial<DeployOptions> = {}): Promise<DeployResult> =>
  // The example's registry and waivers named directly: the product's own rules judge (no custom rule),
  // so a test can swap the bundle (VENDORGATE_BUNDLE_DIR).
  runDeploy(op, { stack, backend, registry: EXAMPLE_REGISTRY, exceptions: EXAMPLE_EXCEPTIONS, now: NOW, stream: false, pulumiProject: exampleProject(), ...extra }, () => {});

const name = (urn: string | undefined) => urn?.split("::").at(-1);
const fieldOf = (f: PolicyFinding) => /\(field ([^)]+)\)/.exec(f.message)?.[1];
const mandatory = (r: DeployResult) =>
  r.findings
    .filter((f) => f.level === "mandatory")
    .map((f) => [f.policy, name(f.urn), fieldOf(f)].join(" "))
    .sort();

/** A project beside the package's own whose stack config is `config` (plus the dev stack's secrets). */
function projectWithStack(stack: string, extraConfig: string): ProjectInfo {
  const root = join(scratch, `project-${stack}`);
  mkdirSync(root, { recursive: true });
  // The program runs on the project's own @pulumi/pulumi, as a user's does.
  symlinkSync(join(packageRoot, "node_modules"), join(root, "node_modules"));
  copyFileSync(join(EXAMPLE, "Pulumi.yaml"), join(root, "Pulumi.yaml"));
  writeFileSync(join(root, `Pulumi.${stack}.yaml`), readFileSync(join(EXAMPLE, "Pulumi.dev.yaml"), "utf8") + extraConfig);
  const main = join(root, "index.ts");
  writeFileSync(main, `export { default } from ${JSON.stringify(exampleProject().main)};\n`);
  return { ...exampleProject(), root, main, stackConfigDir: root };
}

describe("deploy gate (real pulumi engine)", () => {
  it("previews the clean stack with only an advisory warning, then up records each declaration in the state", async () => {
    const preview = await deploy("preview", "dev");
    expect(preview.error).toBeUndefined();
    expect(preview.ok).toBe(true);
    expect(mandatory(preview)).toEqual([]);
    // Zendesk's SOC 2 expires 16 days after NOW: reported, not blocking.
    expect(preview.findings.map((f) => [f.level, f.policy, name(f.urn)])).toContainEqual(["advisory", "assurance-expired-advisory", "support-chat"]);

    const up = await deploy("up", "dev");
    expect(up.error).toBeUndefined();
    expect(up.ok).toBe(true);

    const { stack } = await openStack("dev", { backendDir: backend, project: exampleProject() });
    const state = await stack.exportStack();
    const integrations = (state.deployment.resources as { type: string; urn: string; outputs?: Record<string, unknown> }[]).filter(
      (r) => r.type === "vendorgate:index:Integration",
    );
    expect(integrations.map((r) => name(r.urn)).sort()).toEqual(["marketing-sync", "payments", "product-analytics", "support-chat"]);
    const analytics = integrations.find((r) => name(r.urn) === "product-analytics")!.outputs!;
    expect(analytics).toMatchObject({
      vendor: "mixpanel",
      purpose: "analytics.reporting",
      destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
      credentials: { secret: true },
    });
    expect(analytics.fields).toContainEqual({ path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" });
    // The credential's value is never part of the recorded declaration.
    expect(JSON.stringify(state)).not.toContain("mp-demo-token");
  });

  it("blocks the incident stack with each violation on the resource that caused it", async () => {
    const r = await deploy("preview", "prod");
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(false);
    expect(mandatory(r)).toEqual([
      "category-not-approved product-analytics properties.$email",
      "category-not-approved product-analytics properties.$name",
      "category-not-approved product-analytics properties.org_id",
      "plaintext-credential marketing-sync ",
      "residency product-analytics ",
      "transform-required product-analytics properties.distinct_id",
      "vendor-not-approved marketing-sync ",
    ]);
    const advisory = r.findings.filter((f) => f.level === "advisory").map((f) => `${f.policy} ${name(f.urn)}`);
    // EXC-42 (Zendesk phone numbers) no longer matches anything the prod stack sends: reported as stale.
    expect(advisory.sort()).toEqual(["assurance-expired-advisory support-chat", "exception-expired product-analytics", "exception-expired support-chat"]);
    // Each finding carries the rule's remediation from METADATA.
    expect(r.findings.find((f) => f.policy === "vendor-not-approved")!.message).toMatch(/Remediation: Switch the integration off/);
    // The plain-text credential is named as a violation, never printed.
    expect(JSON.stringify(r.findings)).not.toContain("pat-na1-demo-plaintext");
  });

  it("lets a stack's own config tighten a rule, and refuses one that would loosen it", async () => {
    const project = projectWithStack("strict", "  vendorgate:enforcement:\n    VG009: mandatory\n");
    const r = await deploy("preview", "strict", { pulumiProject: project });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(false);
    expect(mandatory(r)).toEqual(["assurance-expired support-chat "]);

    const lenient = projectWithStack("lenient", "  vendorgate:enforcement:\n    VG009: disabled\n");
    // The stack file is the pull request's to edit; loosening is security's alone.
    await expect(deploy("preview", "lenient", { pulumiProject: lenient })).rejects.toThrow(/Pulumi\.lenient\.yaml:\d+:\d+ .*may only tighten enforcement/);
  });

  it("fails closed when the policy bundle is corrupt", async () => {
    const dir = join(scratch, "corrupt-bundle");
    cpSync(bundlePaths().dir, dir, { recursive: true });
    const wasm = readFileSync(join(dir, "policy.wasm"));
    const at = wasm.length >> 1;
    wasm.writeUInt8(wasm.readUInt8(at) ^ 0xff, at);
    writeFileSync(join(dir, "policy.wasm"), wasm);
    const r = await deploy("preview", "dev", { env: { VENDORGATE_BUNDLE_DIR: dir } });
    expect(r.ok).toBe(false);
    const gate = r.findings.filter((f) => f.policy === "vendorgate-gate" && f.level === "mandatory");
    expect(gate).toHaveLength(1);
    expect(gate[0]!.message).toMatch(/fail closed.*digest mismatch/s);
  });
});

describe("deploy gate: values unknown at preview time", () => {
  it("blocks with a 'cannot judge' violation naming the input instead of skipping the policy", async () => {
    const root = join(scratch, "project-unknown");
    mkdirSync(root, { recursive: true });
    symlinkSync(join(packageRoot, "node_modules"), join(root, "node_modules"));
    writeFileSync(join(root, "Pulumi.yaml"), "name: vendorgate-unknown\nruntime: nodejs\nmain: index.ts\n");
    const main = join(root, "index.ts");
    writeFileSync(main, `export { default } from ${JSON.stringify(join(packageRoot, "test/fixtures/gate/unknown-url.ts"))};\n`);
    const project: ProjectInfo = { root, name: "vendorgate-unknown", main, stackConfigDir: root };
    const r = await deploy("preview", "dev", { pulumiProject: project });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(false);
    const gate = r.findings.filter((f) => f.policy === "vendorgate-gate");
    expect(gate).toHaveLength(1);
    expect(gate[0]!.level).toBe("mandatory");
    expect(name(gate[0]!.urn)).toBe("product-analytics");
    expect(gate[0]!.message).toMatch(/cannot judge integration product-analytics: input destination\.url is not known/);
  });
});
