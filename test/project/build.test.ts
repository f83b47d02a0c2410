// `vendorgate build`: a project's custom rules compiled with the built-in ones into its own bundle,
// which every judging command then uses; without custom rules the shipped bundle judges.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { StackValidationArgs } from "@pulumi/policy";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { builtinSourceDirs, bundlePaths, sourceDigest } from "../../src/engine/bundle.ts";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { projectBundleCache } from "../../src/policy/compiled-bundle.ts";
import { packPolicies } from "../../src/pack/pack.ts";
import { packageRoot } from "../../src/paths.ts";
import { STACK_FRAME, vendorgate } from "../cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-build-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const NOW = ["--now", "2026-11-29"];

/** This test's own custom rule: employee data only to EU endpoints. */
const employeeRule = `# METADATA
# title: Employee data stays in the EU
# custom:
#   id: ORG001
#   severity: mandatory
#   remediation: Send employee data to the vendor's EU endpoint only.
package vendorgate.custom["employee-data-eu-only"]

import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
\t"integration": integration.name,
\t"message": sprintf("Integration %s sends employee data outside the EU", [integration.name]),
}) if {
\tsome integration in input.integrations
\t"employee" in object.get(integration, "subjects", [])
\tobject.get(integration.destination, "region", "") != "eu"
}
`;

const registry = `apiVersion: vendorgate/v1
prohibitedCategories: []
vendors:
  acme-hr:
    name: Acme HR
    status: approved
    domains: [acme-hr.example]
    regions: [eu, us]
    assurance:
      dpa: { expires: 2030-01-31 }
      soc2: { expires: 2030-01-31 }
    approvals:
      - purpose: employment
        subjects: [employee]
        categories: [user.contact.email]
`;

function manifest(region: "eu" | "us"): string {
  return JSON.stringify({
    apiVersion: "vendorgate/v1",
    stack: { name: "prod" },
    integrations: [
      {
        name: "hr-sync",
        vendor: "acme-hr",
        purpose: "employment",
        subjects: ["employee"],
        destination: { url: `https://${region}.acme-hr.example/sync`, region },
        credentials: { secret: true },
        fields: [{ path: "email", category: "user.contact.email" }],
      },
    ],
  });
}

/** A project with vendorgate.yaml, a registry, both manifests and (unless `rules` is false) the custom rule. */
function project(name: string, rules: Record<string, string> | false = { "employee-data-eu-only/employee_data_eu_only.rego": employeeRule }): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, "policy", "rules"), { recursive: true });
  writeFileSync(join(dir, "vendorgate.yaml"), `apiVersion: vendorgate/v1\nregistry: policy/vendors.yaml\ncustomRules: policy/rules\n`);
  writeFileSync(join(dir, "policy", "vendors.yaml"), registry);
  writeFileSync(join(dir, "eu.json"), manifest("eu"));
  writeFileSync(join(dir, "us.json"), manifest("us"));
  for (const [path, text] of Object.entries(rules || {})) {
    mkdirSync(dirname(join(dir, "policy", "rules", path)), { recursive: true });
    // Bundles are kept by the digest of their sources in a cache other tests and runs share: each
    // test its own (the folders of one test, `twice/a` and `twice/b`, share theirs).
    writeFileSync(join(dir, "policy", "rules", path), `${text}\n# ${scratch} ${name.split("/")[0]}\n`);
  }
  return dir;
}

/** The folder `vendorgate build` says it wrote. */
function builtDir(cwd: string, stdout: string): string {
  const dir = /^built (\S+) with opa/.exec(stdout)?.[1];
  expect(dir, stdout).toBeDefined();
  return resolve(cwd, dir!);
}

/** The digest of the built-in rules plus this project's custom rules, as a judging command computes it. */
const projectDigest = (dir: string) => sourceDigest(packageRoot, builtinSourceDirs, { dir: join(dir, "policy", "rules"), as: "custom-rules" });

const ruleIds = (stdout: string) => (JSON.parse(stdout) as { violations: { rule: string }[] }).violations.map((v) => v.rule);

