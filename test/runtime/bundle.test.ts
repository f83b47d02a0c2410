import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../bench/lib.ts";
import type * as Runtime from "../../src/runtime/index.ts";

/*
 * vendorgate/runtime ships to browsers: bundled for one, it must hold no Node module, no Pulumi,
 * no policy engine and no zod, and stay small. (Its exact size is in `npm run bench`.)
 */
describe("vendorgate/runtime as a browser bundle", () => {
  it("bundles for the browser from its own sources and @noble/hashes alone, under 12 KB gzipped", async () => {
    const result = await build({
      entryPoints: [`${repoRoot}/src/runtime/index.ts`],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    for (const input of inputs) expect(input).toMatch(/^(src\/runtime\/|node_modules\/@noble\/hashes\/)/);
    expect(inputs.some((i) => i.startsWith("src/runtime/undici"))).toBe(false);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/from\s*"node:|require\(/);
    expect(gzipSync(code).length).toBeLessThan(12 * 1024);
  });

  it("the bundle filters in a context without Node's crypto (the JavaScript digests)", async () => {
    const result = await build({
      entryPoints: [`${repoRoot}/src/runtime/index.ts`],
      bundle: true,
      format: "esm",
      platform: "browser",
      write: false,
      logLevel: "silent",
    });
    const url = `data:text/javascript;base64,${Buffer.from(result.outputFiles[0]!.text).toString("base64")}`;
    const runtime = (await import(/* @vite-ignore */ url)) as typeof Runtime;
    const list = {
      kind: "vendorgate/allowlist",
      schemaVersion: 1,
      source: "deploy",
      verdict: "pass",
      integrations: [{ name: "a", vendor: "v", verdict: "pass", destination: { url: "https://v.example/in" }, fields: [{ path: "id", category: "user.unique_id", transform: "hash" }] }],
    };
    const getBuiltinModule = process.getBuiltinModule;
    // What a browser (or Node < 22.3) offers: no synchronous way to Node's crypto.
    (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
    try {
      expect(runtime.createGuards(list).for("a").filter({ id: "abc", email: "x" })).toEqual({ id: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" });
    } finally {
      process.getBuiltinModule = getBuiltinModule;
    }
  });
});
