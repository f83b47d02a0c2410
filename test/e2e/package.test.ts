// vendorgate as a user gets it: `npm pack`, then the tarball installed into a new Pulumi project
// outside the repository (npm's cache makes the install work offline). Nothing of the repository
// is used but the tarball: the project, its registry and its program are written here, and every
// command runs from the project's own node_modules.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.ts";
import { packTarball, type Tarball, userEnv } from "./tarball.ts";
import { generateBackend } from "../support/generated-backend.ts";
import { S3_ENV, startS3Server } from "../support/s3-server.ts";

const NOW = "2026-11-29";
let scratch: string;
let project: string;
let tarball: Tarball;

function run(cmd: string, args: readonly string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd ?? project, env: userEnv(opts.env), encoding: "utf8", maxBuffer: 64 << 20, ...(opts.input ? { input: opts.input } : {}) });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

const vendorgate = (...args: string[]) => run("npx", ["--no-install", "vendorgate", ...args]);

const pins = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { devDependencies: Record<string, string> };

const registry = `# The platform team's vendor registry.
apiVersion: vendorgate/v1
prohibitedCategories: [user.financial]
vendors:
  acme-analytics:
    name: Acme Analytics
    status: approved
    domains: [acme-analytics.example]
    regions: [eu]
    assurance:
      dpa: { expires: 2030-01-31 }
      soc2: { expires: 2030-01-31 }
    approvals:
      - purpose: analytics.reporting
        subjects: [customer]
        categories: [user.device]
`;

/** The user's Pulumi program; `leak` adds a field the registry does not approve. */
function program(leak: boolean, category = "user.contact.email"): string {
  return `import { Integration, type IntegrationField } from "vendorgate";

const fields: IntegrationField[] = [{ path: "device.os", category: "user.device" }];
${leak ? `fields.push({ path: "user.email", category: ${JSON.stringify(category)} });` : ""}

export default function program(): Record<string, unknown> {
  new Integration("product-analytics", {
    vendor: "acme-analytics",
    purpose: "analytics.reporting",
    subjects: ["customer"],
    destination: { url: "https://eu.acme-analytics.example/track", region: "eu" },
    fields,
  });
  return {};
}
`;
}

function manifest(leak: boolean): string {
  const fields = [{ path: "device.os", category: "user.device" }, ...(leak ? [{ path: "user.email", category: "user.contact.email" }] : [])];
  return JSON.stringify({
    apiVersion: "vendorgate/v1",
    stack: { name: "dev" },
    integrations: [
      {
        name: "product-analytics",
        vendor: "acme-analytics",
        purpose: "analytics.reporting",
        subjects: ["customer"],
        destination: { url: "https://eu.acme-analytics.example/track", region: "eu" },
        fields,
      },
    ],
  });
}

/*
 * A real preview of the project with the pack from node_modules, started through its launcher
 * (this machine has no Node.js language host, so the program runs inline through the Automation
 * API of the project's own @pulumi/pulumi: what `pulumi preview --policy-pack <launcher>` does).
 */
const previewScript = `import { writeFileSync } from "node:fs";
import { LocalWorkspace } from "@pulumi/pulumi/automation/index.js";

const [stackName, configFile] = process.argv.slice(2);
const stack = await LocalWorkspace.createOrSelectStack(
  { stackName, projectName: "shop", program: async () => (await import("./index.ts")).default() },
  { workDir: process.cwd() },
);
const findings = [];
let error;
try {
  await stack.preview({
    policyPacks: ["node_modules/vendorgate/policies/pack/run-pack"],
    policyPackConfigs: [configFile],
    color: "never",
    onEvent: (e) => e.policyEvent && findings.push({ policy: e.policyEvent.policyName, level: e.policyEvent.enforcementLevel, message: e.policyEvent.message }),
  });
} catch (err) {
  error = String(err.message ?? err);
}
writeFileSync("preview-result.json", JSON.stringify({ findings, error }, null, 2));
`;

