import { execFileSync, spawn } from "node:child_process";
import { createHash, generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { createGunzip, createGzip } from "node:zlib";
import { extract, pack } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { policyPackConfig, runDeploy } from "../../src/commands/preview.ts";
import { bundlePaths } from "../../src/engine/bundle.ts";
import { GATE_POLICY, type GateConfig } from "../../src/pack/config.ts";
import { packageRoot } from "../../src/paths.ts";
import { exampleProject } from "../../scripts/example.ts";
import { STACK_FRAME, type CliResult } from "../cli.ts";

/*
 * Security's signed policy bundle, referenced from vendorgate.yaml, served by a real HTTP server on
 * 127.0.0.1 and built by the real `opa build --signing-key`. The CLI runs as a child process
 * started asynchronously: a synchronous spawn would stop this process's server from answering.
 */

const NOW = ["--now", "2026-11-29"];
const scratch = mkdtempSync(join(tmpdir(), "vendorgate-signed-bundle-"));
const project = join(scratch, "project");
const served = new Map<string, Buffer>();
const requests: string[] = [];
let server: Server;
let base = "";
let closedPort = 0;
let publicKey = "";
let wrongPublicKey = "";

const sha256 = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

function keyPair(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

/** `opa build -b <dir> --signing-key <key>`: the organisation's bundle as security would publish it. */
function opaBuild(dir: string, privateKey: string, out: string): Buffer {
  const keyFile = join(scratch, `key-${createHash("sha256").update(privateKey).digest("hex").slice(0, 8)}.pem`);
  writeFileSync(keyFile, privateKey);
  execFileSync("opa", ["build", "-b", dir, "--signing-key", keyFile, "-o", out], { stdio: "pipe" });
  return readFileSync(out);
}

/** The bundle with `data.json` rewritten, everything else (the signature included) as it was. */
async function tamper(bundle: Buffer, edit: (data: Record<string, unknown>) => void): Promise<Buffer> {
  const files: { name: string; body: Buffer }[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      void buffer(stream).then((body) => {
        files.push({ name: header.name, body });
        next();
      }, reject);
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  Readable.from([bundle]).pipe(createGunzip()).pipe(ex);
  await done;
  const p = pack();
  for (const f of files) {
    let body = f.body;
    if (f.name.replace(/^\//, "") === "data.json") {
      const data = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      edit(data);
      body = Buffer.from(JSON.stringify(data));
    }
    p.entry({ name: f.name }, body);
  }
  p.finalize();
  return buffer(p.pipe(createGzip()));
}

function run(args: readonly string[], cwd = project): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(packageRoot, "bin", "vendorgate.js"), ...args], { cwd, env: { ...process.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** vendorgate.yaml pinning a bundle; `extra` is appended as written. */
function configure(bundle: { url?: string; path?: string; digest: string; publicKey?: string }, extra = ""): void {
  const where = bundle.url !== undefined ? `  url: ${bundle.url}` : `  path: ${bundle.path}`;
  const key = bundle.publicKey ?? "security.pem";
  const keyYaml = key.includes("BEGIN") ? `  publicKey: |\n${key.trimEnd().split("\n").map((l) => `    ${l}`).join("\n")}` : `  publicKey: ${key}`;
  writeFileSync(join(project, "vendorgate.yaml"), ["apiVersion: vendorgate/v1", "policyBundle:", where, `  digest: ${bundle.digest}`, keyYaml, extra].join("\n") + "\n");
}

const bundles: Record<"good" | "tampered" | "wrongKey" | "withRules", { url: string; digest: string }> = {} as never;

/** Security's own rule, signed into the bundle: criminal history may go to no vendor. */
const securityRule = [
  "# METADATA",
  "# title: No criminal history to any vendor",
  "# custom:",
  "#   id: ACME500",
  "#   severity: mandatory",
  "#   remediation: Remove the field.",
  'package vendorgate.custom["no-criminal-history"]',
  "",
  "import data.vendorgate.lib.result",
  "",
  "violation contains result.fail(rego.metadata.chain(), {",
  '\t"integration": integration.name,',
  '\t"message": "criminal history leaves",',
  "}) if {",
  "\tsome integration in input.integrations",
  "\tsome field in integration.fields",
  '\tstartswith(field.category, "user.criminal_history")',
  "}",
  // Compiled bundles are kept by the digest of their sources in a cache other runs share: this run's own.
  `# ${scratch}`,
  "",
].join("\n");

beforeAll(async () => {
  // Security's policy: the checkout's registry and exceptions, as files in the bundle's tree.
  const org = join(scratch, "org");
  mkdirSync(join(org, "registry"), { recursive: true });
  mkdirSync(join(org, "exceptions"), { recursive: true });
  cpSync(join(packageRoot, "examples", "shop", "policy", "vendors.yaml"), join(org, "registry", "data.yaml"));
  cpSync(join(packageRoot, "examples", "shop", "policy", "exceptions.yaml"), join(org, "exceptions", "data.yaml"));
  const security = keyPair();
  const someoneElse = keyPair();
  publicKey = security.publicKey;
  wrongPublicKey = someoneElse.publicKey;
  const good = opaBuild(org, security.privateKey, join(scratch, "good.tar.gz"));
  const wrongKey = opaBuild(org, someoneElse.privateKey, join(scratch, "wrong-key.tar.gz"));
  // The attack the signature is for: everything approved, the signature left as it was.
  const tampered = await tamper(good, (data) => {
    const vendors = (data.registry as { vendors: Record<string, { status: string }> }).vendors;
    for (const v of Object.values(vendors)) v.status = "approved";
  });
  served.set("/good.tar.gz", good);
  served.set("/tampered.tar.gz", tampered);
  served.set("/wrong-key.tar.gz", wrongKey);
  // The same policy plus a custom rule (and vendorgate's library, which opa build needs to compile it).
  const orgWithRules = join(scratch, "org-with-rules");
  cpSync(org, orgWithRules, { recursive: true });
  cpSync(join(packageRoot, "policies", "lib"), join(orgWithRules, "lib"), { recursive: true });
  mkdirSync(join(orgWithRules, "custom", "no-criminal-history"), { recursive: true });
  writeFileSync(join(orgWithRules, "custom", "no-criminal-history", "no_criminal_history.rego"), securityRule);
  const withRules = opaBuild(orgWithRules, security.privateKey, join(scratch, "with-rules.tar.gz"));
  served.set("/with-rules.tar.gz", withRules);

  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = served.get(req.url ?? "");
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/gzip", "content-length": body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  bundles.good = { url: `${base}/good.tar.gz`, digest: sha256(good) };
  bundles.tampered = { url: `${base}/tampered.tar.gz`, digest: sha256(tampered) };
  bundles.wrongKey = { url: `${base}/wrong-key.tar.gz`, digest: sha256(wrongKey) };
  bundles.withRules = { url: `${base}/with-rules.tar.gz`, digest: sha256(withRules) };

  // A port nothing listens on: opened, then closed.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "security.pem"), publicKey);
  cpSync(join(packageRoot, "examples", "shop", "manifests", "incident.manifest.yaml"), join(project, "incident.manifest.yaml"));
  cpSync(join(packageRoot, "examples", "shop", "manifests", "clean.manifest.yaml"), join(project, "clean.manifest.yaml"));
  // What a pull request could edit: a registry in the repository approving every vendor. With
  // a bundle pinned, nothing reads it.
  const lax = readFileSync(join(packageRoot, "examples", "shop", "policy", "vendors.yaml"), "utf8").replace(/status: (suspended|prohibited|under_review)/g, "status: approved");
  writeFileSync(join(project, "vendors.yaml"), lax);
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  rmSync(scratch, { recursive: true, force: true });
});

interface JsonReport {
  summary: { mandatory: number; advisory: number; waived: number };
  violations: { rule: string; integration: string; field?: string; waivedBy?: string }[];
  policy: { bundle: { wasm: string; signed?: { source: string; digest: string; keyId?: string } }; registry: { source: string; digest: string }; exceptions?: { source: string } };
}

describe("vendorgate.yaml's signed policy bundle (policyBundle)", () => {
  it("judges with the bundle's registry and exceptions, fetched over HTTP and verified, and names it in the policy object", async () => {
    configure(bundles.good);
    const before = requests.length;
    const r = await run(["check", "--manifest", "incident.manifest.yaml", ...NOW, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(requests.slice(before)).toEqual(["/good.tar.gz"]);
    const out = JSON.parse(r.stdout) as JsonReport;
    // The same verdict as the checkout's own registry and exceptions give (test/commands/check.test.ts).
    expect(out.summary).toEqual({ mandatory: 11, advisory: 3, waived: 1 });
    expect(out.violations.find((v) => v.field === "requester.phone")?.waivedBy).toBe("EXC-42");
    expect(out.policy.bundle.signed).toEqual({ source: bundles.good.url, digest: bundles.good.digest, keyId: "default" });
    expect(out.policy.registry.source).toBe(`${bundles.good.url}#registry`);
    expect(out.policy.exceptions?.source).toBe(`${bundles.good.url}#exceptions`);
  });

  it("passes the clean manifest with the bundle (exit 0) and says which bundle judged in the text summary", async () => {
    configure(bundles.good);
    const r = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 mandatory, 2 advisory, 1 waived/);
    expect(r.stdout).toContain(`signed bundle ${bundles.good.url} ${bundles.good.digest.slice("sha256:".length, "sha256:".length + 12)}`);
  });

  it("names the bundle and its digest in the HTML report and the PR comment's markdown", async () => {
    configure(bundles.good);
    const html = await run(["report", "--manifest", "incident.manifest.yaml", "--no-state", ...NOW]);
    expect(html.code, html.stderr).toBe(0);
    const section = /<section id="policy">([\s\S]*?)<\/section>/.exec(html.stdout)?.[1] ?? "";
    expect(section).toContain(`<tr><th>Signed bundle</th><td><code>${bundles.good.url}</code> <code>${bundles.good.digest}</code> (key <code>default</code>)</td></tr>`);
    expect(section).toContain(`<code>${bundles.good.url}#registry</code>`);
    const md = await run(["check", "--manifest", "incident.manifest.yaml", ...NOW, "--format", "markdown"]);
    expect(md.stdout).toContain(`- signed bundle: \`${bundles.good.url}\` \`${bundles.good.digest}\``);
  });

  it("takes the public key inline as PEM, and a bundle by path", async () => {
    configure({ path: join("..", "good.tar.gz"), digest: bundles.good.digest, publicKey });
    const r = await run(["check", "--manifest", "incident.manifest.yaml", ...NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as JsonReport).policy.bundle.signed?.source).toBe(join("..", "good.tar.gz"));
  });

  const refused: [string, () => void, RegExp][] = [
    ["a tampered bundle (data.json edited, signature kept)", () => configure(bundles.tampered), /data\.json does not match its signed hash \(tampered\)/],
    ["a bundle signed with another key", () => configure(bundles.wrongKey), /signature does not verify with security's public key/],
    ["the right bundle with security's key swapped for another", () => configure({ ...bundles.good, publicKey: wrongPublicKey }), /signature does not verify/],
    [
      "a digest that is not the bundle's",
      () => configure({ ...bundles.good, digest: bundles.tampered.digest }),
      /digest mismatch: vendorgate\.yaml pins sha256:[0-9a-f]{64}, the bundle is sha256:[0-9a-f]{64}/,
    ],
    ["an unreachable URL", () => configure({ url: `http://127.0.0.1:${closedPort}/good.tar.gz`, digest: bundles.good.digest }), /cannot be fetched \(.*ECONNREFUSED/],
    ["a URL the server does not have", () => configure({ url: `${base}/missing.tar.gz`, digest: bundles.good.digest }), /cannot be fetched \(HTTP 404\)/],
    ["a public key file that is not there", () => configure({ ...bundles.good, publicKey: "no-such-key.pem" }), /public key no-such-key\.pem cannot be read \(ENOENT\)/],
  ];

  it.each(refused)("fails closed on %s (exit 2, the reason, no verdict)", async (_name, setup, reason) => {
    setup();
    const r = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW, "--format", "json"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/policy fault, nothing can be judged \(fail closed\): signed policy bundle /);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it("refuses a repository registry or exceptions beside the bundle, at their line (exit 2)", async () => {
    configure(bundles.good, "registry: vendors.yaml\nexceptions: exceptions.yaml");
    const r = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vendorgate\.yaml:6:\d+ registry: `registry` cannot be set with `policyBundle`/);
    expect(r.stderr).toMatch(/vendorgate\.yaml:7:\d+ exceptions: `exceptions` cannot be set with `policyBundle`/);
  });

  it.each([["--registry", "vendors.yaml"], ["--exceptions", "exceptions.yaml"]])("refuses %s replacing the bundle's (exit 2)", async (flag, file) => {
    configure(bundles.good);
    const r = await run(["check", "--manifest", "incident.manifest.yaml", flag, file, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${flag}: vendorgate.yaml pins security's signed policy bundle`);
  });

  it("lets vendorgate.yaml only tighten the bundle's enforcement: lowering a rule is an input error at its line", async () => {
    configure(bundles.good, "policy:\n  enforcement:\n    VG004: advisory");
    const lowered = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW]);
    expect(lowered.code).toBe(2);
    expect(lowered.stderr).toMatch(/vendorgate\.yaml:8:\d+ policy\.enforcement\.VG004: vendorgate\.yaml may only tighten enforcement/);
    configure(bundles.good, "policy:\n  enforcement:\n    VG012: mandatory");
    const raised = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW, "--format", "json"]);
    expect(raised.code).toBe(1);
  });

  it.each([
    ["http://policy.example.com/b.tar.gz", /expected an https:\/\/ URL \(http:\/\/ only for 127\.0\.0\.1 or localhost\), got http:\/\/policy\.example\.com/],
    ["https://user:pw@policy.example.com/b.tar.gz", /without credentials/],
  ])("refuses the bundle URL %s (exit 2)", async (url, reason) => {
    configure({ url, digest: bundles.good.digest });
    const r = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vendorgate\.yaml:3:\d+ policyBundle\.url: /);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).not.toContain("pw@");
  });

  it("the other commands read the bundle's registry too (vendor list), and vendor suspend refuses to edit it", async () => {
    configure(bundles.good);
    const list = await run(["vendor", "list", "--format", "json"]);
    expect(list.code).toBe(0);
    const { vendors } = JSON.parse(list.stdout) as { vendors: { vendor: string; status: string }[] };
    // The repository's vendors.yaml approves hubspot; the signed registry does not.
    expect(vendors.find((v) => v.vendor === "hubspot")?.status).toBe("under_review");
    const suspend = await run(["vendor", "suspend", "mixpanel", "--reason", "incident", "--by", "sec@acme.example", "--no-state"]);
    expect(suspend.code).toBe(2);
    expect(suspend.stderr).toMatch(/pins security's signed policy bundle: vendor status is changed in the registry security signs/);
    for (const edit of [
      ["vendor", "add", "acme", "--name", "Acme", "--regions", "eu"],
      ["vendor", "approve", "hubspot", "--purpose", "marketing", "--categories", "user.contact.email"],
      ["vendor", "revoke", "mixpanel", "--purpose", "analytics.reporting"],
    ]) {
      const r = await run(edit);
      expect(r.code, edit.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/pins security's signed policy bundle: vendors are changed in the registry security signs/);
    }
  });

  it("preview hands the policy pack vendorgate.yaml (which it verifies again), never a registry path", async () => {
    configure(bundles.good);
    const config = await policyPackConfig(exampleProject(), { stack: "dev", configFile: join(project, "vendorgate.yaml"), now: "2026-11-29" });
    const gate = config[GATE_POLICY] as GateConfig;
    expect(gate.configFile).toBe(join(project, "vendorgate.yaml"));
    expect(gate.registry).toBeUndefined();
    expect(gate.exceptions).toBeUndefined();
  });

  it("a real pulumi preview: the policy pack fetches and verifies the bundle itself and judges the stack with it", { timeout: 300_000 }, async () => {
    configure(bundles.good);
    const backend = join(scratch, "backend");
    mkdirSync(backend, { recursive: true });
    const before = requests.length;
    const r = await runDeploy(
      "preview",
      { stack: "dev", backend, configFile: join(project, "vendorgate.yaml"), now: "2026-11-29", stream: false, pulumiProject: exampleProject() },
      () => {},
    );
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    // Zendesk's SOC 2 advisory comes from the bundle's registry, through the pack.
    expect(r.findings.map((f) => [f.level, f.policy])).toContainEqual(["advisory", "assurance-expired-advisory"]);
    // Once by vendorgate preview itself, once by the policy pack in the engine's process.
    expect(requests.slice(before).filter((u) => u === "/good.tar.gz").length).toBeGreaterThanOrEqual(2);
  });

  describe("custom rules security signed into the bundle", () => {
    const criminal = () => {
      const file = join(project, "criminal.manifest.yaml");
      writeFileSync(
        file,
        readFileSync(join(project, "clean.manifest.yaml"), "utf8").replace(/category: user\.contact\.phone_number/, "category: user.criminal_history"),
      );
      return "criminal.manifest.yaml";
    };

    it("are compiled by vendorgate build, then judge: before the build every judging command refuses (exit 2)", async () => {
      configure(bundles.withRules);
      const before = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW]);
      expect(before.code).toBe(2);
      expect(before.stderr).toMatch(/policy fault.*(run `npx vendorgate build`|vendorgate build)/);
      const build = await run(["build"]);
      expect(build.stderr).toBe("");
      expect(build.code).toBe(0);
      expect(build.stdout).toMatch(new RegExp(`1 custom rule \\(ACME500\\) from signed policy bundle ${bundles.withRules.url.replace(/[.]/g, "\\.")}`));
      const r = await run(["check", "--manifest", criminal(), ...NOW, "--format", "json"]);
      expect(r.code).toBe(1);
      const out = JSON.parse(r.stdout) as JsonReport;
      expect(out.violations.filter((v) => v.rule === "ACME500").map((v) => v.integration)).toEqual(["support-chat"]);
      expect(out.policy.bundle.signed?.digest).toBe(bundles.withRules.digest);
    });

    it("compiled straight from the verified bundle: rules or a compiled bundle committed in the repository never judge", async () => {
      configure(bundles.withRules);
      expect((await run(["build"])).code).toBe(0);
      // What a pull request can commit where vendorgate once staged the signed rules and their
      // bundle: a weakened copy of the rule, and the product bundle claiming to be the compiled one.
      const copy = join(project, ".vendorgate", "signed-rules", "no-criminal-history", "no_criminal_history.rego");
      mkdirSync(join(copy, ".."), { recursive: true });
      writeFileSync(copy, securityRule.replace('"user.criminal_history"', '"user.nothing"'));
      const forged = join(project, ".vendorgate", "policy");
      cpSync(bundlePaths().dir, forged, { recursive: true });
      try {
        const r = await run(["check", "--manifest", criminal(), ...NOW, "--format", "json"]);
        expect(r.code, r.stderr).toBe(1);
        expect((JSON.parse(r.stdout) as JsonReport).violations.map((v) => v.rule)).toContain("ACME500");
      } finally {
        rmSync(join(project, ".vendorgate", "signed-rules"), { recursive: true, force: true });
        rmSync(forged, { recursive: true, force: true });
      }
    });

    it("cannot be combined with a customRules folder of the repository (exit 2 at its line)", async () => {
      mkdirSync(join(project, "rules", "mine"), { recursive: true });
      writeFileSync(join(project, "rules", "mine", "mine.rego"), securityRule.replace("ACME500", "ACME501").replace("no-criminal-history", "mine"));
      try {
        configure(bundles.withRules, "customRules: rules");
        const r = await run(["check", "--manifest", "clean.manifest.yaml", ...NOW]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/vendorgate\.yaml:6:\d+ customRules: the signed policy bundle .* holds custom rules/);
      } finally {
        rmSync(join(project, "rules"), { recursive: true, force: true });
      }
    });
  });
});
