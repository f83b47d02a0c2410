// The HTML report names the policy that judged, as every other format does (issue 15): the
// compiled policy's digest, the registry and exceptions digests, each enforcement override with
// the file and line it came from, and the rules switched off.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runReport } from "../../src/commands/report.ts";
import { packageRoot } from "../../src/paths.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-report-policy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const digest = (file: string) => `sha256:${createHash("sha256").update(readFileSync(file)).digest("hex")}`;

async function report(registry: string): Promise<string> {
  const out = join(scratch, "report.html");
  const exceptions = join(packageRoot, "examples/shop/policy/exceptions.yaml");
  await runReport(
    { registry, exceptions, now: "2026-11-29", state: false, out, manifest: [join(packageRoot, "examples/shop/manifests/incident.manifest.yaml")] },
    () => {},
    () => {},
  );
  return readFileSync(out, "utf8");
}

const section = (html: string) => /<section id="policy">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";

describe("the HTML report's policy in force", () => {
  it("names the registry and exceptions by digest, and says no rule is overridden or off", async () => {
    const registry = join(packageRoot, "examples/shop/policy/vendors.yaml");
    const s = section(await report(registry));
    expect(s).toContain("<h2>Policy in force</h2>");
    expect(s).toMatch(/<tr><th>Policy<\/th><td><code>sha256:[0-9a-f]{64}<\/code><\/td><\/tr>/);
    expect(s).toContain(`<code>${digest(registry)}</code>`);
    expect(s).toContain(`<code>${digest(join(packageRoot, "examples/shop/policy/exceptions.yaml"))}</code>`);
    expect(s).toContain("<tr><th>Signed bundle</th><td>none: the registry and exceptions are the repository's files</td></tr>");
    expect(s).toContain("<tr><th>Enforcement overrides</th><td>none</td></tr>");
    expect(s).toContain("<tr><th>Disabled rules</th><td>none</td></tr>");
  });

  it("lists an override with its origin (file:line) and the rule it disables", async () => {
    const registry = join(scratch, "vendors.yaml");
    const text = readFileSync(join(packageRoot, "examples/shop/policy/vendors.yaml"), "utf8");
    writeFileSync(registry, `${text.trimEnd()}\npolicy:\n  enforcement:\n    VG009: disabled\n`);
    const line = text.trimEnd().split("\n").length + 3;
    const s = section(await report(registry));
    expect(s).toContain(`<li><code>VG009</code> <span class="badge off">disabled</span> was mandatory, from registry <code>${registry}:${line}</code></li>`);
    expect(s).toContain("<tr><th>Disabled rules</th><td><code>VG009</code></td></tr>");
    expect(s).toContain(`<code>${digest(registry)}</code>`);
  });
});
