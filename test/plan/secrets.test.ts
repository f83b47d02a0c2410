import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/commands/check.ts";
import { runDiff } from "../../src/commands/diff.ts";
import { runPlan } from "../../src/commands/plan.ts";
import { runDeploy } from "../../src/commands/preview.ts";
import { DEMO_PASSPHRASE, projectInfo } from "../../src/pulumi/project.ts";
import { diffFormatNames } from "../../src/diff/format.ts";
import { decodeProperties, REDACTED, redactString } from "../../src/plan/decode.ts";
import { formatNames } from "../../src/report/index.ts";
import { UnknownValue } from "../../src/stack/resource.ts";
import * as pulumi from "@pulumi/pulumi";
import { FAKE_SECRET, NOW } from "./helpers.ts";

/*
 * "Nothing secret leaves": the fixture project (test/fixtures/plan/secrets) passes one fake
 * credential every way a program can, from encrypted config and from plain config. No output of
 * plan, diff or check, in any format, may contain it, whatever the verdict.
 */

const project = join(import.meta.dirname, "..", "fixtures", "plan", "secrets");
// The fixture's stacks are encrypted with the demo passphrase; a user gives theirs the same way.
process.env.PULUMI_CONFIG_PASSPHRASE ??= DEMO_PASSPHRASE;
const work = mkdtempSync(join(tmpdir(), "vendorgate-secrets-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const policy = { registry: "examples/shop/policy/vendors.yaml", now: NOW };

async function capture(run: (out: (s: string) => void, warn: (s: string) => void) => Promise<number>): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await run(
    (s) => (text += s),
    (s) => (text += s),
  );
  return { code, text };
}

const plan = (stack: string, format: (typeof formatNames)[number]) =>
  capture((out, warn) => runPlan({ ...policy, stack, format, decrypt: true, backend: join(work, "backend"), project }, out, warn));

const vg011 = (json: string) =>
  (JSON.parse(json) as { violations: { rule: string; integration: string }[] }).violations
    .filter((v) => v.rule === "VG011")
    .map((v) => v.integration);

describe("the fake credential", () => {
  const json: Record<string, string> = {};
  beforeAll(async () => {
    for (const stack of ["encrypted", "plain"]) json[stack] = (await plan(stack, "json")).text;
  }, 600_000);

  it("is judged: only credentials that are not kept secret are VG011", () => {
    expect(vg011(json.encrypted!)).toEqual(["plain-literal"]);
    // With the value in plain text in the stack file, every use of it is exposed, secret() or not.
    expect(vg011(json.plain!)).toEqual(["from-config", "plain-literal", "secret-literal", "secret-url"]);
  });

  it.each(["encrypted", "plain"])("appears in no format of plan (stack %s)", async (stack) => {
    for (const format of formatNames) {
      const { code, text } = await plan(stack, format);
      expect(code, format).toBe(1);
      expect(text.length, format).toBeGreaterThan(100);
      expect(text, format).not.toContain(FAKE_SECRET);
    }
    // Each plan runs the program in a process of its own.
  }, 900_000);

  it("appears in no format of diff between the two plans", async () => {
    writeFileSync(join(work, "encrypted.json"), json.encrypted!);
    writeFileSync(join(work, "plain.json"), json.plain!);
    for (const format of diffFormatNames) {
      const { text } = await capture((out) => runDiff({ ...policy, base: join(work, "encrypted.json"), head: join(work, "plain.json"), format }, out));
      expect(text, format).toContain("from-config");
      expect(text, format).not.toContain(FAKE_SECRET);
    }
  });

  it("appears in no format of check on the plan's declarations", async () => {
    const manifest = join(work, "plain.manifest.json");
    writeFileSync(manifest, JSON.stringify((JSON.parse(json.plain!) as { manifest: unknown }).manifest));
    for (const format of formatNames) {
      const { code, text } = await capture((out) => runCheck({ ...policy, manifest, format }, out));
      expect(code, format).toBe(1);
      expect(text, format).not.toContain(FAKE_SECRET);
    }
  });

  it("appears in no output of check when pasted into a manifest (an input error that must not echo it)", async () => {
    const manifest = join(work, "pasted.manifest.yaml");
    writeFileSync(
      manifest,
      [
        "apiVersion: vendorgate/v1",
        "integrations:",
        "  - name: pasted",
        "    vendor: mixpanel",
        "    purpose: analytics.reporting",
        "    subjects: [customer]",
        '    destination: { url: "https://api.mixpanel.com/track", region: eu }',
        `    credentials: { secret: "${FAKE_SECRET}", value: "${FAKE_SECRET}" }`,
        "    fields: [{ path: properties.os, category: user.device }]",
        "",
      ].join("\n"),
    );
    const err = await capture((out) => runCheck({ ...policy, manifest, format: "json" }, out)).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toMatch(/credentials\.secret/);
    expect(String((err as Error).message)).not.toContain(FAKE_SECRET);
  });

  it("keeps the host of a secret URL, which the policy judges, and nothing after it", () => {
    const stray = (JSON.parse(json.encrypted!) as { resources: { name: string; destinations: { endpoint?: string }[] }[] }).resources.find((r) => r.name === "stray-webhook");
    expect(stray?.destinations).toEqual([{ via: "subscription endpoint", endpoint: "https://hooks.example.com" }]);
    const declared = (JSON.parse(json.encrypted!) as { manifest: { integrations: { name: string; destination: { url: string } }[] } }).manifest.integrations;
    expect(declared.find((i) => i.name === "secret-url")?.destination.url).toBe("https://api-eu.mixpanel.com");
  });
});

/** Every file under `dir`, as text: the state, its backups and history included. */
function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? allFiles(p) : [readFileSync(p, "utf8")];
  });
}