/** A real preview; the pack is told where vendorgate.yaml is through the environment unless `configured` is false. */
function preview(configured = true): { findings: { policy: string; level: string; message: string }[]; error?: string } {
  const home = join(scratch, "pulumi-home");
  const backend = join(scratch, "backend");
  mkdirSync(home, { recursive: true });
  mkdirSync(backend, { recursive: true });
  const config = join(scratch, "policy-config.json");
  writeFileSync(config, JSON.stringify({ "vendorgate-gate": { now: NOW } }));
  rmSync(join(project, "preview-result.json"), { force: true });
  const r = run("node", ["preview.mjs", "dev", config], {
    env: {
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e",
      PULUMI_SKIP_UPDATE_CHECK: "1",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      ...(configured ? { VENDORGATE_CONFIG_FILE: join(project, "vendorgate.yaml") } : {}),
    },
  });
  ok(r, "preview script");
  return JSON.parse(readFileSync(join(project, "preview-result.json"), "utf8")) as ReturnType<typeof preview>;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "vendorgate-package-"));
  project = join(scratch, "shop");
  mkdirSync(project);

  tarball = packTarball(scratch);
  console.log(`vendorgate tarball: ${tarball.entryCount} files, ${(tarball.size / 1024).toFixed(1)} kB packed, ${(tarball.unpackedSize / 1024).toFixed(1)} kB unpacked`);

  writeFileSync(
    join(project, "package.json"),
    JSON.stringify(
      {
        name: "shop",
        private: true,
        type: "module",
        dependencies: { "@pulumi/pulumi": pins.devDependencies["@pulumi/pulumi"], "@pulumi/aws": pins.devDependencies["@pulumi/aws"], vendorgate: `file:${tarball.file}` },
        devDependencies: { typescript: pins.devDependencies.typescript, "@types/node": pins.devDependencies["@types/node"] },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(project, "Pulumi.yaml"), "name: shop\nruntime: nodejs\nmain: index.ts\n");
  writeFileSync(join(project, "Pulumi.dev.yaml"), "config: {}\n");
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: true, allowImportingTsExtensions: true }, files: ["index.ts", "entries.ts"] }),
  );
  writeFileSync(join(project, "vendorgate.yaml"), "apiVersion: vendorgate/v1\nregistry: policy/vendors.yaml\nexceptions: policy/exceptions.yaml\n");
  mkdirSync(join(project, "policy"));
  writeFileSync(join(project, "policy", "vendors.yaml"), registry);
  writeFileSync(join(project, "policy", "exceptions.yaml"), "apiVersion: vendorgate/v1\nexceptions: []\n");
  writeFileSync(join(project, "index.ts"), program(true));
  writeFileSync(join(project, "preview.mjs"), previewScript);
  // Every other public entry, as a program or an application would import it.
  writeFileSync(
    join(project, "entries.ts"),
    `import type { startPack } from "vendorgate/pack";
import * as runtime from "vendorgate/runtime";
import registrySchema from "vendorgate/schemas/registry.schema.json" with { type: "json" };
export type Entries = [typeof startPack, typeof runtime, typeof registrySchema];
`,
  );
  ok(run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]), "npm install");
}, 900_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the packed package in a user's project", { timeout: 600_000 }, () => {
  it("npm pack --dry-run lists only what runs: no test, bench, fixture, example, script or CI file", () => {
    const dry = JSON.parse(ok(run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: tarball.root }), "npm pack --dry-run")) as { files: { path: string }[] }[];
    const files = dry[0]!.files.map((f) => f.path).sort();
    expect(files).toEqual([...tarball.files].sort());
    const unwanted = files.filter((f) => /(^|\/)(test|tests|bench|fixtures?|examples?|stacks|scripts|\.github|\.vendorgate|node_modules)\/|_test\.rego$|\.test\.|(^|\/)(src)\/.*\.ts$|tsconfig|vitest|eslint|action\.yml/.test(f));
    expect(unwanted).toEqual([]);
    for (const needed of ["bin/vendorgate.js", "dist/index.js", "dist/index.d.ts", "dist/cli.js", "dist/policy/policy.wasm", "dist/policy/catalogue.json", "dist/policy/manifest.json", "policies/pack/run-pack", "policies/pack/index.js"]) {
      expect(files).toContain(needed);
    }
  });

  it("ships the built-in rules only: VG001-VG012 precompiled, no organisation's custom rule", () => {
    const catalogue = JSON.parse(readFileSync(join(project, "node_modules/vendorgate/dist/policy/catalogue.json"), "utf8")) as { id: string }[];
    expect(catalogue.map((r) => r.id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `VG${String(i + 1).padStart(3, "0")}`));
  });

  it("installs one @pulumi/pulumi: the project's own (a peer dependency, never a nested copy)", () => {
    const copies = ok(run("npm", ["ls", "@pulumi/pulumi", "--all", "--parseable"]), "npm ls").split("\n").filter(Boolean);
    expect([...new Set(copies)]).toEqual([join(project, "node_modules/@pulumi/pulumi")]);
  });

  it("type-checks a program importing Integration against the shipped declarations; a misspelt category fails tsc", () => {
    ok(run("npx", ["--no-install", "tsc", "-p", "."]), "tsc");
    writeFileSync(join(project, "index.ts"), program(true, "user.contact.emial"));
    try {
      const r = run("npx", ["--no-install", "tsc", "-p", "."]);
      expect(r.status).not.toBe(0);
      expect(r.stdout).toMatch(/index\.ts\(\d+,\d+\): error TS\d+: .*user\.contact\.emial/);
    } finally {
      writeFileSync(join(project, "index.ts"), program(true));
    }
  });

  it("resolves every export at run time, and the pack folder asks for this very version of the package", () => {
    const script = `for (const e of ["vendorgate", "vendorgate/pack", "vendorgate/runtime", "vendorgate/runtime/undici"]) {
      const m = await import(e); if (Object.keys(m).length === 0) throw new Error(e + " exports nothing"); }
      const { Integration } = await import("vendorgate"); if (typeof Integration !== "function") throw new Error("no Integration");`;
    ok(run("node", ["--input-type=module", "-e", script]), "importing the entries");
    const pkg = JSON.parse(readFileSync(join(project, "node_modules/vendorgate/package.json"), "utf8")) as { version: string };
    const pack = JSON.parse(readFileSync(join(project, "node_modules/vendorgate/policies/pack/package.json"), "utf8")) as { version: string; dependencies: Record<string, string> };
    expect(pack.dependencies.vendorgate).toBe(pkg.version);
  });

  it("runs the CLI from node_modules without TypeScript tooling: --version, and a startup failure is exit 2, not 1 (blocked)", () => {
    const v = vendorgate("--version");
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // An unknown option is a usage error.
    expect(vendorgate("check", "--no-such-option").status).toBe(2);
    // A broken install (here: the compiled CLI missing) must not look like "blocked".
    const cli = join(project, "node_modules/vendorgate/dist/cli.js");
    renameSync(cli, `${cli}.away`);
    try {
      const broken = vendorgate("check");
      expect(broken.status).toBe(2);
      expect(broken.stderr).toMatch(/^vendorgate: cannot start/);
    } finally {
      renameSync(`${cli}.away`, cli);
    }
  });

  it("exposure reads a file:// and an s3:// backend from node_modules (the reading worker and the direct GET ship)", async () => {
    const fleet = join(scratch, "fleet");
    const put = async (key: string, body: string | Buffer) => {
      mkdirSync(dirname(join(fleet, key)), { recursive: true });
      writeFileSync(join(fleet, key), body);
    };
    await generateBackend({ stacks: 5, checkpoints: 3, put });
    const server = await startS3Server();
    try {
      await server.createBucket("fleet");
      await generateBackend({ stacks: 5, checkpoints: 3, put: (key, body) => server.put("fleet", `org/${key}`, body) });
      const shop = join(packageRoot, "examples/shop/policy/vendors.yaml");
      const exposure = (backend: string) => run("npx", ["--no-install", "vendorgate", "exposure", "--vendor", "mixpanel", "--backend", backend, "--registry", shop, "--format", "json"], { env: S3_ENV });
      const fromFile = exposure(`file://${fleet}`);
      const fromS3 = exposure(server.url("fleet", "org"));
      for (const r of [fromFile, fromS3]) {
        expect(r.status, r.stderr).toBe(0);
        expect((JSON.parse(r.stdout) as { sources: unknown }).sources).toMatchObject({ stacks: 5, checkpoints: 15 });
      }
      const records = (r: SpawnSyncReturns<string>) => (JSON.parse(r.stdout) as { records: unknown[] }).records.map((x) => JSON.stringify({ ...(x as object), files: undefined }));
      expect(records(fromS3)).toEqual(records(fromFile));
    } finally {
      await server.stop();
    }
  });

  it("check: blocks the manifest sharing an unapproved category, passes once the flow is fixed", () => {
    writeFileSync(join(project, "flows.json"), manifest(true));
    const blocked = vendorgate("check", "--manifest", "flows.json", "--now", NOW, "--format", "json");
    expect(blocked.status, blocked.stderr).toBe(1);
    const report = JSON.parse(blocked.stdout) as { violations: { rule: string; field?: string }[] };
    expect(report.violations.map((v) => `${v.rule} ${v.field ?? ""}`)).toEqual(["VG004 user.email"]);
    writeFileSync(join(project, "flows.json"), manifest(false));
    const passed = vendorgate("check", "--manifest", "flows.json", "--now", NOW);
    expect(passed.status, passed.stderr + passed.stdout).toBe(0);
  });

  it("vendor approve and revoke edit the project's registry in place (comments kept); check --output follows the change", () => {
    const file = join(project, "policy", "vendors.yaml");
    writeFileSync(join(project, "flows.json"), manifest(true));
    try {
      const approved = vendorgate("vendor", "approve", "acme-analytics", "--purpose", "analytics.reporting", "--subjects", "customer", "--categories", "user.contact.email", "--require-transform", "hash");
      expect(approved.status, approved.stderr).toBe(0);
      expect(approved.stdout).toContain("+        requireTransform:");
      expect(readFileSync(file, "utf8")).toBe(
        registry.replace("        categories: [user.device]\n", "        categories: [user.device, user.contact.email]\n        requireTransform:\n          user.contact.email: [hash]\n"),
      );
      // The email field is sent without a transform: now VG005, written to the file --output names.
      const report = join(project, "report.json");
      const blocked = vendorgate("check", "--manifest", "flows.json", "--now", NOW, "--format", "json", "--output", report);
      expect(blocked.status, blocked.stderr).toBe(1);
      expect(blocked.stdout).toBe("");
      const violations = (JSON.parse(readFileSync(report, "utf8")) as { violations: { rule: string }[] }).violations;
      expect(violations.map((v) => v.rule)).toEqual(["VG005"]);
      const revoked = vendorgate("vendor", "revoke", "acme-analytics", "--purpose", "analytics.reporting", "--categories", "user.contact.email", "--quiet");
      expect(revoked.status, revoked.stderr).toBe(0);
      expect(revoked.stdout).toBe("");
      expect(readFileSync(file, "utf8")).toBe(registry);
    } finally {
      writeFileSync(file, registry);
    }
  });

  it("plan: runs the project's own program under mocks; blocked, then passes once the flow is fixed", () => {
    try {
      const blocked = vendorgate("plan", "--project", ".", "--stack", "dev", "--no-decrypt", "--now", NOW, "--format", "json");
      expect(blocked.status, blocked.stderr).toBe(1);
      const report = JSON.parse(blocked.stdout) as { violations: { rule: string; field?: string }[] };
      expect(report.violations.map((v) => `${v.rule} ${v.field ?? ""}`)).toEqual(["VG004 user.email"]);
      writeFileSync(join(project, "index.ts"), program(false));
      const passed = vendorgate("plan", "--project", ".", "--stack", "dev", "--no-decrypt", "--now", NOW);
      expect(passed.status, passed.stderr + passed.stdout).toBe(0);
    } finally {
      writeFileSync(join(project, "index.ts"), program(true));
    }
  });

  it("a real pulumi preview with the pack from node_modules (through its launcher): blocked, then passes once the flow is fixed", () => {
    try {
      // Without being told where vendorgate.yaml is, the pack blocks and says why.
      const unconfigured = preview(false);
      expect(unconfigured.findings.filter((f) => f.level === "mandatory" && f.policy === "vendorgate-gate").map((f) => f.message).join("\n")).toMatch(
        /fail closed\): no vendorgate\.yaml given to the policy pack: set VENDORGATE_CONFIG_FILE/,
      );
      const blocked = preview();
      const mandatory = blocked.findings.filter((f) => f.level === "mandatory");
      expect(mandatory.map((f) => f.policy), JSON.stringify(blocked)).toEqual(["category-not-approved"]);
      expect(mandatory[0]!.message).toMatch(/^VG004 product-analytics \(field user\.email\)/m);
      writeFileSync(join(project, "index.ts"), program(false));
      const passed = preview();
      expect(passed.error, JSON.stringify(passed)).toBeUndefined();
      expect(passed.findings.filter((f) => f.level === "mandatory")).toEqual([]);
    } finally {
      writeFileSync(join(project, "index.ts"), program(true));
    }
  });

  it("check with security's signed policy bundle (opa build --signing-key) pinned in vendorgate.yaml; another digest is exit 2", () => {
    const org = join(scratch, "org-policy");
    mkdirSync(join(org, "registry"), { recursive: true });
    mkdirSync(join(org, "exceptions"), { recursive: true });
    writeFileSync(join(org, "registry", "data.yaml"), registry);
    writeFileSync(join(org, "exceptions", "data.yaml"), "apiVersion: vendorgate/v1\nexceptions: []\n");
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    writeFileSync(join(scratch, "security-private.pem"), keys.privateKey);
    const signed = join(project, "signed");
    mkdirSync(signed, { recursive: true });
    const bundle = join(signed, "policy.tar.gz");
    ok(run("opa", ["build", "-b", org, "--signing-key", join(scratch, "security-private.pem"), "-o", bundle]), "opa build");
    const digest = createHash("sha256").update(readFileSync(bundle)).digest("hex");
    writeFileSync(join(signed, "security.pem"), keys.publicKey);
    const config = (d: string) =>
      writeFileSync(join(signed, "vendorgate.yaml"), `apiVersion: vendorgate/v1\npolicyBundle:\n  path: policy.tar.gz\n  digest: sha256:${d}\n  publicKey: security.pem\n`);
    config(digest);
    writeFileSync(join(project, "flows.json"), manifest(true));
    const blocked = vendorgate("check", "--manifest", "flows.json", "--config-file", "signed/vendorgate.yaml", "--now", NOW, "--format", "json");
    expect(blocked.status, blocked.stderr).toBe(1);
    const report = JSON.parse(blocked.stdout) as { violations: { rule: string }[]; policy: { bundle: { signed?: { digest: string } } } };
    expect(report.violations.map((v) => v.rule)).toEqual(["VG004"]);
    expect(report.policy.bundle.signed?.digest).toBe(`sha256:${digest}`);
    config("0".repeat(64));
    const refused = vendorgate("check", "--manifest", "flows.json", "--config-file", "signed/vendorgate.yaml", "--now", NOW);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/signed policy bundle policy\.tar\.gz: digest mismatch/);
  });

  it("a custom rule the user adds: vendorgate build picks it up, and check, plan and a real preview report it", () => {
    // The user's own rule, written as init's example shows: analytics vendors get no device data.
    const rule = `# METADATA
# title: No device data to analytics vendors
# custom:
#   id: SHOP001
#   severity: mandatory
#   remediation: Drop the device fields from analytics integrations.
package vendorgate.custom["no-device-data"]

import data.vendorgate.lib.result

violation contains result.fail(rego.metadata.chain(), {
\t"integration": integration.name,
\t"field": field.path,
\t"message": sprintf("Integration %s sends device data (%s) to an analytics vendor", [integration.name, field.path]),
}) if {
\tsome integration in input.integrations
\tstartswith(integration.purpose, "analytics")
\tsome field in integration.fields
\tfield.category == "user.device"
}
`;
    const config = readFileSync(join(project, "vendorgate.yaml"), "utf8");
    const ruleDir = join(project, "policy", "rules", "no-device-data");
    try {
      mkdirSync(ruleDir, { recursive: true });
      writeFileSync(join(ruleDir, "no_device_data.rego"), rule);
      writeFileSync(join(project, "vendorgate.yaml"), `${config}customRules: policy/rules\n`);
      writeFileSync(join(project, "index.ts"), program(false));
      writeFileSync(join(project, "flows.json"), manifest(false));

      // Not built yet: judging would leave the rule out, so it refuses and says what to run.
      const unbuilt = vendorgate("check", "--manifest", "flows.json", "--now", NOW);
      expect(unbuilt.status).toBe(2);
      expect(unbuilt.stderr).toMatch(/run `npx vendorgate build`/);

      const built = vendorgate("build");
      expect(built.status, built.stderr).toBe(0);
      // Beside the installed package, never in the repository a pull request controls.
      expect(built.stdout).toMatch(/^built node_modules\/\.cache\/vendorgate\/policy\/[0-9a-f]{64} with opa .*1 custom rule \(SHOP001\) from policy\/rules/);
      expect(existsSync(join(project, ".vendorgate", "policy"))).toBe(false);

      const checked = vendorgate("check", "--manifest", "flows.json", "--now", NOW, "--format", "json");
      expect(checked.status, checked.stderr).toBe(1);
      const checkReport = JSON.parse(checked.stdout) as { violations: { rule: string; field?: string }[] };
      expect(checkReport.violations.map((v) => `${v.rule} ${v.field ?? ""}`)).toEqual(["SHOP001 device.os"]);

      const planned = vendorgate("plan", "--project", ".", "--stack", "dev", "--no-decrypt", "--now", NOW, "--format", "json");
      expect(planned.status, planned.stderr).toBe(1);
      const planReport = JSON.parse(planned.stdout) as { violations: { rule: string; field?: string }[] };
      expect(planReport.violations.map((v) => `${v.rule} ${v.field ?? ""}`)).toEqual(["SHOP001 device.os"]);

      const previewed = preview();
      const mandatory = previewed.findings.filter((f) => f.level === "mandatory");
      expect(mandatory.map((f) => f.policy), JSON.stringify(previewed)).toEqual(["no-device-data"]);
      expect(mandatory[0]!.message).toMatch(/^SHOP001 product-analytics \(field device\.os\)/m);
    } finally {
      writeFileSync(join(project, "vendorgate.yaml"), config);
      rmSync(join(project, "policy", "rules"), { recursive: true, force: true });
      writeFileSync(join(project, "index.ts"), program(true));
    }
  });
});
