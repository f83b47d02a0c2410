import { mkdtemp, writeFile, chmod, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  defaultTaxonomy,
  formatIssue,
  InputError,
  loadConfig,
  loadExceptions,
  loadManifest,
  loadRegistry,
  locationKey,
  parseManifest,
  parseRegistry,
  renderPath,
} from "../../src/model/index.ts";
import { fixture, inputError, knownRules } from "./helpers.ts";

describe("loadManifest", () => {
  it("loads YAML against the registry's taxonomy and says where each integration and field starts", async () => {
    const { taxonomy } = await loadRegistry(fixture("registry-valid.yaml"));
    const loaded = await loadManifest(fixture("manifest-valid.yaml"), taxonomy);
    expect(loaded.file).toBe(fixture("manifest-valid.yaml"));
    expect(loaded.manifest.stack).toEqual({ name: "prod", residency: ["eu"] });
    expect(loaded.manifest.integrations.map((i) => [i.name, i.enabled])).toEqual([
      ["product-analytics", true],
      ["support-chat", false],
    ]);
    const file = fixture("manifest-valid.yaml");
    expect(Object.fromEntries(loaded.locations)).toEqual({
      "product-analytics": { file, line: 7, column: 5 },
      "product-analytics/properties.distinct_id": { file, line: 16, column: 9 },
      "product-analytics/properties.$os": { file, line: 19, column: 9 },
      "support-chat": { file, line: 21, column: 5 },
      "support-chat/requester.email": { file, line: 28, column: 9 },
      "support-chat/requester.loyalty": { file, line: 29, column: 9 },
    });
    expect(loaded.locations.get(locationKey("support-chat", "requester.email"))?.line).toBe(28);
  });

  it("without the registry's additions, their keys are unknown", async () => {
    const err = await inputError(() => loadManifest(fixture("manifest-valid.yaml"), defaultTaxonomy));
    expect(err.message).toBe(
      `${fixture("manifest-valid.yaml")}:29:46 integrations[1].fields[1].category: unknown data category "user.contact.loyalty_id" (expected a fideslang data category such as user.contact.address, user.contact.email or user.contact.fax_number)`,
    );
  });

  it("loads JSON the same way, with positions", async () => {
    const loaded = await loadManifest(fixture("manifest-valid.json"));
    expect(loaded.manifest.integrations[0]!.fields.map((f) => f.transform)).toEqual(["hash", "none"]);
    expect(loaded.locations.get("product-analytics/properties.$os")).toEqual({ file: fixture("manifest-valid.json"), line: 12, column: 9 });
  });

  it("names file, line, column and path of every problem, in file order", async () => {
    const f = fixture("manifest-invalid.yaml");
    const err = await inputError(() => loadManifest(f));
    expect(err.message.split("\n")).toEqual([
      `${f}:11:20 integrations[0].fields[0].transform: expected one of none, hash, pseudonymize, truncate, generalize, got "pseudonymise"`,
      `${f}:13:19 integrations[0].fields[1].category: unknown data category "user.contact.emial" (expected a fideslang data category such as user.contact.email)`,
      // a missing property points at the mapping that lacks it
      `${f}:14:5 integrations[1].vendor: missing required property (expected a string)`,
      `${f}:14:11 integrations[1].name: expected lowercase letters, digits and dashes, starting with a letter or digit, got "Support Chat"`,
      `${f}:16:15 integrations[1].subjects: expected at least one item`,
      `${f}:18:12 integrations[1].destination.url: expected a URL such as https://api.vendor.example/track, got "not a url"`,
      // an unknown property points at the key itself
      `${f}:23:9 integrations[1].fields[0].transfrom: unknown property "transfrom" (expected path, category, transform, source)`,
      `${f}:24:15 integrations[1].fields[1].path: duplicate field path "properties.email" (also at fields[0])`,
    ]);
    expect(err.issues[1]).toEqual({
      file: f,
      line: 13,
      column: 19,
      path: "integrations[0].fields[1].category",
      message: 'unknown data category "user.contact.emial" (expected a fideslang data category such as user.contact.email)',
    });
  });

  it("points into JSON files too", async () => {
    const err = await inputError(() => loadManifest(fixture("manifest-invalid.json")));
    expect(err.issues.map(formatIssue)).toEqual([
      `${fixture("manifest-invalid.json")}:11:51 integrations[0].fields[0].category: unknown data category "user.contact.emial" (expected a fideslang data category such as user.contact.email)`,
    ]);
  });

  it("points at the key when a value is left empty, and at the value when it is of the wrong type", () => {
    const text = [
      "apiVersion: vendorgate/v1",
      "integrations:",
      "  - name: a",
      "    vendor: b",
      "    purpose:",
      "    subjects: customer",
      "    destination: { url: 'https://a.example', region: eu }",
      "    fields: []",
      "",
    ].join("\n");
    const err = (() => {
      try {
        parseManifest(text, "m.yaml");
      } catch (e) {
        return e as InputError;
      }
      throw new Error("no error");
    })();
    expect(err.message).toBe(
      ["m.yaml:5:5 integrations[0].purpose: expected a string, got an empty value", 'm.yaml:6:15 integrations[0].subjects: expected a list, got "customer"'].join(
        "\n",
      ),
    );
  });

  it("points at the top-level mapping for a missing top-level property", async () => {
    const err = await inputError(() => parseManifest("# a manifest\nintegrations: []\n", "m.yaml"));
    expect(err.message).toBe('m.yaml:2:1 apiVersion: missing required property (expected "vendorgate/v1")');
  });

  it("keeps a manifest without integrations valid and without locations", () => {
    expect(parseManifest("apiVersion: vendorgate/v1\nintegrations: []\n", "m.yaml").locations.size).toBe(0);
  });
});