describe("vendorgate build", () => {
  it("compiles the custom rule into the project's bundle; check then reports it, and passes the flow it allows", () => {
    const dir = project("basic");
    const built = vendorgate(["build"], {}, { cwd: dir });
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/^built \S+ with opa \S+ in \d+ ms: the built-in rules and 1 custom rule \(ORG001\) from policy\/rules; wasm sha256 [0-9a-f]{12}\n$/);
    // Kept beside the installed package under the digest of its sources, never in the repository.
    const bundle = builtDir(dir, built.stdout);
    expect(bundle).toBe(join(projectBundleCache(), projectDigest(dir)));
    expect(existsSync(join(dir, ".vendorgate"))).toBe(false);
    const catalogue = JSON.parse(readFileSync(join(bundle, "catalogue.json"), "utf8")) as { id: string; custom: boolean }[];
    expect(catalogue.filter((r) => r.custom).map((r) => r.id)).toEqual(["ORG001"]);
    expect(catalogue.filter((r) => !r.custom)).toHaveLength(12);

    const blocked = vendorgate(["check", "--manifest", "us.json", "--format", "json", ...NOW], {}, { cwd: dir });
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(ruleIds(blocked.stdout)).toEqual(["ORG001"]);
    const passed = vendorgate(["check", "--manifest", "eu.json", "--format", "json", ...NOW], {}, { cwd: dir });
    expect(passed.code, passed.stderr).toBe(0);
    // From a subfolder and with --project alike: the project's vendorgate.yaml picks the bundle.
    mkdirSync(join(dir, "stacks"));
    expect(vendorgate(["check", "--manifest", "../us.json", ...NOW], {}, { cwd: join(dir, "stacks") }).code).toBe(1);
  });

  it("the same project in two folders gives byte-identical WASM", () => {
    const a = project("twice/a");
    const b = project("twice/much/deeper/b");
    // One cache folder for both (same sources, same digest): each build replaces it, so compare copies.
    const wasm = (d: string) => {
      const r = vendorgate(["build"], {}, { cwd: d });
      expect(r.code, r.stderr).toBe(0);
      return readFileSync(join(builtDir(d, r.stdout), "policy.wasm"));
    };
    const first = wasm(a);
    expect(first.equals(wasm(b))).toBe(true);
    expect(first.includes(Buffer.from(scratch))).toBe(false);
  });

  it("a judging command refuses a missing or stale project bundle and says to run vendorgate build", () => {
    const dir = project("stale");
    const missing = vendorgate(["check", "--manifest", "eu.json", ...NOW], {}, { cwd: dir });
    expect(missing.code).toBe(2);
    const notBuilt = /no policy bundle compiled from this project's custom rules as they are now \(from policy\/rules\): run `npx vendorgate build`/;
    expect(missing.stderr).toMatch(notBuilt);
    expect(vendorgate(["build"], {}, { cwd: dir }).code).toBe(0);
    const rule = join(dir, "policy/rules/employee-data-eu-only/employee_data_eu_only.rego");
    writeFileSync(rule, `${readFileSync(rule, "utf8")}\n# edited\n`);
    const stale = vendorgate(["check", "--manifest", "eu.json", ...NOW], {}, { cwd: dir });
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(notBuilt);
    // A rule added after the build is a change too: it must never go unjudged.
    expect(vendorgate(["build"], {}, { cwd: dir }).code).toBe(0);
    mkdirSync(join(dir, "policy/rules/second"));
    writeFileSync(join(dir, "policy/rules/second/second.rego"), employeeRule.replace("ORG001", "ORG002").replace('"employee-data-eu-only"', '"second"'));
    expect(vendorgate(["check", "--manifest", "eu.json", ...NOW], {}, { cwd: dir }).stderr).toMatch(notBuilt);
  });

  it("a compiled bundle committed in the repository never judges (issues 13, 15): a forged .vendorgate/policy is not read", () => {
    const dir = project("forged");
    const built = vendorgate(["build"], {}, { cwd: dir });
    expect(built.code, built.stderr).toBe(0);
    // What a pull request can commit: the product bundle (no ORG001) with a manifest claiming the
    // project's sources, where the bundle used to be kept.
    const forged = join(dir, ".vendorgate", "policy");
    cpSync(bundlePaths().dir, forged, { recursive: true });
    const manifestFile = join(forged, "manifest.json");
    writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(readFileSync(manifestFile, "utf8")), sourceDigest: projectDigest(dir) }));
    const blocked = vendorgate(["check", "--manifest", "us.json", "--format", "json", ...NOW], {}, { cwd: dir });
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(ruleIds(blocked.stdout)).toEqual(["ORG001"]);
    // Without the real bundle (a fresh `npm ci`), the forged one still does not stand in: exit 2.
    rmSync(builtDir(dir, built.stdout), { recursive: true });
    const refused = vendorgate(["check", "--manifest", "us.json", ...NOW], {}, { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/run `npx vendorgate build`/);
  });

  it("without custom rules nothing is built and the shipped bundle judges (no opa needed); a `_` folder is not compiled", () => {
    const dir = project("none", { "_example/example.rego": employeeRule });
    const r = vendorgate(["build"], {}, { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no custom rule in policy\/rules \(folders starting with _ are skipped\).*nothing to build/);
    expect(existsSync(join(dir, ".vendorgate"))).toBe(false);
    // No opa anywhere: judging still works.
    const checked = vendorgate(["check", "--manifest", "us.json", "--format", "json", ...NOW], { PATH: dirname(process.execPath), VENDORGATE_TOOLS: join(scratch, "no-tools") }, { cwd: dir });
    expect(checked.code, checked.stderr).toBe(0);
    expect(ruleIds(checked.stdout)).toEqual([]);
  });

  it("opa missing: exit 2 naming how to install it, no stack trace", () => {
    const dir = project("no-opa");
    const r = vendorgate(["build"], { PATH: dirname(process.execPath), VENDORGATE_TOOLS: join(scratch, "no-tools") }, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^vendorgate: build: opa is not installed: .*install the Open Policy Agent CLI and put `opa` on PATH \(https:\/\/www\.openpolicyagent\.org\//);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("a customRules folder that does not exist is an input error at its line, for build and for judging alike", () => {
    const dir = project("typo", false);
    writeFileSync(join(dir, "vendorgate.yaml"), "apiVersion: vendorgate/v1\nregistry: policy/vendors.yaml\ncustomRules: policy/rulez\n");
    for (const args of [["build"], ["check", "--manifest", "eu.json", ...NOW]]) {
      const r = vendorgate(args, {}, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("vendorgate.yaml:3:14 customRules: policy/rulez: no such folder");
    }
  });

  it("custom rules stay confined: a rule leaving vendorgate.custom or taking a VG id fails the build at its file and line", () => {
    const dir = project("confined", {
      "takeover/takeover.rego": "package vendorgate.main\n\nreport := {}\n",
      "fake/fake.rego": employeeRule.replace("ORG001", "VG004").replace('"employee-data-eu-only"', '"fake"'),
    });
    const r = vendorgate(["build"], {}, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("policy/rules/takeover/takeover.rego:1:1 package vendorgate.main is outside vendorgate.custom");
    expect(r.stderr).toMatch(/policy\/rules\/fake\/fake\.rego:\d+:\d+ custom rule fake takes the id VG004/);
    expect(existsSync(join(dir, ".vendorgate"))).toBe(false);
  });

  it("a rule that does not compile names the user's file, not a staging folder", () => {
    const dir = project("syntax", { "broken/broken.rego": 'package vendorgate.custom["broken"]\n\nx := \n' });
    const r = vendorgate(["build"], {}, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/policy\/rules\/broken\/broken\.rego:\d+: rego_parse_error/);
    expect(r.stderr).not.toMatch(/custom-rules\//);
  });
});

describe("the policy pack with a project's custom rules", () => {
  const saved = process.env.VENDORGATE_CONFIG_FILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.VENDORGATE_CONFIG_FILE;
    else process.env.VENDORGATE_CONFIG_FILE = saved;
  });

  it("gives each custom rule a policy of its own when VENDORGATE_CONFIG_FILE names the project", async () => {
    const dir = project("pack");
    expect(vendorgate(["build"], {}, { cwd: dir }).code).toBe(0);
    process.env.VENDORGATE_CONFIG_FILE = join(dir, "vendorgate.yaml");
    expect((await packPolicies()).map((p) => p.name)).toContain("employee-data-eu-only");
    delete process.env.VENDORGATE_CONFIG_FILE;
    expect((await packPolicies()).map((p) => p.name)).not.toContain("employee-data-eu-only");
  });

  it("started without the project, it blocks a stack whose project has custom rules instead of dropping them", async () => {
    const dir = project("pack-unaware");
    expect(vendorgate(["build"], {}, { cwd: dir }).code).toBe(0);
    delete process.env.VENDORGATE_CONFIG_FILE;
    const policies = await packPolicies();
    const name = "hr-sync";
    const args = {
      resources: [
        {
          urn: `urn:pulumi:prod::hr::${INTEGRATION_TYPE}::${name}`,
          type: INTEGRATION_TYPE,
          name,
          props: { ...(JSON.parse(manifest("eu")) as { integrations: Record<string, unknown>[] }).integrations[0], enabled: true },
          opts: {},
          dependencies: [],
          propertyDependencies: {},
        },
      ],
      getConfig: () => ({ configFile: join(dir, "vendorgate.yaml"), now: "2026-11-29" }),
    } as unknown as StackValidationArgs;
    const reported: string[] = [];
    for (const p of policies) await p.validateStack(args, (message) => void reported.push(`${p.name}: ${message}`));
    expect(reported.filter((r) => r.startsWith("vendorgate-gate"))).toEqual([
      expect.stringMatching(/^vendorgate-gate: .*fail closed\): the policy pack started without this project's custom rules \(ORG001\).*set VENDORGATE_CONFIG_FILE/),
    ]);
  });
});

describe("the checkout's development bundle", () => {
  it("holds the product's rules only: no example organisation's custom rule", () => {
    const catalogue = JSON.parse(readFileSync(bundlePaths().catalogue, "utf8")) as { id: string; custom: boolean }[];
    expect(catalogue.filter((r) => r.custom)).toEqual([]);
    expect(catalogue.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => `VG${String(i + 1).padStart(3, "0")}`));
    expect(bundlePaths().root).toBe(packageRoot);
  });
});
