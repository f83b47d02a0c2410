import { mkdtemp, open, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inputLimits, loadConfig, parseConfig, parseManifest, preScan, preScanBound } from "../../src/model/index.ts";
import { inputError, knownRules } from "./helpers.ts";

const limitText = "10485760 bytes (10 MB)";

describe("input limits", () => {
  it("are the documented values", () => {
    expect(inputLimits).toMatchObject({ maxFileBytes: 10 * 1024 * 1024, maxEntries: 100_000, maxAliasCount: 100, maxDepth: 64 });
  });

  describe("file size", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "vg-limits-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("refuses a file one byte over the limit without reading it", async () => {
      const file = join(dir, "big.yaml");
      await writeFile(file, "");
      await truncate(file, inputLimits.maxFileBytes + 1); // sparse: costs no disk
      const err = await inputError(() => loadConfig(file, knownRules));
      expect(err.message).toBe(`${file}:1:1 file is 10485761 bytes, over the limit of ${limitText}`);
    });

    it("accepts a file of exactly the limit (then judges its content)", async () => {
      const file = join(dir, "exact.yaml");
      const head = "enforcement: {}\n# ";
      const fh = await open(file, "w");
      await fh.write(head + "x".repeat(inputLimits.maxFileBytes - head.length - 1) + "\n");
      await fh.close();
      expect((await loadConfig(file, knownRules)).config).toEqual({ enforcement: {} });
    });

    it("refuses in-memory text over the limit", async () => {
      const err = await inputError(() => parseConfig("#".repeat(inputLimits.maxFileBytes + 1), "c.yaml", knownRules));
      expect(err.message).toBe(`c.yaml:1:1 file is over the limit of ${limitText}`);
    });
  });

  describe("aliases", () => {
    it("stops exponential alias expansion, pointing at the first alias", async () => {
      const text = [
        "a: &a [x, x, x, x, x, x, x, x, x]",
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
        "enforcement: [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
      ].join("\n");
      const err = await inputError(() => parseConfig(text, "c.yaml", knownRules));
      expect(err.message).toBe("c.yaml:2:8 aliases expand too much (limit 100); write the values out instead");
    });

    it("allows a few aliases", () => {
      const text = "apiVersion: &v vendorgate/v1\nenforcement: { VG009: &lvl advisory, VG012: *lvl }\n";
      expect(parseConfig(text, "c.yaml", knownRules).config.enforcement).toEqual({ VG009: "advisory", VG012: "advisory" });
    });

    it("reports an alias to an unknown anchor", async () => {
      const err = await inputError(() => parseConfig("enforcement: { VG009: *nope }\n", "c.yaml", knownRules));
      expect(err.issues[0]).toMatchObject({ line: 1, path: "" });
      expect(err.message).toMatch(/nope/);
    });
  });

  describe("nesting depth", () => {
    const flow = (levels: number) => `apiVersion: vendorgate/v1\nintegrations: ${"[".repeat(levels)}${"]".repeat(levels)}\n`;

    it("allows 64 levels: the top-level mapping and 63 lists", async () => {
      const err = await inputError(() => parseManifest(flow(63), "m.yaml"));
      expect(err.message).not.toMatch(/deep/);
    });

    it("refuses the 65th level, pointing at it", async () => {
      const err = await inputError(() => parseManifest(flow(64), "m.yaml"));
      expect(err.message).toBe("m.yaml:2:78 nested deeper than 64 levels");
    });

    it("counts block nesting the same way", async () => {
      let text = "";
      for (let i = 0; i < 70; i++) text += `${"  ".repeat(i)}k:\n`;
      const err = await inputError(() => parseConfig(text, "c.yaml", knownRules));
      expect(err.message).toBe(`c.yaml:65:129 nested deeper than 64 levels`);
    });

    it("counts depth through aliases where they are used", async () => {
      const deep = `${"[".repeat(40)}${"]".repeat(40)}`;
      const text = `a: &deep ${deep}\nb: ${"[".repeat(30)}*deep${"]".repeat(30)}\n`;
      const err = await inputError(() => parseConfig(text, "c.yaml", knownRules));
      expect(err.message).toBe("c.yaml:2:34 nested deeper than 64 levels");
    });

    it("stops pathological nesting before the YAML parser sees it, fast", async () => {
      for (const text of [
        "[".repeat(inputLimits.maxFileBytes),
        "- ".repeat(inputLimits.maxFileBytes / 2),
        "{a: ".repeat(inputLimits.maxFileBytes / 4),
        "? ".repeat(inputLimits.maxFileBytes / 2),
      ]) {
        const started = performance.now();
        const err = await inputError(() => parseConfig(text, "c.yaml", knownRules));
        expect(err.message).toMatch(/^c\.yaml:1:\d+ nested or indented too deeply to parse safely \(limit 64 levels\)$/);
        expect(performance.now() - started).toBeLessThan(2000);
      }
    });
  });

  describe("entries", () => {
    it("refuses more lines and commas than the limit, before parsing, naming the line", async () => {
      const started = performance.now();
      const lines = await inputError(() => parseConfig("enforcement: {}\n" + "#\n".repeat(inputLimits.maxEntries), "c.yaml", knownRules));
      expect(lines.message).toBe(`c.yaml:${inputLimits.maxEntries}:2 too many entries to parse safely (more than 100000 lines and commas)`);
      const commas = await inputError(() => parseConfig(`enforcement: [${"1,".repeat(inputLimits.maxEntries)}]`, "c.yaml", knownRules));
      expect(commas.message).toMatch(/^c\.yaml:1:\d+ too many entries/);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it("accepts a file just under it", async () => {
      const text = "enforcement: {}\n" + "#\n".repeat(inputLimits.maxEntries - 2);
      expect(parseConfig(text, "c.yaml", knownRules).config).toEqual({ enforcement: {} });
    });
  });

  describe("the pre-parse estimate", () => {
    it("does not flag ordinary files", () => {
      const field = "      - { path: 'properties[0].x', category: user.device, transform: none }\n";
      expect(preScan("integrations:\n  - name: a\n    fields:\n" + field.repeat(20_000))).toBeUndefined();
      // a long line of prose with dashes and colons is not nesting
      expect(preScan(`reason: ${"a - b: c ? ".repeat(5000)}\n`)).toBeUndefined();
      // one-line JSON with thousands of keys
      expect(preScan(`{${Array.from({ length: 5000 }, (_, i) => `"k${i}": [1, 2]`).join(", ")}}`)).toBeUndefined();
    });

    it("flags runs of compact indicators and unclosed brackets past the bound", () => {
      expect(preScan("- ".repeat(preScanBound) + "x")).toBeUndefined();
      expect(preScan("- ".repeat(preScanBound + 1) + "x")).toEqual({ offset: 2 * preScanBound, problem: "nesting" });
      expect(preScan("[".repeat(preScanBound + 1))).toEqual({ offset: preScanBound, problem: "nesting" });
    });
  });
});