describe("loadRegistry", () => {
  it("returns the registry with defaults filled, the effective taxonomy and the vendors' positions", async () => {
    const f = fixture("registry-valid.yaml");
    const { registry, taxonomy, locations } = await loadRegistry(f);
    expect(Object.keys(registry.vendors)).toEqual(["mixpanel", "zendesk", "acme-crm"]);
    expect(registry.vendors["acme-crm"]!.approvals).toEqual([]);
    expect(registry.vendors.zendesk!.statusChanged).toBe("2025-11-27");
    expect(taxonomy.categories.has("user.contact.loyalty_id.card")).toBe(true);
    expect(taxonomy.names.uses.get("analytics.reporting.churn")).toBe("Churn Analytics");
    expect(taxonomy.subjects.has("customer.b2b")).toBe(true);
    expect(locations.get("zendesk")).toEqual({ file: f, line: 27, column: 3 });
  });

  it("reports every problem with its position, quoting keys that are not identifiers", async () => {
    const f = fixture("registry-invalid.yaml");
    const err = await inputError(() => loadRegistry(f));
    expect(err.message.split("\n")).toEqual([
      `${f}:2:40 prohibitedCategories[1]: unknown data category "user.finance" (expected a fideslang data category such as user.financial)`,
      `${f}:5:14 taxonomy.dataCategories[0].key: "loyalty" has no parent: an added data category must hang under an existing one (such as user.loyalty)`,
      `${f}:10:15 vendors.mixpanel.domains[0]: expected a lowercase host name such as mixpanel.com, got "https://mixpanel.com"`,
      `${f}:13:23 vendors.mixpanel.assurance.dpa.expires: expected a calendar date as YYYY-MM-DD, got "2027-02-30"`,
      `${f}:14:7 vendors.mixpanel.assurance.soc3: unknown property "soc3" (expected dpa, soc2)`,
      `${f}:19:11 vendors.mixpanel.approvals[0].requireTransform["user.unique_id"]: "user.unique_id" is not covered by this approval's categories, so the requirement would never apply`,
      `${f}:20:3 vendors.Zendesk: expected a vendor key of lowercase letters, digits and dashes, got "Zendesk"`,
    ]);
  });

  it("points at the key of an unknown record key", () => {
    const text = "apiVersion: vendorgate/v1\nprohibitedCategories: []\nvendors:\n  x:\n    name: X\n    status: approved\n    domains: [x.com]\n    regions: [eu]\n    approvals:\n      - purpose: essential\n        categories: [user]\n        requireTransform:\n          user.bogus: [hash]\n";
    const err = (() => {
      try {
        parseRegistry(text, "r.yaml");
      } catch (e) {
        return e as InputError;
      }
      throw new Error("no error");
    })();
    expect(err.message).toBe(
      'r.yaml:13:11 vendors.x.approvals[0].requireTransform["user.bogus"]: unknown data category "user.bogus" (expected a fideslang data category such as user.account, user.authorization or user.behavior)',
    );
  });

  it("validates the registry the project ships", async () => {
    const { registry } = await loadRegistry("examples/shop/policy/vendors.yaml");
    expect(registry.vendors.mixpanel?.status).toBeDefined();
  });
});

