import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExposure } from "../../src/commands/exposure.ts";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { readBackend, recordedFlow } from "../../src/sources/backend.ts";
import { parseBackendUrl } from "../../src/sources/backend-url.ts";
import type { Exposure } from "../../src/audit/exposure/exposure.ts";
import { packageRoot } from "../../src/paths.ts";

/*
 * A hand-written file backend: the layout and checkpoint shape of the one `vendorgate up` writes
 * (see the drill test for a real one), with the cases a real history accumulates: a field added
 * and removed, a transform changed, a flow switched off, a secret URL, a deleted stack.
 */

const REGISTRY = join(packageRoot, "examples/shop/policy/vendors.yaml");
let dir: string;

interface Field {
  path: string;
  category: string;
  transform?: string;
}

function integration(name: string, vendor: string, fields: Field[], extra: Record<string, unknown> = {}) {
  return {
    urn: `urn:pulumi:s::p::${INTEGRATION_TYPE}::${name}`,
    type: INTEGRATION_TYPE,
    custom: false,
    outputs: {
      name,
      vendor,
      purpose: "analytics.reporting",
      subjects: ["customer"],
      enabled: true,
      destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
      credentials: { secret: true },
      fields: fields.map((f) => ({ transform: "none", ...f })),
      ...extra,
    },
  };
}

function checkpoint(time: string, resources: unknown[]) {
  return JSON.stringify({ version: 3, checkpoint: { stack: "organization/p/s", latest: { manifest: { time, version: "v3.274.1" }, resources } } });
}

function write(path: string, text: string | Buffer) {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}

const email: Field = { path: "properties.$email", category: "user.contact.email" };
const os: Field = { path: "properties.$os", category: "user.device" };
const id = (transform: string): Field => ({ path: "properties.distinct_id", category: "user.unique_id", transform });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vendorgate-exposure-"));
  const p = join(dir, "backend", ".pulumi");
  write(join(p, "meta.yaml"), "version: 1\n");
  const hist = (stack: string, ns: string, text: string | Buffer, gz = false) =>
    write(join(p, "history", "shop", stack, `${stack}-${ns}.checkpoint.json${gz ? ".gz" : ""}`), text);
  // prod: raw IDs and email in March, email removed and IDs pseudonymised in June.
  const march = [integration("analytics", "mixpanel", [id("none"), email, os]), integration("chat", "zendesk", [email])];
  const june = [integration("analytics", "mixpanel", [id("pseudonymize"), os]), integration("chat", "zendesk", [email])];
  hist("prod", "1772323200000000000", checkpoint("2026-03-01T10:00:00.123456789+01:00", march));
  hist("prod", "1780272000000000000", gzipSync(checkpoint("2026-06-01T00:00:00Z", june)), true);
  write(join(p, "stacks", "shop", "prod.json"), checkpoint("2026-06-01T00:00:00Z", june));
  // staging: a flow switched off, and one whose URL is a secret.
  const staging = [
    integration("replay", "mixpanel", [{ path: "events.url", category: "user.behavior.browsing_history" }], { enabled: false }),
    integration("secret-url", "mixpanel", [{ path: "x", category: "user.name" }], {
      destination: { url: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:SECRETCIPHER" }, region: "eu" },
    }),
  ];
  hist("staging", "1775000000000000000", checkpoint("2026-04-01T00:00:00Z", staging));
  write(join(p, "stacks", "shop", "staging.json"), checkpoint("2026-04-01T00:00:00Z", staging));
  // old: a stack removed in May; its history is all that is left of it.
  hist("old", "1770000000000000000", checkpoint("2026-02-02T00:00:00Z", [integration("legacy", "mixpanel", [{ path: "ip", category: "user.device.ip_address" }])]));
  hist("old", "1777000000000000000", "{ not json");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const warnings: string[] = [];
const warn = (s: string) => void warnings.push(s);

async function exposure(extra: Record<string, unknown> = {}): Promise<{ e: Exposure; text: string }> {
  let text = "";
  await runExposure({ vendor: "mixpanel", format: "json", registry: REGISTRY, backend: join(dir, "backend"), state: true, ...extra }, (s) => (text += s), warn);
  return { e: JSON.parse(text) as Exposure, text };
}

describe("the local backend", () => {
  const fileBackend = (d: string) => parseBackendUrl({ value: `file://${d}`, from: "test", baseDir: dir });

  it("reads current state and every checkpoint, gzipped or not, in time order, and reports what it cannot read", async () => {
    const b = await readBackend(fileBackend(join(dir, "backend")), { history: true, progress: false });
    expect(b.snapshots.map((s) => [s.stack, s.kind, s.time])).toEqual([
      ["old", "history", "2026-02-02T00:00:00Z"],
      ["prod", "state", "2026-06-01T00:00:00Z"],
      ["prod", "history", "2026-03-01T09:00:00Z"],
      ["prod", "history", "2026-06-01T00:00:00Z"],
      ["staging", "state", "2026-04-01T00:00:00Z"],
      ["staging", "history", "2026-04-01T00:00:00Z"],
    ]);
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0]).toMatch(/old-1777000000000000000\.checkpoint\.json: cannot read checkpoint/);
    expect(b.unreadable).toBe(1);
  });

  it("never takes a secret's ciphertext into a declaration", () => {
    const flow = recordedFlow({ name: "x", vendor: "v", fields: [], destination: { url: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "c" } } });
    expect(flow).toMatchObject({ destination: { url: "[secret]" } });
    expect(JSON.stringify(flow)).not.toContain("ciphertext");
    expect(recordedFlow({ vendor: "v" })).toBe("no name or vendor in its outputs");
  });
});

