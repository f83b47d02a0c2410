import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.ts";
import { addVendor, approve, lineDiff, type NewVendor, revoke } from "../../src/registry/vendor.ts";
import { InputError, parseRegistry } from "../../src/model/index.ts";
import { packageRoot } from "../../src/paths.ts";
import { STACK_FRAME } from "../cli.ts";
import { cliAsync } from "../plan/helpers.ts";

/*
 * vendor add / approve / revoke edit security's registry in place: only the entries they change
 * move, every other byte (comments above all) stays, the result validates, a refusal names the
 * file, line and option and leaves the file as it was, and no reader ever sees half a file.
 */

const ORIGINAL = join(packageRoot, "examples/shop/policy/vendors.yaml");
let dir: string;
let registry: string;
let before: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vendorgate-vendor-edit-"));
  registry = join(dir, "vendors.yaml");
  copyFileSync(ORIGINAL, registry);
  before = readFileSync(registry, "utf8");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = () => readFileSync(registry, "utf8");
const valid = (text: string) => parseRegistry(text, registry).registry;
const acme: NewVendor = { vendor: "acme-crm", name: "Acme CRM", status: "under_review", domains: ["acme.example"], regions: ["eu", "us"], by: "sec@example.com", date: "2026-11-29" };

const run = (args: string[]) => cliAsync(args, { NO_COLOR: "1", VENDORGATE_DEBUG: "" });

