import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.ts";
import { loadStackConfig } from "../../src/plan/config.ts";
import { findTool } from "../../src/paths.ts";
import { DEMO_PASSPHRASE, projectInfo } from "../../src/pulumi/project.ts";
import { FAKE_SECRET } from "./helpers.ts";

/*
 * A user's machine has the pulumi CLI on PATH and no vendorgate tool cache (only a checkout's
 * setup builds one). Decrypting a passphrase stack must use the CLI from PATH; it asked the tool
 * cache only, and plan and preview then failed with "cannot decrypt ..., set
 * PULUMI_CONFIG_PASSPHRASE" although the passphrase was set.
 */

const project = projectInfo(join(import.meta.dirname, "..", "fixtures", "plan", "secrets"));
const scratch = mkdtempSync(join(tmpdir(), "vendorgate-pulumi-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Found before the tests hide the tool cache (a checkout's setup puts the CLI there, maybe not on PATH).
const pulumi = findTool("pulumi");

const saved = { PATH: process.env.PATH, VENDORGATE_TOOLS: process.env.VENDORGATE_TOOLS, PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE };
beforeEach(() => {
  process.env.VENDORGATE_TOOLS = join(scratch, "no-tools");
  process.env.PULUMI_CONFIG_PASSPHRASE = DEMO_PASSPHRASE;
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("the pulumi CLI without vendorgate's tool cache", () => {
  it("is taken from PATH to decrypt a passphrase stack", async () => {
    expect(pulumi, "the test needs a pulumi CLI (npm run setup)").toBeDefined();
    const bin = join(scratch, "user-bin");
    mkdirSync(bin, { recursive: true });
    symlinkSync(pulumi!, join(bin, "pulumi"));
    process.env.PATH = [bin, dirname(process.execPath), "/usr/bin", "/bin"].join(":");

    const config = await loadStackConfig(project, "encrypted", { decrypt: true });
    expect(config.placeholders).toBe(false);
    expect(config.values["vg-secrets:token"]).toBe(FAKE_SECRET);
  }, 120_000);

  it("missing from PATH too is said as such, not as a wrong passphrase", async () => {
    process.env.PATH = [dirname(process.execPath), "/usr/bin", "/bin"].join(":");
    const err = await loadStackConfig(project, "encrypted", { decrypt: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/pulumi CLI is not installed.*PATH/);
  }, 120_000);

  it("a wrong passphrase is said once, with the CLI's own reason", async () => {
    process.env.PULUMI_CONFIG_PASSPHRASE = "not-the-passphrase";
    process.env.PATH = [dirname(pulumi!), dirname(process.execPath), "/usr/bin", "/bin"].join(":");
    const err = await loadStackConfig(project, "encrypted", { decrypt: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const message = (err as Error).message;
    expect(message).toMatch(/cannot decrypt the stack's secure values \(error: .*incorrect passphrase\)/);
    expect(message.match(/incorrect passphrase/g)).toHaveLength(1);
  }, 120_000);
});
