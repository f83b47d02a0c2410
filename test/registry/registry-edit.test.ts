import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.ts";
import { withFileLock } from "../../src/registry/lock.ts";
import { changeVendorStatus, spliceStatus } from "../../src/registry/edit.ts";
import { InputError, parseRegistry } from "../../src/model/index.ts";
import { packageRoot } from "../../src/paths.ts";
import { cliAsync } from "../plan/helpers.ts";

const ORIGINAL = join(packageRoot, "examples/shop/policy/vendors.yaml");
let dir: string;
let registry: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vendorgate-registry-"));
  registry = join(dir, "vendors.yaml");
  copyFileSync(ORIGINAL, registry);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const change = { reason: "breach", by: "sec@example.com", date: "2026-11-29" } as const;

const run = (args: string[]) => cliAsync(args, { NO_COLOR: "1" });

describe("spliceStatus", () => {
  it("replaces an existing reason in place and keeps a trailing comment on its line", () => {
    const text = [
      "apiVersion: vendorgate/v1",
      "prohibitedCategories: []",
      "vendors:",
      "  acme:",
      "    name: Acme",
      "    status: under_review   # see SEC-1",
      "    statusReason: old reason",
      "    domains: [acme.example]",
      "    regions: [eu]",
      "",
    ].join("\n");
    const out = spliceStatus(text, "r.yaml", "acme", { status: "suspended", statusReason: "new: reason, with # hash", statusBy: "me" });
    expect(out).toBe(
      [
        "apiVersion: vendorgate/v1",
        "prohibitedCategories: []",
        "vendors:",
        "  acme:",
        "    name: Acme",
        "    status: suspended   # see SEC-1",
        '    statusReason: "new: reason, with # hash"',
        "    statusBy: me",
        "    domains: [acme.example]",
        "    regions: [eu]",
        "",
      ].join("\n"),
    );
    const v = parseRegistry(out, "r.yaml").registry.vendors.acme!;
    expect([v.status, v.statusReason, v.statusBy]).toEqual(["suspended", "new: reason, with # hash", "me"]);
  });

  it("edits a vendor written as a flow mapping, and a file without a final newline", () => {
    const text = "apiVersion: vendorgate/v1\nprohibitedCategories: []\nvendors:\n  acme: { name: Acme, status: approved, domains: [acme.example], regions: [eu] }";
    const out = spliceStatus(text, "r.yaml", "acme", { status: "prohibited", statusChanged: "2026-11-29" });
    expect(out).toBe(
      "apiVersion: vendorgate/v1\nprohibitedCategories: []\nvendors:\n  acme: { name: Acme, status: prohibited, statusChanged: 2026-11-29, domains: [acme.example], regions: [eu] }",
    );
    const last = "apiVersion: vendorgate/v1\nprohibitedCategories: []\nvendors:\n  acme:\n    name: Acme\n    domains: [acme.example]\n    regions: [eu]\n    status: approved";
    expect(spliceStatus(last, "r.yaml", "acme", { status: "suspended", statusBy: "me" })).toBe(`${last.replace("approved", "suspended")}\n    statusBy: me\n`);
  });
});