describe("lone UTF-16 surrogates", () => {
  // The policy's WASM faults on such a string where OPA's own evaluator accepts it: it is refused
  // as the input error it is, at its place in the file, in JSON and in YAML alike.
  it.each([
    ["a JSON value", '{"apiVersion": "vendorgate/v1", "integrations": [{"name": "a\\ud800"}]}', "m.json:1:59"],
    ["a YAML key", 'apiVersion: vendorgate/v1\nintegrations:\n  - name: x\n    "\\udc00": 1\n', "m.yaml:4:5"],
    ["a YAML value", 'apiVersion: vendorgate/v1\nintegrations:\n  - name: "\\ud83d"\n', "m.yaml:3:11"],
  ])("in %s is an input error naming file, line and column", async (_what, text, where) => {
    const err = await inputError(() => parseManifest(text, where.split(":")[0]!));
    expect(err.message).toBe(`${where} the text holds a lone UTF-16 surrogate (such as \\ud800), which is not a character; remove or complete it`);
  });

  it("a well-formed pair is text like any other", async () => {
    const err = await inputError(() => parseManifest('apiVersion: vendorgate/v1\nintegrations:\n  - name: "\\ud83d\\ude00"\n', "m.yaml"));
    expect(err.message).not.toContain("surrogate");
  });
});
