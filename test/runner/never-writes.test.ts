import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runPlan } from "../../src/commands/plan.ts";
import { runDeploy } from "../../src/commands/preview.ts";
import { packageRoot } from "../../src/paths.ts";
import { DEMO_PASSPHRASE, projectInfo } from "../../src/pulumi/project.ts";

/*
 * Every command reads Pulumi.yaml, the stack files and the program without writing them, whatever
 * the stack's secrets provider. Only the passphrase provider is decrypted (with the user's
 * passphrase); any other provider, or no passphrase, is judged with placeholders, and says so.
 */

const fixtureDir = join(packageRoot, "test", "fixtures", "runner", "providers");
const project = projectInfo(fixtureDir);
const work = mkdtempSync(join(tmpdir(), "vendorgate-never-writes-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const REGISTRY = join(packageRoot, "examples", "shop", "policy", "vendors.yaml");

function copyOutside(): string {
  const dir = mkdtempSync(join(work, "project-"));
  cpSync(fixtureDir, dir, { recursive: true });
  symlinkSync(join(packageRoot, "node_modules"), join(dir, "node_modules"));
  return dir;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name !== "node_modules" && statSync(p).isFile()) out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
  }
  return out;
}

async function withPassphrase<T>(passphrase: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = { p: process.env.PULUMI_CONFIG_PASSPHRASE, f: process.env.PULUMI_CONFIG_PASSPHRASE_FILE };
  delete process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (passphrase === undefined) delete process.env.PULUMI_CONFIG_PASSPHRASE;
  else process.env.PULUMI_CONFIG_PASSPHRASE = passphrase;
  try {
    return await run();
  } finally {
    for (const [k, v] of [["PULUMI_CONFIG_PASSPHRASE", saved.p], ["PULUMI_CONFIG_PASSPHRASE_FILE", saved.f]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const cases = [
  { stack: "passphrase", passphrase: DEMO_PASSPHRASE, note: undefined },
  { stack: "passphrase", passphrase: undefined, note: /PULUMI_CONFIG_PASSPHRASE and PULUMI_CONFIG_PASSPHRASE_FILE are not set/, outside: true },
  { stack: "kms", passphrase: DEMO_PASSPHRASE, note: /encrypted with AWS KMS, which vendorgate does not decrypt/ },
  { stack: "cloud", passphrase: DEMO_PASSPHRASE, note: /encrypted with Pulumi Cloud, which vendorgate does not decrypt/ },
];

describe("stack files are byte-identical after every command", () => {
  it.each(cases)("plan, stack $stack (passphrase: $passphrase)", async ({ stack, passphrase, note, outside }) => {
    // The package's own projects fall back to the demo passphrase; a user's project (outside it) never does.
    const dir = outside ? copyOutside() : fixtureDir;
    const before = snapshot(dir);
    let out = "";
    let warn = "";
    const code = await withPassphrase(passphrase, () =>
      runPlan({ stack, format: "json", decrypt: true, project: dir, registry: REGISTRY, now: "2026-11-29" }, (s) => (out += s), (s) => (warn += s)),
    );
    expect(code, warn).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ violations: [] });
    if (note) expect(warn).toMatch(note);
    else expect(warn).not.toMatch(/not decrypted/);
    expect(snapshot(dir)).toEqual(before);
  }, 300_000);

  it.each(cases.filter((c) => c.passphrase))("preview, stack $stack", async ({ stack, passphrase, note }) => {
    const before = snapshot(fixtureDir);
    const r = await withPassphrase(passphrase, () =>
      runDeploy("preview", { stack, pulumiProject: project, backend: join(work, "backend"), registry: REGISTRY, now: "2026-11-29", stream: false }, () => {}),
    );
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    if (note) expect(r.notDecrypted).toMatch(note);
    expect(snapshot(fixtureDir)).toEqual(before);
  }, 300_000);
});
