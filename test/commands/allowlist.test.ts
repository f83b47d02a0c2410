import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE, EXAMPLE_REGISTRY } from "../../scripts/example.ts";
import { runAllowlist } from "../../src/commands/allowlist.ts";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { UsageError } from "../../src/errors.ts";
import { allowlistSchema } from "../../src/model/allowlist.ts";
import { AllowlistError, createGuards } from "../../src/runtime/index.ts";

const REGISTRY = EXAMPLE_REGISTRY;
const NOW = "2026-11-29";
const policy = { registry: REGISTRY, now: NOW };

async function allowlist(opts: Partial<Parameters<typeof runAllowlist>[0]>): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await runAllowlist({ ...policy, stack: "dev", from: "plan", decrypt: true, ...opts } as Parameters<typeof runAllowlist>[0], (s) => {
    text += s;
  });
  return { code, text };
}

describe("vendorgate allowlist --from plan (the example project)", () => {
  it("dev passes: a valid allow-list a guard accepts, stamped with the policy digest", async () => {
    const { code, text } = await allowlist({ stack: "dev", project: EXAMPLE });
    expect(code).toBe(0);
    const doc = allowlistSchema.parse(JSON.parse(text));
    expect(doc).toMatchObject({ source: "plan", stack: "dev", verdict: "pass" });
    expect(doc.policy?.bundleDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // marketing-sync is switched off in dev: it sends nothing, so it is not in the list.
    expect(doc.integrations.map((i) => i.name)).not.toContain("marketing-sync");
    const analytics = doc.integrations.find((i) => i.name === "product-analytics")!;
    expect(analytics.fields.find((f) => f.path === "properties.distinct_id")?.transform).toBe("pseudonymize");
    expect(() => createGuards(text, { key: "a-key-of-sixteen-bytes-or-more" })).not.toThrow();
    // Deterministic: the same inputs give the same bytes.
    expect((await allowlist({ stack: "dev", project: EXAMPLE })).text).toBe(text);
  }, 240_000);

  it("prod (the incident) is blocked: exit 1, and a guard refuses the list", async () => {
    const { code, text } = await allowlist({ stack: "prod", project: EXAMPLE });
    expect(code).toBe(1);
    const doc = allowlistSchema.parse(JSON.parse(text));
    expect(doc.verdict).toBe("blocked");
    expect(doc.integrations.find((i) => i.name === "product-analytics")?.verdict).toBe("blocked");
    expect(() => createGuards(text, { key: "a-key-of-sixteen-bytes-or-more" })).toThrow(AllowlistError);
  }, 120_000);
});

describe("vendorgate allowlist --from state", () => {
  let dir: string;
  const project = () => join(dir, "project");
  const backend = () => join(dir, "backend");

  function integration(name: string, fields: { path: string; category: string; transform: string }[], url = "https://api-eu.mixpanel.com/track") {
    return {
      urn: `urn:pulumi:dev::shop::${INTEGRATION_TYPE}::${name}`,
      type: INTEGRATION_TYPE,
      custom: false,
      outputs: { name, vendor: "mixpanel", purpose: "analytics.reporting", subjects: ["customer"], enabled: true, destination: { url, region: "eu" }, credentials: { secret: true }, fields },
    };
  }
  function deploy(stack: string, resources: unknown[]) {
    const file = join(backend(), ".pulumi", "stacks", "shop", `${stack}.json`);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 3, checkpoint: { stack: `organization/shop/${stack}`, latest: { manifest: { time: "2026-11-01T00:00:00Z" }, resources } } }));
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "vendorgate-allowlist-"));
    mkdirSync(project(), { recursive: true });
    writeFileSync(join(project(), "Pulumi.yaml"), "name: shop\nruntime: nodejs\n");
    writeFileSync(join(project(), "index.ts"), "export {};\n");
    mkdirSync(join(backend(), ".pulumi"), { recursive: true });
    writeFileSync(join(backend(), ".pulumi", "meta.yaml"), "version: 1\n");
    deploy("dev", [integration("analytics", [{ path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" }])]);
    // The incident's identify(): the email leaves as it is.
    deploy("prod", [integration("analytics", [{ path: "properties.$email", category: "user.contact.email", transform: "none" }])]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("judges what the deployed state records", async () => {
    const dev = await allowlist({ from: "state", stack: "dev", project: project(), backend: backend() });
    expect(dev.code).toBe(0);
    expect(JSON.parse(dev.text)).toMatchObject({ source: "state", verdict: "pass", integrations: [{ name: "analytics", verdict: "pass" }] });
    const prod = await allowlist({ from: "state", stack: "prod", project: project(), backend: backend() });
    expect(prod.code).toBe(1);
    expect(JSON.parse(prod.text)).toMatchObject({ source: "state", verdict: "blocked", integrations: [{ name: "analytics", verdict: "blocked" }] });
  });

  it("reads the stack file's settings as plan does: a scalar residency or an unknown rule is an input error at its line, never skipped", async () => {
    deploy("eu-only", [integration("analytics", [{ path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" }])]);
    const run = (config: string) => {
      writeFileSync(join(project(), "Pulumi.eu-only.yaml"), `config:\n${config}`);
      return allowlist({ from: "state", stack: "eu-only", project: project(), backend: backend() });
    };
    await expect(run("  vendorgate:residency: eu\n")).rejects.toThrow(/Pulumi\.eu-only\.yaml:2:\d+ .*vendorgate:residency/s);
    await expect(run("  vendorgate:enforcement:\n    VG999: mandatory\n")).rejects.toThrow(/Pulumi\.eu-only\.yaml:3:\d+ .*VG999/s);
    // A list is applied: an EU endpoint passes an EU-only stack and is blocked (VG007) in a US-only one.
    expect((await run("  vendorgate:residency: [eu]\n")).code).toBe(0);
    const us = await run("  vendorgate:residency: [us]\n");
    expect(us.code).toBe(1);
  });

  it("a stack with no deployed state is an error, never an empty allow-list", async () => {
    await expect(allowlist({ from: "state", stack: "staging", project: project(), backend: backend() })).rejects.toThrow(UsageError);
    await expect(allowlist({ from: "state", stack: "staging", project: project(), backend: backend() })).rejects.toThrow(/no deployed state of stack "staging" of project shop/);
  });
});
