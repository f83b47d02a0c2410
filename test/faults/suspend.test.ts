// Concurrency: several `vendor suspend` runs at once on the same registry file (the kill switch
// pulled by more than one person during an incident) lose no write, and leave valid YAML with every
// comment and every other line as it was. test/registry/registry-edit.test.ts has the lock itself.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { changeVendorStatus } from "../../src/registry/edit.ts";
import { parseRegistry, type VendorStatus } from "../../src/model/index.ts";
import { packageRoot } from "../../src/paths.ts";
import { STACK_FRAME } from "./harness.ts";
import { cliAsync } from "../plan/helpers.ts";

const ORIGINAL = join(packageRoot, "examples", "shop", "policy", "vendors.yaml");
const NOW = "2026-11-29";
const scratch = mkdtempSync(join(tmpdir(), "vendorgate-suspend-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The example registry plus `extra` vendors, each with a comment of its own on three kinds of line. */
function registryWith(extra: number): string {
  const blocks = Array.from({ length: extra }, (_, i) => {
    const n = String(i + 1).padStart(2, "0");
    return [
      "",
      `  # Drill vendor ${n}: this comment must survive every concurrent edit.`,
      `  drill-${n}:`,
      `    name: Drill ${n}`,
      `    status: approved # trailing comment ${n}`,
      `    domains: [drill-${n}.example]`,
      "    regions: [eu]",
      "    assurance:",
      `      dpa: { expires: 2027-06-30 } # DPA ${n}`,
      "    approvals:",
      `      # approval comment ${n}`,
      "      - purpose: analytics.reporting",
      "        categories: [user.device]",
    ].join("\n");
  });
  return readFileSync(ORIGINAL, "utf8").replace(/\n*$/, "\n") + blocks.join("\n") + "\n";
}

/** The lines a status change may add or rewrite. */
const statusLine = /^\s+(status|statusReason|statusChanged|statusBy):/;

/**
 * The text apart from status lines: must be byte for byte the original's. The trailing comment
 * of a rewritten `status:` line is kept separately (it sits on that line).
 */
const untouched = (text: string) => text.split("\n").filter((l) => !statusLine.test(l));
const comments = (text: string) => text.split("\n").flatMap((l) => [...l.matchAll(/#.*$/g)].map((m) => m[0]));

function expectIntact(before: string, after: string): void {
  expect(untouched(after)).toEqual(untouched(before));
  expect(comments(after)).toEqual(comments(before));
}

const run = (args: string[]) => cliAsync(args);

function freshCopy(name: string, extra: number): { dir: string; file: string; text: string } {
  const dir = join(scratch, name);
  mkdirSync(dir);
  const file = join(dir, "vendors.yaml");
  const text = registryWith(extra);
  writeFileSync(file, text);
  return { dir, file, text };
}

describe("concurrent vendor suspend", () => {
  it("six CLI runs at once on different vendors: every write lands, the YAML is valid, comments and layout are kept", async () => {
    const { dir, file, text } = freshCopy("cli", 2);
    const vendors = ["mixpanel", "zendesk", "stripe", "personio", "drill-01", "drill-02"];
    const results = await Promise.all(
      vendors.map((v) => run(["vendor", "suspend", v, "--reason", `drill: suspend ${v}`, "--by", `oncall-${v}@example.com`, "--registry", file, "--now", NOW, "--no-state"])),
    );
    for (const [i, r] of results.entries()) {
      expect(r.code, `${vendors[i]}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(STACK_FRAME);
    }
    const after = readFileSync(file, "utf8");
    const { registry } = parseRegistry(after, file);
    for (const v of vendors) {
      expect(registry.vendors[v], v).toMatchObject({ status: "suspended", statusReason: `drill: suspend ${v}`, statusBy: `oncall-${v}@example.com`, statusChanged: NOW });
    }
    // The vendors nobody touched are as they were.
    const { registry: before } = parseRegistry(text, file);
    for (const v of Object.keys(before.vendors).filter((k) => !vendors.includes(k))) expect(registry.vendors[v]).toEqual(before.vendors[v]);
    expectIntact(text, after);
    // No lock or temporary file left behind.
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  }, 120_000);

  it("two CLI runs at once on the same vendor: one reason wins whole, the file stays valid", async () => {
    const { dir, file, text } = freshCopy("same", 0);
    const results = await Promise.all(["first", "second"].map((who) => run(["vendor", "suspend", "mixpanel", "--reason", `breach, per ${who}`, "--by", who, "--registry", file, "--now", NOW, "--no-state"])));
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const after = readFileSync(file, "utf8");
    const mixpanel = parseRegistry(after, file).registry.vendors.mixpanel!;
    expect(mixpanel.status).toBe("suspended");
    expect([["breach, per first", "first"], ["breach, per second", "second"]]).toContainEqual([mixpanel.statusReason, mixpanel.statusBy]);
    // One set of status lines, not two interleaved.
    const block = after.slice(after.indexOf("  mixpanel:"), after.indexOf("  zendesk:"));
    expect(block.match(/^\s+statusReason:/gm)).toHaveLength(1);
    expectIntact(text, after);
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  }, 120_000);

  it("forty changes at once in one process (twenty vendors, each changed twice): the last word for each, nothing lost", async () => {
    const { dir, file, text } = freshCopy("inprocess", 14);
    const vendors = Object.keys(parseRegistry(text, file).registry.vendors);
    expect(vendors).toHaveLength(20);
    const statuses: VendorStatus[] = ["suspended", "under_review"];
    await Promise.all(
      statuses.flatMap((status) =>
        vendors.map((vendor) => changeVendorStatus(file, { vendor, status, reason: `drill ${status}`, by: "ci", date: NOW }, { timeoutMs: 60_000 })),
      ),
    );
    const after = readFileSync(file, "utf8");
    const { registry } = parseRegistry(after, file);
    for (const v of vendors) {
      const got = registry.vendors[v]!;
      // Whichever change came last, it landed whole.
      expect(statuses, v).toContain(got.status);
      expect(got.statusReason, v).toBe(`drill ${got.status}`);
      expect(got.statusBy).toBe("ci");
    }
    expectIntact(text, after);
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  }, 180_000);
});