describe("loadExceptions / loadConfig", () => {
  it("loads exceptions with their positions", async () => {
    const f = fixture("exceptions-valid.yaml");
    const { exceptions, locations } = await loadExceptions(f, knownRules);
    expect(exceptions.map((e) => [e.id, e.expires, e.field])).toEqual([
      ["EXC-42", "2026-12-31", "properties.email"],
      ["EXC-43", "2024-02-29", undefined],
    ]);
    expect(locations.get("EXC-43")).toEqual({ file: f, line: 10, column: 5 });
  });

  it("rejects VG006 waivers, unknown rules, orphan fields, duplicate ids and bad dates", async () => {
    const f = fixture("exceptions-invalid.yaml");
    const err = await inputError(() => loadExceptions(f, knownRules));
    expect(err.message.split("\n")).toEqual([
      `${f}:3:11 exceptions[0].rule: VG006 prohibited-category cannot be waived`,
      `${f}:9:9 exceptions[1].id: duplicate exception id "EXC-1" (also at exceptions[0])`,
      `${f}:10:11 exceptions[1].rule: unknown rule "VG099" (expected one of ACME001, VG001, VG002, VG003, VG004, VG005, VG006, VG007, VG008, VG009, VG010, VG011, VG012)`,
      `${f}:12:12 exceptions[1].field: field requires integration: name the integration the field belongs to`,
      `${f}:15:14 exceptions[1].expires: expected a calendar date as YYYY-MM-DD, got "2026-13-01"`,
      `${f}:16:5 exceptions[2].reason: missing required property (expected a string)`,
    ]);
  });

  it("validates the exceptions the project ships", async () => {
    const { exceptions } = await loadExceptions("examples/shop/policy/exceptions.yaml", knownRules);
    expect(exceptions.length).toBeGreaterThan(0);
  });

  it("loads and rejects configs", async () => {
    expect((await loadConfig(fixture("config-valid.yaml"), knownRules)).config.enforcement).toEqual({
      VG009: "advisory",
      VG012: "disabled",
      ACME001: "mandatory",
    });
    const f = fixture("config-invalid.yaml");
    const err = await inputError(() => loadConfig(f, knownRules));
    expect(err.message.split("\n")).toEqual([
      `${f}:2:10 enforcement.VG009: expected one of mandatory, advisory, disabled, got "warn"`,
      `${f}:3:3 enforcement.VG042: unknown rule "VG042" (expected one of ACME001, VG001, VG002, VG003, VG004, VG005, VG006, VG007, VG008, VG009, VG010, VG011, VG012)`,
      `${f}:4:1 enforcment: unknown property "enforcment" (expected apiVersion, enforcement)`,
    ]);
  });
});

