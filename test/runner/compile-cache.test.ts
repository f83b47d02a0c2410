// The program host's compiled-code cache runs in the process that reports the program's resources:
// it must live where only whoever installed vendorgate can write, never in a shared temporary folder.
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { packageCacheDir } from "../../src/paths.ts";
import { childEnv } from "../../src/runner/runner.ts";

describe("vendorgate's cache", () => {
  it("is the .cache of the node_modules holding the package, hoisted or nested", () => {
    expect(packageCacheDir(join(sep, "p", "node_modules", "vendorgate"))).toBe(join(sep, "p", "node_modules", ".cache", "vendorgate"));
    expect(packageCacheDir(join(sep, "p", "node_modules", "a", "node_modules", "vendorgate"))).toBe(join(sep, "p", "node_modules", "a", "node_modules", ".cache", "vendorgate"));
    expect(packageCacheDir(join(sep, "src", "vendorgate"))).toBe(join(sep, "src", "vendorgate", "node_modules", ".cache", "vendorgate"));
  });
});

describe("the program host's compile cache", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("is kept in vendorgate's cache, not the shared temporary folder", () => {
    vi.stubEnv("NODE_COMPILE_CACHE", undefined);
    const dir = childEnv().NODE_COMPILE_CACHE!;
    expect(dir).toBe(join(packageCacheDir(), "program-host"));
    expect(dir).not.toBe(join(tmpdir(), "vendorgate-node-compile-cache"));
  });

  it("keeps a cache folder the user chose", () => {
    vi.stubEnv("NODE_COMPILE_CACHE", join(sep, "chosen"));
    expect(childEnv().NODE_COMPILE_CACHE).toBe(join(sep, "chosen"));
  });
});