describe("changeVendorStatus", () => {
  it("records status, reason, date and author, and leaves every other byte alone", async () => {
    const before = readFileSync(registry, "utf8");
    const r = await changeVendorStatus(registry, { vendor: "sentry", status: "suspended", ...change });
    expect(r.written).toBe(true);
    expect(r.before.status).toBe("approved");
    expect(r.after).toMatchObject({ status: "suspended", statusReason: "breach", statusChanged: "2026-11-29", statusBy: "sec@example.com" });
    expect(readFileSync(registry, "utf8")).toBe(
      before.replace(
        "  sentry:\n    name: Sentry\n    status: approved\n",
        "  sentry:\n    name: Sentry\n    status: suspended\n    statusReason: breach\n    statusChanged: 2026-11-29\n    statusBy: sec@example.com\n",
      ),
    );
    // No temp file or lock is left behind.
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  });

  it("keeps the date of the status change when only the reason changes, and writes nothing when nothing changes", async () => {
    await changeVendorStatus(registry, { vendor: "hubspot", status: "suspended", ...change });
    const r = await changeVendorStatus(registry, { vendor: "hubspot", status: "suspended", ...change, reason: "breach, confirmed", date: "2026-12-01" });
    expect(r.after).toMatchObject({ statusReason: "breach, confirmed", statusChanged: "2026-11-29" });
    const text = readFileSync(registry, "utf8");
    const again = await changeVendorStatus(registry, { vendor: "hubspot", status: "suspended", ...change, reason: "breach, confirmed" });
    expect(again.written).toBe(false);
    expect(readFileSync(registry, "utf8")).toBe(text);
  });

  it("names the registry, line and path for an unknown vendor, and does not touch the file", async () => {
    const before = readFileSync(registry, "utf8");
    const err = await changeVendorStatus(registry, { vendor: "mixpanl", status: "suspended", ...change }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const issue = (err as InputError).issues[0]!;
    expect(issue).toMatchObject({ file: registry, path: "vendors" });
    expect(issue.line).toBeGreaterThan(1);
    expect(issue.message).toContain('no vendor "mixpanl"');
    expect(issue.message).toContain("did you mean mixpanel?");
    expect(readFileSync(registry, "utf8")).toBe(before);
  });

  it("refuses to edit a registry that does not validate", async () => {
    writeFileSync(registry, readFileSync(ORIGINAL, "utf8").replace("status: approved", "status: aproved"));
    const err = await changeVendorStatus(registry, { vendor: "zendesk", status: "suspended", ...change }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toMatch(/vendors\.mixpanel\.status: expected one of approved/);
  });

  it("loses no write when several runs change different vendors at the same time", async () => {
    const vendors = ["mixpanel", "zendesk", "stripe", "personio", "sentry", "hubspot"];
    const results = await Promise.all(
      vendors.map((v, i) =>
        run(["vendor", "set-status", v, i % 2 ? "prohibited" : "suspended", "--reason", `drill ${v}`, "--by", "ci", "--registry", registry, "--now", "2026-11-29", "--no-state"]),
      ),
    );
    for (const r of results) expect(r.stderr).toBe("");
    expect(results.map((r) => r.code)).toEqual(vendors.map(() => 0));
    const { registry: after } = parseRegistry(readFileSync(registry, "utf8"), registry);
    for (const [i, v] of vendors.entries()) {
      expect(after.vendors[v], v).toMatchObject({ status: i % 2 ? "prohibited" : "suspended", statusReason: `drill ${v}`, statusBy: "ci" });
    }
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  }, 60_000);
});

describe("withFileLock", () => {
  it("takes over a lock left by a process that no longer exists", async () => {
    // A pid far above any pid_max: no such process.
    writeFileSync(`${registry}.lock`, JSON.stringify({ pid: 2 ** 30, host: hostname(), token: "dead", since: "2026-01-01T00:00:00Z" }));
    await expect(withFileLock(registry, async () => "ran", { timeoutMs: 2000 })).resolves.toBe("ran");
    expect(existsSync(`${registry}.lock`)).toBe(false);
  });

  it("waits for a live holder, then gives up with a message naming the lock file", async () => {
    writeFileSync(`${registry}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), token: "live", since: "2026-01-01T00:00:00Z" }));
    const err = await withFileLock(registry, async () => "ran", { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(`delete ${registry}.lock`);
    expect((err as Error).message).toContain(`held by process ${process.pid}`);
    // Someone else's lock is never removed by a run that did not get it.
    expect(existsSync(`${registry}.lock`)).toBe(true);
  });

  it("serialises holders in one process too", async () => {
    const order: string[] = [];
    const slow = (name: string) =>
      withFileLock(registry, async () => {
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 50));
        order.push(`${name} out`);
      });
    await Promise.all([slow("a"), slow("b")]);
    expect([order.slice(0, 2), order.slice(2)].map((p) => p[0]!.split(" ")[0] === p[1]!.split(" ")[0])).toEqual([true, true]);
  });
});
