import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../src/paths.ts";
import { vendorgate } from "./cli.ts";
import { EXAMPLE, EXAMPLE_REGISTRY, INCIDENT_MANIFEST } from "../scripts/example.ts";

/*
 * The built CLI (dist/cli.js, what `npx vendorgate` runs) goes through the bin's V8 code cache.
 * What is cached must never change what a command prints or its exit code. These runs need
 * `npm run build`; they compare the built CLI with itself, so a stale build cannot fail them.
 */
const scratch = mkdtempSync(join(tmpdir(), "vendorgate-code-cache-"));
const cacheRoot = join(scratch, "cache");
const cacheDir = join(cacheRoot, "vendorgate");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ARGS = ["check", "--manifest", INCIDENT_MANIFEST, "--registry", EXAMPLE_REGISTRY, "--now", "2026-11-29", "--format", "json"];
const built = (env: Record<string, string>) => vendorgate(ARGS, { VENDORGATE_RUN_SOURCES: "0", ...env });
const cached = () => built({ NODE_COMPILE_CACHE: cacheRoot });
const checkCaches = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.startsWith("cli-check-")) : []);

let uncached: ReturnType<typeof built>;
beforeAll(() => {
  if (!existsSync(join(packageRoot, "dist", "cli.js"))) throw new Error("dist/cli.js is missing: run `npm run build` first");
  uncached = built({ NODE_DISABLE_COMPILE_CACHE: "1" });
  expect(uncached.code, uncached.stderr).toBe(1);
});

describe("the built CLI's code cache", () => {
  it("NODE_DISABLE_COMPILE_CACHE=1 writes none", () => {
    built({ NODE_DISABLE_COMPILE_CACHE: "1", NODE_COMPILE_CACHE: cacheRoot });
    expect(checkCaches()).toEqual([]);
  });

  it("writes one cache for check on the first run, and the runs that read it print the same bytes and exit code", () => {
    const first = cached();
    expect(checkCaches()).toHaveLength(1);
    const bytes = readFileSync(join(cacheDir, checkCaches()[0]!));
    const second = cached();
    for (const r of [first, second]) {
      expect(r.code).toBe(uncached.code);
      expect(r.stdout).toBe(uncached.stdout);
      expect(r.stderr).toBe(uncached.stderr);
    }
    // Accepted as it was: not written again.
    expect(readFileSync(join(cacheDir, checkCaches()[0]!)).equals(bytes)).toBe(true);
  });

  it("a damaged cache is refused by V8, changes nothing in the output, and is replaced", () => {
    if (checkCaches().length === 0) cached();
    const file = join(cacheDir, checkCaches()[0]!);
    writeFileSync(file, Buffer.alloc(4096, 0x5a));
    const r = cached();
    expect([r.code, r.stdout, r.stderr]).toEqual([uncached.code, uncached.stdout, uncached.stderr]);
    expect(readFileSync(file).equals(Buffer.alloc(4096, 0x5a))).toBe(false);
  });

  it("--help writes no cache for the command (it runs little of it)", () => {
    rmSync(cacheDir, { recursive: true, force: true });
    const r = vendorgate(["check", "--help"], { VENDORGATE_RUN_SOURCES: "0", NODE_COMPILE_CACHE: cacheRoot });
    expect(r.code).toBe(0);
    expect(checkCaches()).toEqual([]);
  });
});

describe("the built CLI's warnings", () => {
  // plan decrypts a passphrase stack through a dynamic import of Pulumi's automation API: the
  // script's import() uses Node's experimental main-context loader, whose warning once printed here.
  it("plan on a passphrase stack prints no ExperimentalWarning", () => {
    const r = vendorgate(["plan", "--stack", "dev", "--project", EXAMPLE, "--now", "2026-11-29"], {
      VENDORGATE_RUN_SOURCES: "0",
      NODE_DISABLE_COMPILE_CACHE: "1",
      PULUMI_CONFIG_PASSPHRASE: "vendorgate-demo",
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("ExperimentalWarning");
  });
});