describe("the fake credential in a real preview and up (policy pack, state)", () => {
  const backend = join(work, "deploy-backend");
  const deploy = async (op: "preview" | "up", stack: string) => {
    let log = "";
    const r = await runDeploy(
      op,
      { stack, backend, registry: join(import.meta.dirname, "../../examples/shop/policy/vendors.yaml"), now: NOW, stream: true, pulumiProject: projectInfo(project) },
      (s) => (log += s),
    );
    return { r, text: `${JSON.stringify(r)}\n${log}` };
  };

  it("is blocked as plain text in the stack file, and the pack never prints it", async () => {
    const { r, text } = await deploy("preview", "plain");
    expect(r.ok).toBe(false);
    expect(r.findings.filter((f) => f.policy === "plaintext-credential").length).toBeGreaterThan(0);
    expect(text).not.toContain(FAKE_SECRET);
  }, 180_000);

  it("passes when kept secret, and up writes it nowhere in plain text", async () => {
    const { r, text } = await deploy("up", "encrypted");
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(text).not.toContain(FAKE_SECRET);
    const files = allFiles(backend);
    expect(files.some((f) => f.includes("vendorgate:index:Integration"))).toBe(true);
    for (const f of files) expect(f).not.toContain(FAKE_SECRET);
  }, 180_000);
});

describe("decodeProperties", () => {
  const secret = (value: unknown) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value });

  it("redacts every secret value, nested ones included, and keeps booleans", () => {
    const props = decodeProperties({
      plain: "p",
      token: secret(FAKE_SECRET),
      nested: secret({ a: FAKE_SECRET, n: 42, on: true, list: [FAKE_SECRET] }),
      url: secret(`https://hooks.example.com/x/${FAKE_SECRET}?k=${FAKE_SECRET}`),
    });
    expect(props).toEqual({
      plain: "p",
      token: REDACTED,
      nested: { a: REDACTED, n: REDACTED, on: true, list: [REDACTED] },
      url: "https://hooks.example.com/[secret]",
    });
    expect(JSON.stringify(props)).not.toContain(FAKE_SECRET);
  });

  it("never keeps user info of a secret URL", () => {
    expect(redactString(`https://user:${FAKE_SECRET}@api.example.com/x`)).toBe("https://api.example.com/[secret]");
    expect(redactString(`ftp://${FAKE_SECRET}`)).toBe(REDACTED);
  });

  it("makes a value unknown until the deploy throw UnknownValue naming it when read", () => {
    const props = decodeProperties({ a: { b: pulumi.runtime.unknownValue }, list: ["x", pulumi.runtime.unknownValue] });
    expect(() => (props.a as Record<string, unknown>).b).toThrow(UnknownValue);
    expect(() => (props.a as Record<string, unknown>).b).toThrow(/a\.b is not known/);
    expect(() => (props.list as unknown[])[1]).toThrow(/list\[1\] is not known/);
    expect((props.list as unknown[])[0]).toBe("x");
  });

  it("reads an output value's secret flag and unknown state", () => {
    const out = (value: unknown, secretFlag: boolean) => ({ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialOutputValueSig, value, secret: secretFlag });
    const props = decodeProperties({ s: out(FAKE_SECRET, true), p: out("x", false), u: { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialOutputValueSig } });
    expect(props.s).toBe(REDACTED);
    expect(props.p).toBe("x");
    expect(() => props.u).toThrow(UnknownValue);
  });
});
