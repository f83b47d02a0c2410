// Pulumi state in an S3-compatible store, written by the real Pulumi engine (`up` through the
// Automation API with an s3:// backend URL) to a real S3 server (gofakes3) on 127.0.0.1, then read by
// exposure, review and vendor suspend; plus a generated backend for breadth, and the Pulumi CLI
// path that Pulumi Cloud is read through.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExposure } from "../../src/commands/exposure.ts";
import { runReview } from "../../src/commands/review.ts";
import { runSetStatus } from "../../src/commands/vendor.ts";
import type { Exposure } from "../../src/audit/exposure/exposure.ts";
import { packageRoot } from "../../src/paths.ts";
import { openStack, type ProjectInfo } from "../../src/pulumi/workspace.ts";
import { parseBackendUrl } from "../../src/sources/backend-url.ts";
import { readBackend } from "../../src/sources/backend.ts";
import { BackendError } from "../../src/sources/errors.ts";
import { Progress } from "../../src/sources/progress.ts";
import { readViaPulumiCli } from "../../src/sources/pulumi-cli.ts";
import { generateBackend } from "../support/generated-backend.ts";
import { S3_ENV, type S3Server, startS3Server } from "../support/s3-server.ts";

const REGISTRY = join(packageRoot, "examples/shop/policy/vendors.yaml");
let server: S3Server;
let scratch: string;
let url: string;
let genUrl: string;

const spec = (u: string) => parseBackendUrl({ value: u, from: "test", baseDir: scratch });
function capture() {
  let buf = "";
  return { out: (s: string) => void (buf += s), text: () => buf };
}
const sink = () => {};

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "vendorgate-s3-"));
  server = await startS3Server();
  await server.createBucket("state");
  url = server.url("state", "org-a");
  const root = join(scratch, "drill-project");
  mkdirSync(root);
  const project: ProjectInfo = { root, name: "drill-shop", main: join(packageRoot, "test/fixtures/incident/drill-program.ts"), stackConfigDir: root };
  const env = { PULUMI_BACKEND_URL: url, ...S3_ENV };
  // drill: deployed with the email field, then without it (only the first checkpoint keeps it).
  const { stack: drill } = await openStack("drill", { backendDir: join(scratch, "unused"), project, env });
  await drill.setConfig("identifyUsers", { value: "true" });
  await drill.up();
  await drill.setConfig("identifyUsers", { value: "false" });
  await drill.up();
  // eu: written gzipped, as PULUMI_DIY_BACKEND_GZIP makes the engine do.
  const { stack: eu } = await openStack("eu", { backendDir: join(scratch, "unused"), project, env: { ...env, PULUMI_DIY_BACKEND_GZIP: "true" } });
  await eu.up();

  await server.createBucket("generated");
  await generateBackend({ stacks: 20, checkpoints: 3, put: (key, body) => server.put("generated", `fleet/${key}`, body) });
  genUrl = server.url("generated", "fleet");
}, 900_000);

afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe("an s3:// backend written by the real Pulumi engine", () => {
  it("reads every stack's state and checkpoints, gzipped ones included, in the engine's own layout", async () => {
    const b = await readBackend(spec(url), { history: true, progress: false });
    expect(b.warnings).toEqual([]);
    expect(b.snapshots.map((s) => [s.project, s.stack, s.kind])).toEqual([
      ["drill-shop", "drill", "state"],
      ["drill-shop", "drill", "history"],
      ["drill-shop", "drill", "history"],
      ["drill-shop", "eu", "state"],
      ["drill-shop", "eu", "history"],
    ]);
    const eu = b.snapshots.filter((s) => s.stack === "eu");
    expect(eu.every((s) => s.file.startsWith("s3://state/org-a/.pulumi/") && s.file.endsWith(".json.gz"))).toBe(true);
    const [, first, second] = b.snapshots;
    expect(first!.flows.find((f) => f.name === "product-analytics")!.fields.map((f) => f.path)).toContain("properties.$email");
    expect(second!.flows.find((f) => f.name === "product-analytics")!.fields.map((f) => f.path)).not.toContain("properties.$email");
    expect(first!.time! < second!.time!).toBe(true);
  });

  it("exposure dates the removed field and lists the flows still sending, exactly as from a local copy of the same backend", async () => {
    const c = capture();
    await runExposure({ vendor: "mixpanel", format: "json", registry: REGISTRY, backend: url, state: true }, c.out, sink);
    const e = JSON.parse(c.text()) as Exposure;
    const email = e.records.find((r) => r.field === "properties.$email")!;
    expect(email).toMatchObject({ stack: "drill", active: false, origins: ["history"] });
    expect(email.removed! > email.firstSeen!).toBe(true);
    expect(e.stillSending.map((s) => [s.stack, s.integration])).toEqual([
      ["drill", "product-analytics"],
      ["eu", "product-analytics"],
    ]);
    expect(e.sources).toMatchObject({ backend: url.replace(/&use_path_style=true$/, "").replace(/%3A/g, ":").replace(/%2F/g, "/"), stacks: 2, checkpoints: 3 });

    // The same objects copied to disk and read as a file:// backend give the same records.
    const local = join(scratch, "copy");
    const listed = await server.client.send(new ListObjectsV2Command({ Bucket: "state", Prefix: "org-a/" }));
    for (const o of listed.Contents ?? []) {
      const body = await server.client.send(new GetObjectCommand({ Bucket: "state", Key: o.Key! }));
      const file = join(local, o.Key!.slice("org-a/".length));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, Buffer.from(await body.Body!.transformToByteArray()));
    }
    const l = capture();
    await runExposure({ vendor: "mixpanel", format: "json", registry: REGISTRY, backend: `file://${local}`, state: true }, l.out, sink);
    const strip = (x: Exposure) => x.records.map(({ files: _files, ...r }) => r);
    expect(strip(JSON.parse(l.text()) as Exposure)).toEqual(strip(e));
  });

  it("the notice says which flows still send until their next deploy instead of claiming sending stopped", async () => {
    const suspended = join(scratch, "suspended.yaml");
    writeFileSync(suspended, readFileSync(REGISTRY, "utf8").replace("  mixpanel:\n    name: Mixpanel\n    status: approved\n", "  mixpanel:\n    name: Mixpanel\n    status: suspended\n    statusChanged: 2026-11-29\n"));
    const n = capture();
    await runExposure({ vendor: "mixpanel", format: "notice", registry: suspended, backend: url, state: true }, n.out, sink);
    const notice = n.text();
    expect(notice).not.toMatch(/We stopped sending data to Mixpanel/);
    expect(notice).toContain("On 2026-11-29 we suspended our use of Mixpanel: no new release of our systems may send data to it. 2 of our systems that were already sending data to Mixpanel continue to do so until they are redeployed without it.");
    expect(notice).toMatch(/\| drill \| product-analytics \| `https:\/\/api-eu\.mixpanel\.com\/track` \| 20\d\d-/);
  });

  it("vendor suspend reads the same backend and lists the flows it blocks and those still sending", async () => {
    const registry = join(scratch, "vendors.yaml");
    copyFileSync(REGISTRY, registry);
    const c = capture();
    await runSetStatus("mixpanel", "suspended", { reason: "breach", by: "sec@example.com", registry, now: "2026-11-29", backend: url, state: true }, c.out, sink);
    const text = c.text();
    expect(text).toMatch(/Now blocked \(VG002 vendor-not-approved\): 2 integration\(s\) in 2 stack\(s\)/);
    expect(text).toMatch(/Still sending until their stack's next deploy: 2 integration\(s\) in deployed state/);
    expect(text).toMatch(/drill\s+product-analytics\s+https:\/\/api-eu\.mixpanel\.com\/track\s+deployed 20\d\d-/);
    expect(text).toContain("Looked at: Pulumi stacks in s3://state/org-a");
  });

  it("takes the backend from vendorgate.yaml", async () => {
    const project = join(scratch, "configured");
    mkdirSync(project);
    copyFileSync(REGISTRY, join(project, "vendors.yaml"));
    writeFileSync(join(project, "vendorgate.yaml"), `apiVersion: vendorgate/v1\nregistry: vendors.yaml\nbackend: ${JSON.stringify(url)}\n`);
    const c = capture();
    await runExposure({ vendor: "mixpanel", format: "json", project, state: true }, c.out, sink);
    expect((JSON.parse(c.text()) as Exposure).sources).toMatchObject({ stacks: 2, checkpoints: 3 });
    expect((JSON.parse(c.text()) as Exposure).sources.backend).toMatch(/^s3:\/\/state\/org-a\?/);
  });

  it("review reads the same backend", async () => {
    const c = capture();
    await runReview({ registry: REGISTRY, now: "2026-11-29", format: "json", backend: url, state: true }, c.out, sink);
    const r = JSON.parse(c.text()) as { sources: string[] };
    expect(r.sources.join(" ")).toContain("s3://state/org-a");
  });

  it("through the Pulumi CLI (the Pulumi Cloud path): current state matches; history the diy backend cannot export fails closed", async () => {
    const direct = await readBackend(spec(url), { history: false, progress: false });
    const cli = await readViaPulumiCli({ url, history: false, progress: false });
    expect(cli.snapshots.map((s) => [s.project, s.stack, s.kind, s.time, s.flows])).toEqual(direct.snapshots.map((s) => [s.project, s.stack, s.kind, s.time, s.flows]));
    await expect(readViaPulumiCli({ url, history: true, progress: false })).rejects.toThrow(/does not provide the ability to export previous deployments/);
  });

  it("a missing bucket or an empty prefix is an error, not an empty answer", async () => {
    await expect(readBackend(spec(server.url("nope", "org-a")), { history: true, progress: false })).rejects.toThrow(/cannot be listed: NoSuchBucket/);
    await expect(readBackend(spec(server.url("state", "org-b")), { history: true, progress: false })).rejects.toThrow(BackendError);
    await expect(readBackend(spec(server.url("state", "org-b")), { history: true, progress: false })).rejects.toThrow(/holds no Pulumi state/);
  });
});

describe("a generated backend", () => {
  it("reads every stack and checkpoint with a progress line of stacks read and time elapsed", async () => {
    const lines: string[] = [];
    const progress = new Progress({ label: genUrl, write: (s) => void lines.push(s), isTTY: false, delayMs: 0, everyMs: 0 });
    const b = await readBackend(spec(genUrl), { history: true, progress, concurrency: 8 });
    expect(new Set(b.snapshots.map((s) => s.stack)).size).toBe(20);
    expect(b.snapshots.filter((s) => s.kind === "history")).toHaveLength(60);
    expect(lines.at(-1)).toMatch(/^vendorgate: reading s3:\/\/generated\/fleet\?.*: 20\/20 stacks, \d+\.\d s\n$/);

    const c = capture();
    await runExposure({ vendor: "mixpanel", format: "json", registry: REGISTRY, backend: genUrl, state: true }, c.out, sink);
    const e = JSON.parse(c.text()) as Exposure;
    expect(e.sources).toMatchObject({ stacks: 20, checkpoints: 60 });
    expect(e.stillSending).toHaveLength(20);
  });
});