describe("vendor add", () => {
  it("appends the vendor in the file's own style, every other byte as it was, and the file validates", async () => {
    const r = await addVendor(registry, { ...acme, dpaExpires: "2027-06-30", reason: "SEC-512 signed" });
    expect(r.written).toBe(true);
    expect(read()).toBe(
      `${before}\n` +
        [
          "  acme-crm:",
          "    name: Acme CRM",
          "    status: under_review",
          "    statusReason: SEC-512 signed",
          "    statusChanged: 2026-11-29",
          "    statusBy: sec@example.com",
          "    domains: [acme.example]",
          "    regions: [eu, us]",
          "    assurance:",
          "      dpa: { expires: 2027-06-30 }",
          "",
        ].join("\n"),
    );
    expect(valid(read()).vendors["acme-crm"]).toMatchObject({ name: "Acme CRM", status: "under_review", domains: ["acme.example"], approvals: [] });
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  });

  it("adds before the registry's later sections, into an empty vendors mapping, and into a JSON registry as JSON", async () => {
    writeFileSync(registry, `${before}\n# Keys added by Acme.\ntaxonomy:\n  dataCategories: []\n`);
    await addVendor(registry, acme);
    expect(read()).toContain("        categories: [user.contact.email, user.name]\n\n  acme-crm:\n    name: Acme CRM\n");
    expect(read()).toMatch(/regions: \[eu, us\]\n\n# Keys added by Acme\.\ntaxonomy:\n {2}dataCategories: \[\]\n$/);

    writeFileSync(registry, "apiVersion: vendorgate/v1 # the only version\nprohibitedCategories: []\nvendors: {}   # none yet\n");
    await addVendor(registry, acme);
    expect(read()).toBe(
      "apiVersion: vendorgate/v1 # the only version\nprohibitedCategories: []\nvendors: # none yet\n  acme-crm:\n    name: Acme CRM\n    status: under_review\n    statusChanged: 2026-11-29\n    statusBy: sec@example.com\n    domains: [acme.example]\n    regions: [eu, us]\n",
    );

    const json = { apiVersion: "vendorgate/v1", prohibitedCategories: [], vendors: { other: { name: "Other", status: "approved", regions: ["eu"] } } };
    writeFileSync(registry, JSON.stringify(json, null, 2));
    await addVendor(registry, acme);
    const parsed = JSON.parse(read()) as { vendors: Record<string, unknown> };
    expect(Object.keys(parsed.vendors)).toEqual(["other", "acme-crm"]);
    expect(valid(read()).vendors["acme-crm"]?.regions).toEqual(["eu", "us"]);
  });

  it("refuses a vendor already in the registry, naming its line, and writes nothing", async () => {
    const err = await addVendor(registry, { ...acme, vendor: "mixpanel" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues[0]).toMatchObject({ file: registry, line: 16, path: "vendors.mixpanel" });
    expect((err as InputError).message).toContain('vendor "mixpanel" is already in the registry');
    expect(read()).toBe(before);
  });

  it("checks values with the registry's schema and names the option each came from", async () => {
    const err = await addVendor(registry, { ...acme, domains: ["Acme.example"], regions: ["EU"], dpaExpires: "2027-02-30", accounts: ["123"] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).toContain('--domains: expected a lowercase host name such as mixpanel.com, got "Acme.example"');
    expect(message).toContain('--regions: expected a lowercase region code such as eu or us-east-1, got "EU"');
    expect(message).toContain('--dpa-expires: expected a calendar date as YYYY-MM-DD, got "2027-02-30"');
    expect(message).toContain('--accounts: expected a 12-digit AWS account id, got "123"');
    await expect(addVendor(registry, { ...acme, vendor: "Acme" })).rejects.toThrow(/<vendor>: expected a vendor key of lowercase letters/);
    expect(read()).toBe(before);
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  });
});

describe("vendor approve", () => {
  it("adds categories to the approval for the same purpose and subjects, keeping its comments", async () => {
    const r = await approve(registry, { vendor: "mixpanel", purpose: "analytics.reporting", subjects: ["customer"], categories: ["user.content.public", "user.device.cookie_id"] });
    // user.device.cookie_id is already covered by user.device.
    expect(r.changes).toEqual(["approved user.content.public for analytics.reporting for customer"]);
    expect(read()).toBe(
      before.replace(
        "categories: [user.device, user.behavior, user.unique_id, user.location]\n",
        "categories: [user.device, user.behavior, user.unique_id, user.location, user.content.public]\n",
      ),
    );
  });

  it("writes a new approval where none matches, with transform conditions, and says the vendor is not yet approved", async () => {
    await addVendor(registry, acme);
    const added = read();
    const r = await approve(registry, { vendor: "acme-crm", purpose: "essential.service.operations.support", categories: ["user.contact.email", "user.unique_id"], requireTransform: ["hash", "pseudonymize"] });
    expect(r.result.status).toBe("under_review");
    expect(read()).toBe(
      added +
        [
          "    approvals:",
          "      - purpose: essential.service.operations.support",
          "        categories: [user.contact.email, user.unique_id]",
          "        requireTransform:",
          "          user.contact.email: [hash, pseudonymize]",
          "          user.unique_id: [hash, pseudonymize]",
          "",
        ].join("\n"),
    );
    // A second approval for another purpose goes after the first, in the same list.
    await approve(registry, { vendor: "acme-crm", purpose: "analytics.reporting", subjects: ["customer"], categories: ["user.device"] });
    expect(read()).toMatch(/user\.unique_id: \[hash, pseudonymize\]\n {6}- purpose: analytics\.reporting\n {8}subjects: \[customer\]\n {8}categories: \[user\.device\]\n$/);
    expect(valid(read()).vendors["acme-crm"]?.approvals).toHaveLength(2);
  });

  it("sets a transform condition on an approved category in place", async () => {
    await approve(registry, { vendor: "mixpanel", purpose: "analytics.reporting", subjects: ["customer"], categories: ["user.unique_id", "user.location"], requireTransform: ["hash"] });
    expect(read()).toBe(
      before.replace("          user.unique_id: [hash, pseudonymize]\n", "          user.unique_id: [hash]\n          user.location: [hash]\n"),
    );
  });

  it("writes nothing when the registry already says it", async () => {
    const r = await approve(registry, { vendor: "zendesk", purpose: "essential.service.operations.support", categories: ["user.contact.email"] });
    expect(r).toMatchObject({ written: false, changes: [] });
    expect(read()).toBe(before);
  });

  it("refuses an unknown vendor (file:line, did you mean) and unknown taxonomy keys (by option), writing nothing", async () => {
    const unknown = await approve(registry, { vendor: "mixpanl", purpose: "analytics.reporting", categories: ["user.device"] }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(InputError);
    expect((unknown as InputError).message).toMatch(/vendors\.yaml:15:1 vendors: no vendor "mixpanl".*did you mean mixpanel\?/);
    await expect(approve(registry, { vendor: "mixpanel", purpose: "analytics.reportin", categories: ["user.contact.emial"] })).rejects.toThrow(
      /--purpose: unknown data use "analytics\.reportin"[^]*--categories: unknown data category "user\.contact\.emial"/,
    );
    await expect(approve(registry, { vendor: "mixpanel", purpose: "analytics.reporting", subjects: ["custmer"], categories: ["user.device"] })).rejects.toThrow(/--subjects: unknown data subject/);
    expect(read()).toBe(before);
  });
});

describe("vendor revoke", () => {
  it("revokes one category, and the transform condition that only applied to it", async () => {
    const r = await revoke(registry, { vendor: "mixpanel", purpose: "analytics.reporting", categories: ["user.unique_id"] });
    expect(r.changes).toEqual(["revoked user.unique_id for analytics.reporting for customer"]);
    expect(read()).toBe(
      before.replace(
        "        categories: [user.device, user.behavior, user.unique_id, user.location]\n        requireTransform:\n          user.unique_id: [hash, pseudonymize]\n",
        "        categories: [user.device, user.behavior, user.location]\n",
      ),
    );
    expect(valid(read()).vendors.mixpanel?.approvals[0]?.requireTransform).toBeUndefined();
  });

  it("revokes a whole approval with the comment lines that explained it; the last one leaves an empty list", async () => {
    const r = await revoke(registry, { vendor: "zendesk", purpose: "essential.service.operations.support" });
    expect(r.changes[0]).toMatch(/^revoked the approval for essential\.service\.operations\.support/);
    expect(read()).toBe(
      before.replace(
        "    approvals:\n      # Customer support and the internal IT helpdesk, so any data subject.\n      - purpose: essential.service.operations.support\n        categories: [user.contact.email, user.name, user.account, user.content.private]\n",
        "    approvals: []\n",
      ),
    );
    expect(valid(read()).vendors.zendesk?.approvals).toEqual([]);
  });

  it("removes one approval of several, leaving the others and their comments", async () => {
    await approve(registry, { vendor: "sentry", purpose: "analytics.reporting", categories: ["user.device"] });
    const two = read();
    await revoke(registry, { vendor: "sentry", purpose: "analytics.reporting" });
    expect(read()).toBe(before);
    expect(two).not.toBe(before);
  });

  it("refuses a category approved only through a parent key, and one not approved at all, writing nothing", async () => {
    await expect(revoke(registry, { vendor: "zendesk", purpose: "essential.service.operations.support", categories: ["user.name.first"] })).rejects.toThrow(
      /vendors\.zendesk\.approvals\[0\]\.categories: user\.name\.first is approved through user\.name; revoke user\.name and approve the keys under it that stay/,
    );
    await expect(revoke(registry, { vendor: "mixpanel", purpose: "analytics.reporting", categories: ["user.contact.email"] })).rejects.toThrow(
      /user\.contact\.email is not approved for analytics\.reporting \(approved: user\.device, user\.behavior, user\.unique_id, user\.location\)/,
    );
    await expect(revoke(registry, { vendor: "mixpanel", purpose: "marketing" })).rejects.toThrow(/no approval of mixpanel for marketing \(it has analytics\.reporting for customer\)/);
    expect(read()).toBe(before);
  });
});

describe("files written in other styles", () => {
  it("keeps CRLF line ends, a four-space step, lists without indentation and block lists of categories", async () => {
    const lines = (...l: string[]) => l.join("\r\n");
    const head = ["apiVersion: vendorgate/v1", "prohibitedCategories: []", "vendors:", '    "acme":   # quoted key', "        name: Acme", "        status: approved", "        regions: [eu]", "        approvals:", "        - purpose: analytics.reporting", "          categories:", "          - user.device   # why", "          - user.behavior"];
    writeFileSync(registry, lines(...head, "        # trailing note", ""));
    // A new list item and a new key after it land at the same place, in that order.
    await approve(registry, { vendor: "acme", purpose: "analytics.reporting", categories: ["user.unique_id"], requireTransform: ["hash"] });
    expect(read()).toBe(lines(...head, "          - user.unique_id", "          requireTransform:", "              user.unique_id: [hash]", "        # trailing note", ""));
    await approve(registry, { vendor: "acme", purpose: "marketing", categories: ["user.contact.email"] });
    await addVendor(registry, { ...acme, vendor: "b" });
    expect(read()).toBe(
      lines(
        ...head,
        "          - user.unique_id",
        "          requireTransform:",
        "              user.unique_id: [hash]",
        "        - purpose: marketing",
        "          categories: [user.contact.email]",
        "        # trailing note",
        "    b:",
        "        name: Acme CRM",
        "        status: under_review",
        "        statusChanged: 2026-11-29",
        "        statusBy: sec@example.com",
        "        domains: [acme.example]",
        "        regions: [eu, us]",
        "",
      ),
    );
    await revoke(registry, { vendor: "acme", purpose: "analytics.reporting", categories: ["user.behavior", "user.unique_id"] });
    expect(read()).toBe(
      lines(...head.slice(0, -1), "        - purpose: marketing", "          categories: [user.contact.email]", "        # trailing note", "    b:", "        name: Acme CRM", "        status: under_review", "        statusChanged: 2026-11-29", "        statusBy: sec@example.com", "        domains: [acme.example]", "        regions: [eu, us]", ""),
    );
  });
});

describe("a registry written as JSON", () => {
  it("stays JSON through approve and revoke, inline lists and mappings edited entry by entry", async () => {
    writeFileSync(registry, `${JSON.stringify({ apiVersion: "vendorgate/v1", prohibitedCategories: [], vendors: { other: { name: "Other", status: "approved", regions: ["eu"] } } }, null, 2)}\n`);
    const approvals = () => (JSON.parse(read()) as { vendors: { other: { approvals?: unknown } } }).vendors.other.approvals;
    await approve(registry, { vendor: "other", purpose: "analytics.reporting", categories: ["user.device"], requireTransform: ["hash"] });
    await approve(registry, { vendor: "other", purpose: "analytics.reporting", categories: ["user.behavior", "user.location"] });
    await approve(registry, { vendor: "other", purpose: "marketing", subjects: ["customer"], categories: ["user.contact.email"] });
    expect(approvals()).toEqual([
      { purpose: "analytics.reporting", categories: ["user.device", "user.behavior", "user.location"], requireTransform: { "user.device": ["hash"] } },
      { purpose: "marketing", subjects: ["customer"], categories: ["user.contact.email"] },
    ]);
    // Two categories out of an inline list and the transform condition beside it, in one edit.
    await revoke(registry, { vendor: "other", purpose: "analytics.reporting", categories: ["user.device", "user.behavior"] });
    expect(approvals()).toEqual([
      { purpose: "analytics.reporting", categories: ["user.location"] },
      { purpose: "marketing", subjects: ["customer"], categories: ["user.contact.email"] },
    ]);
    await revoke(registry, { vendor: "other", purpose: "analytics.reporting" });
    await revoke(registry, { vendor: "other", purpose: "marketing" });
    expect(approvals()).toEqual([]);
    expect(read()).toContain('"regions": [\n        "eu"\n      ]');
  });
});

describe("a vendor named like an Object property", () => {
  it("adds, approves and revokes a vendor named constructor, and never takes Object's for a vendor", async () => {
    await expect(approve(registry, { vendor: "constructor", purpose: "analytics.reporting", categories: ["user.device"] })).rejects.toThrow(/no vendor "constructor"/);
    await addVendor(registry, { ...acme, vendor: "constructor" });
    await approve(registry, { vendor: "constructor", purpose: "analytics.reporting", categories: ["user.device"] });
    const key: string = "constructor";
    expect(valid(read()).vendors[key]?.approvals[0]?.categories).toEqual(["user.device"]);
    await revoke(registry, { vendor: "constructor", purpose: "analytics.reporting" });
    expect(valid(read()).vendors[key]?.approvals).toEqual([]);
  });
});

describe("vendor add / approve / revoke on the command line", () => {
  it("prints what changed and the diff; --dry-run prints the same and writes nothing", async () => {
    const args = ["vendor", "revoke", "stripe", "--purpose", "essential.service.payment_processing", "--categories", "user.payment", "--registry", registry];
    const dry = await run([...args, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("would change (dry run, nothing written):\n  revoked user.payment for essential.service.payment_processing for customer\n");
    expect(dry.stdout).toContain(
      "-        categories: [user.contact.email, user.contact.address, user.name, user.unique_id, user.payment]\n+        categories: [user.contact.email, user.contact.address, user.name, user.unique_id]\n",
    );
    expect(read()).toBe(before);
    const real = await run(args);
    expect(real.code).toBe(0);
    expect(real.stdout).toBe(dry.stdout.replace("would change (dry run, nothing written)", "changed"));
    expect(read()).not.toBe(before);
    expect(await run([...args, "--quiet"])).toMatchObject({ code: 2, stdout: "" });
  });

  it.each([
    [["vendor", "add", "mixpanel", "--name", "M", "--regions", "eu"], /vendors\.yaml:16:3 vendors\.mixpanel: vendor "mixpanel" is already in the registry/],
    [["vendor", "add", "acme", "--name", "Acme", "--regions", "eu", "--ports", "https"], /--ports <ports>' argument 'https' is invalid\. expected port numbers/],
    [["vendor", "add", "acme", "--regions", "eu"], /required option '--name <name>' not specified/],
    [["vendor", "add", "acme", "--name", "Acme", "--regions", "eu,,us"], /expected a comma-separated list without empty items/],
    [["vendor", "approve", "mixpanel", "--purpose", "analytics.reporting", "--categories", "user.device", "--require-transform", "none"], /"none" is not a transform that makes a category acceptable/],
    [["vendor", "approve", "nobody", "--purpose", "analytics.reporting", "--categories", "user.device"], /vendors\.yaml:15:1 vendors: no vendor "nobody"/],
    [["vendor", "revoke", "mixpanel", "--purpose", "analytics.reporting", "--categories", "user.name"], /user\.name is not approved for analytics\.reporting/],
  ])("%j: exit 2 with a clear message, the file untouched", async (args, message) => {
    const r = await run([...args, "--registry", registry]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stdout).toBe("");
    expect(read()).toBe(before);
  });

  it("says the next step as a command the user can type in the project (npx, as init's next steps do)", async () => {
    const r = await run(["vendor", "add", "acme-crm", "--name", "Acme CRM", "--regions", "eu", "--by", "ci", "--registry", registry, "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  next: npx vendorgate vendor approve acme-crm --purpose <use> --categories <keys>, then npx vendorgate vendor set-status acme-crm approved\n");
  });

  it("never lets a reader see half a file: concurrent adds all land, and every read in between validates", async () => {
    const vendors = ["a1", "a2", "a3", "a4", "a5"];
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        valid(await readFile(registry, "utf8"));
        reads++;
      }
    })();
    const results = await Promise.all(vendors.map((v) => run(["vendor", "add", v, "--name", v, "--regions", "eu", "--by", "ci", "--registry", registry, "--quiet"])));
    reading = false;
    await reader;
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: "", stdout: "" });
    expect(reads).toBeGreaterThan(0);
    const after = read();
    expect(Object.keys(valid(after).vendors).filter((k) => vendors.includes(k)).sort()).toEqual(vendors);
    // Everything that was there is still there, in order: the adds only appended.
    expect(after.startsWith(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(["vendors.yaml"]);
  }, 60_000);
});

describe("lineDiff", () => {
  it("prints a unified diff, removed lines before added ones", () => {
    expect(lineDiff("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n", "f", 1)).toBe("--- f\n+++ f\n@@ -1,5 +1,6 @@\n a\n-b\n+B\n c\n d\n+e\n \n");
  });
});
