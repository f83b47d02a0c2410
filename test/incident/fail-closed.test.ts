// Issue 15, item 8: an incident command that could not look at its sources must say so (exit 2 and
// the reason), never answer "No field was ever declared" or list nothing as blocked.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runExposure } from "../../src/commands/exposure.ts";
import { runReview } from "../../src/commands/review.ts";
import { runSetStatus } from "../../src/commands/vendor.ts";
import { packageRoot } from "../../src/paths.ts";
import { BackendError } from "../../src/sources/errors.ts";

const REGISTRY = join(packageRoot, "examples/shop/policy/vendors.yaml");
let dir: string;
let registry: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vendorgate-failclosed-"));
  registry = join(dir, "vendors.yaml");
  copyFileSync(REGISTRY, registry);
  mkdirSync(join(dir, "not-a-backend"));
  writeFileSync(join(dir, "a-file"), "x");
  // Dummy credentials, so the S3 case fails on the connection (the credential chain's own error
  // is as much a reason, but depends on the machine).
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sink = () => {};
const exposure = (backend: string) => runExposure({ vendor: "mixpanel", format: "text", registry: REGISTRY, backend, state: true }, sink, sink);

describe("incident commands fail closed on their sources", () => {
  it.each([
    ["a directory that does not exist", () => join(dir, "nonexistent"), /backend .*nonexistent does not exist \(backend set by --backend\)/],
    ["a file:// URL that does not exist", () => `file://${join(dir, "nonexistent")}`, /nonexistent does not exist/],
    ["a directory with no Pulumi state", () => join(dir, "not-a-backend"), /holds no Pulumi state \(no \.pulumi directory\)/],
    ["a file", () => join(dir, "a-file"), /is not a directory/],
    ["an S3 endpoint nothing listens on", () => "s3://state?region=us-east-1&endpoint=http://127.0.0.1:1&use_path_style=true", /s3:\/\/state.* cannot be listed: .*ECONNREFUSED/],
    ["an S3 URL with an unknown parameter", () => "s3://state?regoin=eu-west-1", /unknown parameter "regoin"/],
    ["a backend kind vendorgate cannot read", () => "gs://bucket/state", /reads file:\/\/, s3:\/\/ .* not gs:\/\//],
  ])("exposure: %s is an error with the reason", async (_, backend, reason) => {
    await expect(exposure(backend())).rejects.toThrow(BackendError);
    await expect(exposure(backend())).rejects.toThrow(reason);
  });

  it("vendorgate.yaml's backend is the one read, and fails closed the same way", async () => {
    const project = join(dir, "project");
    mkdirSync(project);
    copyFileSync(REGISTRY, join(project, "vendors.yaml"));
    writeFileSync(join(project, "vendorgate.yaml"), "apiVersion: vendorgate/v1\nregistry: vendors.yaml\nbackend: file://state\n");
    await expect(runExposure({ vendor: "mixpanel", format: "text", project, state: true }, sink, sink)).rejects.toThrow(
      /backend .*project\/state does not exist \(backend set by .*vendorgate\.yaml \(backend\)\)/,
    );
    // --backend still wins over it.
    await expect(runExposure({ vendor: "mixpanel", format: "text", project, backend: join(dir, "not-a-backend"), state: true }, sink, sink)).rejects.toThrow(/no \.pulumi directory/);
  });

  it("review fails the same way", async () => {
    await expect(runReview({ registry: REGISTRY, format: "text", backend: join(dir, "nonexistent"), state: true }, sink, sink)).rejects.toThrow(/does not exist/);
  });

  it("vendor suspend fails before touching the registry", async () => {
    const before = readFileSync(registry, "utf8");
    await expect(
      runSetStatus("mixpanel", "suspended", { reason: "breach", by: "sec", registry, backend: join(dir, "nonexistent"), state: true }, sink, sink),
    ).rejects.toThrow(/does not exist/);
    expect(readFileSync(registry, "utf8")).toBe(before);
  });

  it("on the command line (the issue's case): exit 2, the reason, and no report", () => {
    const r = spawnSync(process.execPath, [join(packageRoot, "bin/vendorgate.js"), "exposure", "--vendor", "mixpanel", "--registry", REGISTRY, "--backend", join(dir, "nonexistent")], {
      cwd: dir,
      env: { ...process.env, VENDORGATE_DEBUG: "" },
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^vendorgate: backend .*nonexistent does not exist \(backend set by --backend\)\n$/);
    expect(r.stdout).toBe("");
  });
});
