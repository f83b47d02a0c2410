// `npm run demo`: the example project (examples/shop) run as its users run it. vendorgate is packed,
// and the tarball is installed into a copy of the project outside the repository (from npm's cache:
// no network), so nothing of the checkout but the package reaches it. Then, in that copy:
// `npx vendorgate build` (the project's own rule ACME001), and real previews through the Pulumi
// engine with the policy pack from node_modules: `dev` passes, `prod` (the Mixpanel incident's
// flows) is blocked.
//
// Not `"vendorgate": "file:../.."`: a folder install links the checkout, with its sources, tests,
// build output and node_modules, and would hide what the tarball lacks (a file left out of `files`,
// a dependency only the checkout has). Not the registry either: the demo must run offline.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { packageRoot } from "../src/paths.ts";
import { EXAMPLE, EXAMPLE_PASSPHRASE } from "./example.ts";

// The example registry's dates are set around this day; pinning it keeps the demo's verdicts stable.
const DEMO_NOW = "2026-11-29";

const say = (s = "") => process.stdout.write(`${s}\n`);
const rule = (title: string) => say(`\n━━ ${title} ${"━".repeat(Math.max(0, 76 - title.length))}`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/** A user's shell: none of npm's script variables or vendorgate's development switches (the tools stay on PATH). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|VENDORGATE_|PULUMI_)/i.test(k) && k !== "NODE_OPTIONS" && k !== "INIT_CWD") env[k] = v;
  }
  // The example stacks' secure values are encrypted with the demo passphrase, as a team's would be with its own.
  return { ...env, PULUMI_CONFIG_PASSPHRASE: EXAMPLE_PASSPHRASE, PULUMI_SKIP_UPDATE_CHECK: "1" };
}

function must(cmd: string, args: string[], cwd: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd, env: userEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    process.stderr.write(`${r.stdout}${r.stderr}\ndemo: ${what} failed (exit ${r.status})\n`);
    process.exit(2);
  }
  return r.stdout;
}

/** Runs a command in the project, its output shown as it comes; resolves to its exit code and output. */
function shown(args: string[], cwd: string): Promise<{ code: number | null; text: string }> {
  say(`$ npx ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["--no-install", ...args], { cwd, env: userEnv() });
    let text = "";
    const tee = (d: Buffer) => {
      text += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on("data", tee);
    child.stderr.on("data", tee);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, text }));
  });
}

const verdictOf = (text: string) => [...text.matchAll(/^vendorgate: .*$/gm)].map((m) => m[0].replace(/^vendorgate: /, "")).at(-1) ?? "(no verdict printed)";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-demo-"));
const keep = process.argv.includes("--keep");
const started = performance.now();
let ok = false;
try {
  rule("0/3  the example project, with vendorgate installed from its tarball");
  let t = performance.now();
  // `npm run demo` has just built dist/ and the policy bundle (scripts/with-tools.sh); prepack would do it again.
  const packed = JSON.parse(must("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", scratch], packageRoot, "npm pack")) as { filename: string; entryCount: number }[];
  const tarball = join(scratch, basename(packed[0]!.filename));
  const shop = join(scratch, "shop");
  cpSync(EXAMPLE, shop, { recursive: true, filter: (src) => !/[/\\](node_modules|\.vendorgate)$/.test(src) });
  say(`packed ${basename(tarball)} (${packed[0]!.entryCount} files); copied examples/shop to ${shop}`);
  say(`$ npm install ${basename(tarball)}`);
  must("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], shop, "npm install of the tarball");
  const installed = JSON.parse(readFileSync(join(shop, "node_modules", "vendorgate", "package.json"), "utf8")) as { version: string };
  say(`vendorgate ${installed.version} installed (${seconds(t)})`);

  rule("1/3  npx vendorgate build  (the shop's own rule ACME001, compiled with the built-in ones)");
  t = performance.now();
  const build = await shown(["vendorgate", "build"], shop);
  if (build.code !== 0) throw new Error(`vendorgate build exited ${build.code}`);
  say(`(build: ${seconds(t)})`);

  rule("2/3  npx vendorgate preview --stack dev  (the fixed flows)");
  t = performance.now();
  const dev = await shown(["vendorgate", "preview", "--stack", "dev", "--now", DEMO_NOW], shop);
  say(`(dev: ${seconds(t)})`);

  rule("3/3  npx vendorgate preview --stack prod  (the flows of the November 2025 Mixpanel incident)");
  t = performance.now();
  const prod = await shown(["vendorgate", "preview", "--stack", "prod", "--now", DEMO_NOW], shop);
  say(`(prod: ${seconds(t)})`);

  rule("What the gate decided");
  say(`dev:  exit ${dev.code}, ${verdictOf(dev.text)}`);
  say(`prod: exit ${prod.code}, ${verdictOf(prod.text)}`);
  say(`
How to fix prod: stop identify() from copying names, emails and organization IDs into analytics
events, pseudonymize distinct_id, use Mixpanel's EU endpoint, keep the marketing sync off until
HubSpot's review (SEC-311) ends, and pass its key as a secret (pulumi config set --secret).
Then, in examples/shop: npx vendorgate preview --stack prod`);
  say(`\n(demo: ${seconds(started)} in all)`);
  ok = dev.code === 0 && prod.code === 1;
  if (!ok) say("\nUnexpected outcome: dev should pass (exit 0) and prod should be blocked by policy (exit 1).");
} catch (err) {
  say(`\ndemo: ${(err as Error).message}`);
} finally {
  if (keep) say(`(kept ${scratch})`);
  else rmSync(scratch, { recursive: true, force: true });
}
process.exitCode = ok ? 0 : 1;
