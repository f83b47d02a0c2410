// The incident commands as a user runs them: help on every command, and every mistake a user can
// make answered with the file, the place and what was expected, exit code 2, no stack trace.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.ts";
import { cliAsync } from "../plan/helpers.ts";

let dir: string;
let registry: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vendorgate-cli-"));
  registry = join(dir, "vendors.yaml");
  // A backend with no stacks: the commands read it (a missing one is an error) and find no state.
  mkdirSync(join(dir, "empty-backend", ".pulumi"), { recursive: true });
  writeFileSync(join(dir, "empty-backend", ".pulumi", "meta.yaml"), "version: 1\n");
  copyFileSync(join(packageRoot, "examples/shop/policy/vendors.yaml"), registry);
  writeFileSync(
    join(dir, "broken.yaml"),
    "apiVersion: vendorgate/v1\nprohibitedCategories: []\nvendors:\n  zendesk:\n    name: Z\n    status: fine\n    domains: [z.example]\n    regions: [eu]\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => cliAsync(args, { VENDORGATE_DEBUG: "", VENDORGATE_BACKEND: join(dir, "empty-backend") });

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

// Each case starts its own process; they only read the shared registry copy, so they run at once.
describe.concurrent("incident commands on the command line", () => {
  it.each([
    [["vendor", "suspend", "--help"], "--reason <text>"],
    [["vendor", "set-status", "--help"], "approved"],
    [["vendor", "list", "--help"], "--format <format>"],
    [["exposure", "--help"], "--since <date>"],
    [["review", "--help"], "Sorted by risk".toLowerCase()],
    [["inventory", "--help"], "cyclonedx"],
    [["report", "--help"], "--output <file>"],
  ])("%j prints help", async (args, expected) => {
    const r = await run(args);
    expect(r.code).toBe(0);
    expect(r.stdout.toLowerCase()).toContain(expected.toLowerCase());
  });

  it.each([
    [["vendor", "suspend", "mixpanl", "--reason", "x", "--registry", "REG"], /REG:\d+:\d+ vendors: no vendor "mixpanl".*did you mean mixpanel\?/],
    [["vendor", "suspend", "mixpanel", "--reason", "x", "--registry", "REG", "--now", "2026-02-30"], /--now: "2026-02-30" is not a real date/],
    [["vendor", "suspend", "mixpanel", "--reason", "", "--registry", "REG"], /--reason: expected one non-empty line/],
    [["vendor", "set-status", "mixpanel", "gone", "--reason", "x", "--registry", "REG"], /argument 'status'.*approved, under_review, suspended, prohibited/],
    [["vendor", "suspend", "mixpanel", "--reason", "x", "--registry", "REG", "--manifest", "nope.yaml"], /nope\.yaml:1:1 cannot read: file not found/],
    [["exposure", "--vendor", "nobody", "--registry", "REG"], /--vendor: no vendor "nobody" in .*vendors\.yaml \(it has hubspot, mixpanel/],
    [["exposure", "--vendor", "mixpanel", "--since", "yesterday", "--registry", "REG"], /--since: expected an ISO 8601 date/],
    [["exposure", "--vendor", "mixpanel", "--format", "pdf"], /argument 'pdf' is invalid.*text, json, csv, markdown, notice/],
    [["review", "--registry", "BROKEN"], /BROKEN:\d+:\d+ vendors\.zendesk\.status: expected one of approved/],
    [["inventory", "--format", "spdx"], /argument 'spdx' is invalid/],
    [["report", "--registry", "REG", "--manifest", "examples/shop/manifests/incident.manifest.yaml", "--now", "soon"], /--now: expected an ISO 8601 date/],
  ])("%j fails with exit 2 and a clear message", async (args, message) => {
    const broken = join(dir, "broken.yaml");
    const r = await run(args.map((a) => (a === "REG" ? registry : a === "BROKEN" ? broken : a)));
    expect(r.code).toBe(2);
    const expected = new RegExp(message.source.replace("REG", escapeRe(registry)).replace("BROKEN", escapeRe(broken)), "s");
    expect(r.stderr).toMatch(expected);
    expect(r.stdout).toBe("");
    noStack(r.stderr);
  });

  it("a failed run leaves the registry as it was", async () => {
    const before = readFileSync(registry, "utf8");
    const r = await run(["vendor", "suspend", "mixpanel", "--reason", "x", "--registry", registry, "--manifest", "nope.yaml"]);
    expect(r.code).toBe(2);
    expect(readFileSync(registry, "utf8")).toBe(before);
  });

  it("vendor list shows what suspend recorded", async () => {
    const own = join(dir, "own.yaml");
    copyFileSync(registry, own);
    const s = await run(["vendor", "suspend", "stripe", "--reason", "card data incident", "--by", "sec", "--registry", own, "--now", "2026-11-29", "--no-state"]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain("Now blocked (VG002 vendor-not-approved): 0 integration(s) in 0 stack(s)");
    const l = await run(["vendor", "list", "--registry", own, "--format", "json"]);
    expect(JSON.parse(l.stdout).vendors).toContainEqual(
      expect.objectContaining({ vendor: "stripe", status: "suspended", statusReason: "card data incident", statusChanged: "2026-11-29", statusBy: "sec" }),
    );
  });
});
