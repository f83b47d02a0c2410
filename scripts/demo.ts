// `npm run demo`: the main job in one go. Previews the example stacks through the real Pulumi engine
// with the vendorgate policy pack: `dev` passes, `prod` (the Mixpanel incident's flows) is blocked.
import { describeFindings, runDeploy, type DeployResult, type PolicyFinding } from "../src/commands/preview.ts";

// The example registry's dates are set around this day; pinning it keeps the demo's verdicts stable.
const DEMO_NOW = "2026-11-29";

const say = (s = "") => process.stdout.write(`${s}\n`);
const rule = (title: string) => say(`\n━━ ${title} ${"━".repeat(Math.max(0, 76 - title.length))}`);

async function preview(stack: string): Promise<DeployResult> {
  const started = performance.now();
  const result = await runDeploy("preview", { stack, registry: "policies/data/vendors.yaml", now: DEMO_NOW }, (s) => process.stdout.write(s));
  say(`(${stack}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

const resourceName = (urn: string | undefined) => urn?.split("::").at(-1) ?? "(stack)";

function listFindings(findings: readonly PolicyFinding[]): void {
  for (const f of findings.filter((x) => x.policy !== "vendorgate-gate" || x.level === "mandatory")) {
    const [head, ...rest] = f.message.trim().split("\n");
    say(`  ${f.level === "mandatory" ? "✖" : "!"} [${f.policy}] on ${resourceName(f.urn)}`);
    say(`      ${head}`);
    for (const line of rest) say(`      ${line}`);
  }
}

rule("1/2  pulumi preview --stack dev  (the fixed flows)");
const dev = await preview("dev");
rule("2/2  pulumi preview --stack prod  (the flows of the November 2025 Mixpanel incident)");
const prod = await preview("prod");

rule("What the gate decided");
say(`dev:  ${describeFindings(dev).replace(/^vendorgate: /, "").trim()}`);
say(`prod: ${describeFindings(prod).replace(/^vendorgate: /, "").trim()}`);
say("\nprod's violations, each with its rule, integration, field and remediation:");
listFindings(prod.findings);
say(`
How to fix prod: stop identify() from copying names, emails and organization IDs into analytics
events, pseudonymize distinct_id, use Mixpanel's EU endpoint, keep the marketing sync off until
HubSpot's review (SEC-311) ends, and pass its key as a secret (pulumi config set --secret).
Then: npx vendorgate preview --stack prod`);

const expected = dev.ok && !dev.error && !prod.ok && !prod.error;
if (!expected) {
  say("\nUnexpected outcome: dev should pass and prod should be blocked by policy.");
  process.exitCode = 1;
}
