import { homedir } from "node:os";
import { describe, expect, it } from "vitest";
import { chooseBackend, parseBackendUrl, redactUrl } from "../../src/sources/backend-url.ts";

const parse = (value: string) => parseBackendUrl({ value, from: "--backend", baseDir: "/srv/project" });

describe("Pulumi backend URLs", () => {
  it("file:// URLs and plain paths, relative ones against the setting's directory", () => {
    expect(parse("file:///var/state")).toEqual({ kind: "file", url: "file:///var/state", dir: "/var/state" });
    expect(parse("file://state")).toMatchObject({ dir: "/srv/project/state" });
    expect(parse("file://~/state")).toMatchObject({ dir: `${homedir()}/state` });
    expect(parse("../state")).toMatchObject({ kind: "file", dir: "/srv/state" });
  });

  it("s3:// URLs with Pulumi's (gocloud.dev's) parameters", () => {
    expect(parse("s3://acme-state/pulumi/prod?region=eu-west-1&endpoint=minio.internal:9000&disable_https=true&use_path_style=true&awssdk=v2")).toEqual({
      kind: "s3",
      url: "s3://acme-state/pulumi/prod?region=eu-west-1&endpoint=http://minio.internal:9000",
      bucket: "acme-state",
      prefix: "pulumi/prod/",
      region: "eu-west-1",
      endpoint: "http://minio.internal:9000",
      pathStyle: true,
      anonymous: false,
    });
    expect(parse("s3://acme-state")).toMatchObject({ bucket: "acme-state", prefix: "", pathStyle: false });
    expect(parse("s3://b?s3ForcePathStyle=true&profile=ops")).toMatchObject({ pathStyle: true, profile: "ops" });
  });

  it("refuses what it cannot read faithfully, naming the setting", () => {
    expect(() => parse("s3://b?regoin=x")).toThrow(/^--backend: unknown parameter "regoin"/);
    expect(() => parse("s3://b?use_path_style=maybe")).toThrow(/not a boolean/);
    expect(() => parse("s3://key:secret@b")).toThrow(/not in the backend URL/);
    expect(() => parse("azblob://container")).toThrow(/not azblob:\/\//);
    expect(() => parse("")).toThrow(/empty backend URL/);
  });

  it("Pulumi Cloud URLs go to the CLI, without credentials in what is printed", () => {
    expect(parse("https://api.pulumi.com/")).toEqual({ kind: "cloud", url: "https://api.pulumi.com" });
    expect(redactUrl("https://user:token@pulumi.example.com")).toBe("https://[redacted]@pulumi.example.com");
  });

  it("precedence: --backend, vendorgate.yaml, PULUMI_BACKEND_URL, VENDORGATE_BACKEND", () => {
    const env = { PULUMI_BACKEND_URL: "s3://from-env", VENDORGATE_BACKEND: "/vg" };
    const config = { url: "file://state", file: "vendorgate.yaml", dir: "/p" };
    expect(chooseBackend({ flag: "/flag", config, env, cwd: "/c" })).toEqual({ value: "/flag", from: "--backend", baseDir: "/c" });
    expect(chooseBackend({ config, env, cwd: "/c" })).toEqual({ value: "file://state", from: "vendorgate.yaml (backend)", baseDir: "/p" });
    expect(chooseBackend({ env, cwd: "/c" })).toMatchObject({ value: "s3://from-env", from: "PULUMI_BACKEND_URL" });
    expect(chooseBackend({ env: { VENDORGATE_BACKEND: "/vg" }, cwd: "/c" })).toMatchObject({ from: "VENDORGATE_BACKEND" });
    expect(chooseBackend({ env: {}, cwd: "/c" })).toBeUndefined();
  });
});