describe("exposure", () => {
  it("dates each field from the checkpoints: first seen, and when a deploy removed it", async () => {
    const { e, text } = await exposure();
    const rec = (stack: string, field: string, transform?: string) =>
      e.records.find((r) => r.stack === stack && r.field === field && (transform === undefined || r.transform === transform));
    expect(rec("prod", "properties.$email")).toMatchObject({
      firstSeen: "2026-03-01T09:00:00Z",
      lastSeen: "2026-03-01T09:00:00Z",
      removed: "2026-06-01T00:00:00Z",
      active: false,
      origins: ["history"],
    });
    expect(rec("prod", "properties.distinct_id", "none")).toMatchObject({ removed: "2026-06-01T00:00:00Z", active: false });
    expect(rec("prod", "properties.distinct_id", "pseudonymize")).toMatchObject({ firstSeen: "2026-06-01T00:00:00Z", active: true, origins: ["history", "state"] });
    expect(rec("prod", "properties.$os")).toMatchObject({ firstSeen: "2026-03-01T09:00:00Z", active: true });
    expect(rec("prod", "properties.$os")!.removed).toBeUndefined();
    // A deleted stack's flows count; with no later snapshot there is no removal date.
    expect(rec("old", "ip")).toMatchObject({ lastSeen: "2026-02-02T00:00:00Z", active: false });
    // Switched off: nothing was sent.
    expect(e.records.some((r) => r.integration === "replay")).toBe(false);
    // Zendesk's email flow is not Mixpanel's.
    expect(e.records.some((r) => r.integration === "chat")).toBe(false);
    expect(rec("staging", "x")!.endpoint).toBe("[secret]");
    expect(text).not.toContain("SECRETCIPHER");
    expect(e.period).toEqual({ first: "2026-02-02T00:00:00Z", active: true });
    // The unreadable checkpoint is reported, not skipped silently.
    expect(warnings.at(-1)).toMatch(/^vendorgate: warning: .*old-1777000000000000000\.checkpoint\.json: cannot read checkpoint/);
    expect(e.categories.find((c) => c.key === "user.unique_id")).toMatchObject({ transforms: ["none", "pseudonymize"], active: true });
    expect(e.categories.find((c) => c.key === "user.device.ip_address")?.ancestors).toEqual([
      { key: "user", name: "User Data" },
      { key: "user.device", name: "Device Data" },
    ]);
  });

  it("--since keeps what may have been sent on or after the date", async () => {
    const { e } = await exposure({ since: "2026-05-15" });
    expect(e.since).toBe("2026-05-15");
    expect(e.records.map((r) => `${r.stack}/${r.field}/${r.transform}`)).toEqual([
      "prod/properties.$email/none",
      "prod/properties.$os/none",
      "prod/properties.distinct_id/none",
      "prod/properties.distinct_id/pseudonymize",
      "staging/x/none",
    ]);
    const { e: late } = await exposure({ since: "2026-07-01" });
    expect(late.records.map((r) => r.field)).toEqual(["properties.$os", "properties.distinct_id", "x"]);
  });

  it("renders every format deterministically", async () => {
    for (const format of ["text", "json", "csv", "markdown", "notice"]) {
      const run = async () => {
        let s = "";
        await runExposure({ vendor: "mixpanel", format, registry: REGISTRY, backend: join(dir, "backend"), state: true } as never, (x) => (s += x), warn);
        return s;
      };
      const [a, b] = [await run(), await run()];
      expect(a, format).toBe(b);
      expect(a).not.toContain("SECRETCIPHER");
    }
  });

  it("tells apart two projects' stacks of the same name", async () => {
    const b = join(dir, "two-projects", ".pulumi");
    write(join(b, "meta.yaml"), "version: 1\n");
    for (const project of ["shop", "blog"]) {
      write(join(b, "stacks", project, "prod.json"), checkpoint("2026-05-01T00:00:00Z", [integration("analytics", "mixpanel", [os])]));
    }
    let text = "";
    await runExposure({ vendor: "mixpanel", format: "json", registry: REGISTRY, backend: join(dir, "two-projects"), state: true }, (x) => (text += x), warn);
    const e = JSON.parse(text) as Exposure;
    expect(e.records.map((r) => r.stack)).toEqual(["blog/prod", "shop/prod"]);
    expect(e.records.every((r) => r.active && r.firstSeen === "2026-05-01T00:00:00Z")).toBe(true);
  });

  it("writes CSV a spreadsheet cannot mistake for formulas", async () => {
    const manifest = join(dir, "hostile.manifest.yaml");
    writeFileSync(
      manifest,
      [
        "apiVersion: vendorgate/v1",
        "integrations:",
        "  - name: a",
        "    vendor: mixpanel",
        "    purpose: analytics.reporting",
        "    subjects: [customer]",
        "    destination: { url: 'https://api.mixpanel.com/x', region: us }",
        "    fields:",
        "      - { path: '=HYPERLINK(\"http://evil\")', category: user.device }",
        "      - { path: 'a,\"b\"', category: user.device }",
      ].join("\n"),
    );
    let csv = "";
    await runExposure({ vendor: "mixpanel", format: "csv", registry: REGISTRY, manifest: [manifest], state: false }, (s) => (csv += s));
    const lines = csv.split("\r\n");
    expect(lines[0]).toMatch(/^vendor,stack,integration,purpose,subjects,endpoint,region,field,category/);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(csv).toContain(`"a,""b"""`);
  });
});