describe("files that are not valid YAML documents", () => {
  const cases: [string, string][] = [
    ["syntax-error.yaml", ":5:1 Flow sequence in block collection must be sufficiently indented and end with a ]"],
    ["duplicate-key.yaml", ':3:1 duplicate key "apiVersion" (each key may appear once in a mapping)'],
    ["empty.yaml", ":1:1 file is empty (expected a YAML or JSON mapping)"],
    ["list-root.yaml", ":1:1 expected a mapping at the top level, got a list"],
    ["does-not-exist.yaml", ":1:1 cannot read: file not found"],
  ];
  for (const [name, expected] of cases) {
    it(name, async () => {
      const err = await inputError(() => loadConfig(fixture(name), knownRules));
      expect(err.message).toBe(fixture(name) + expected);
      expect(err.issues).toHaveLength(1);
    });
  }

  it("a directory", async () => {
    const err = await inputError(() => loadManifest("test/fixtures/model"));
    expect(err.message).toBe("test/fixtures/model:1:1 cannot read: is a directory, expected a YAML or JSON file");
  });

  it("a scalar or an empty string", async () => {
    expect((await inputError(() => parseManifest("just text\n", "m.yaml"))).message).toBe(
      'm.yaml:1:1 expected a mapping at the top level, got "just text"',
    );
    expect((await inputError(() => parseManifest("", "m.yaml"))).message).toBe("m.yaml:1:1 file is empty (expected a YAML or JSON mapping)");
  });

  it("several YAML documents in one file", async () => {
    const err = await inputError(() => parseManifest("apiVersion: vendorgate/v1\n---\nintegrations: []\n", "m.yaml"));
    expect(err.issues[0]).toMatchObject({ line: 2, column: 1, path: "" });
    expect(err.message).toMatch(/multiple documents/);
  });

  it("tags such as !!timestamp are refused rather than turned into Dates", async () => {
    const err = await inputError(() => parseManifest("apiVersion: !!timestamp 2027-06-30\nintegrations: []\n", "m.yaml"));
    expect(err.message).toMatch(/^m\.yaml:1:13 .*tags are not supported/);
  });

  it("mappings used as keys are refused", async () => {
    const err = await inputError(() => parseManifest("apiVersion: vendorgate/v1\nintegrations: []\n? [a, b]\n: c\n", "m.yaml"));
    expect(err.message).toBe("m.yaml:3:3 keys must be plain strings, not lists, mappings or aliases");
  });

  it("YAML 1.1 booleans and dates stay strings, so they are checked as such", async () => {
    // "no" is Norway's region code, not false
    const loaded = parseManifest("apiVersion: vendorgate/v1\nstack: { name: no, residency: [no] }\nintegrations: []\n", "m.yaml");
    expect(loaded.manifest.stack).toEqual({ name: "no", residency: ["no"] });
    const text = [
      "apiVersion: vendorgate/v1",
      "integrations:",
      "  - name: a",
      "    vendor: b",
      "    purpose: essential",
      "    subjects: [customer]",
      "    enabled: yes",
      "    destination: { url: 'https://a.example', region: eu }",
      "    fields: []",
    ].join("\n");
    expect((await inputError(() => parseManifest(text, "m.yaml"))).message).toBe(
      'm.yaml:7:14 integrations[0].enabled: expected true or false, got "yes"',
    );
  });

  it("a non-UTF-8 file names the line of the first bad byte", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vg-model-"));
    try {
      const file = join(dir, "latin1.yaml");
      await writeFile(file, Buffer.concat([Buffer.from("apiVersion: vendorgate/v1\nreason: caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
      const err = await inputError(() => loadConfig(file, knownRules));
      expect(err.message).toBe(`${file}:2:12 not valid UTF-8 text (expected a YAML or JSON file)`);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe("unreadable files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "vg-model-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // root reads anything, so permissions can only be tested as another user
  it.skipIf(process.getuid?.() === 0)("a file without read permission", async () => {
    const file = join(dir, "secret.yaml");
    await writeFile(file, "enforcement: {}\n");
    await chmod(file, 0o000);
    const err = await inputError(() => loadConfig(file, knownRules));
    expect(err.message).toBe(`${file}:1:1 cannot read: permission denied`);
  });

  it("a path through a file", async () => {
    const file = join(dir, "plain.yaml");
    await writeFile(file, "enforcement: {}\n");
    const err = await inputError(() => loadConfig(join(file, "nested.yaml"), knownRules));
    expect(err.message).toBe(`${join(file, "nested.yaml")}:1:1 cannot read: a parent of this path is not a directory`);
  });
});

describe("rendering", () => {
  it("renders paths the way users write them", () => {
    expect(renderPath(["integrations", 2, "fields", 0, "category"])).toBe("integrations[2].fields[0].category");
    expect(renderPath(["vendors", "acme-crm", "approvals", 0, "requireTransform", "user.unique_id"])).toBe(
      'vendors["acme-crm"].approvals[0].requireTransform["user.unique_id"]',
    );
    expect(renderPath([])).toBe("");
    expect(renderPath([0])).toBe("[0]");
  });

  it("an InputError sorts its issues by position and caps the message, keeping every issue", () => {
    const issues = Array.from({ length: 105 }, (_, i) => ({ file: "f.yaml", line: 105 - i, column: 1, path: `p${i}`, message: "bad" }));
    const err = new InputError(issues);
    expect(err.issues).toHaveLength(105);
    expect(err.issues[0]!.line).toBe(1);
    const lines = err.message.split("\n");
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe("f.yaml:1:1 p104: bad");
    expect(lines[100]).toBe("... and 5 more issues");
    expect(err.name).toBe("InputError");
    expect(err).toBeInstanceOf(Error);
  });
});
