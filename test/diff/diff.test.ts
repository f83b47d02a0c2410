import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffSides, type DataDiff } from "../../src/diff/diff.ts";
import { formatDiffJson, formatDiffMarkdown, formatDiffText } from "../../src/diff/format.ts";
import { loadSide, type Side } from "../../src/diff/load.ts";
import { flowchart } from "../../src/diff/mermaid.ts";
import { EXAMPLE } from "../../scripts/example.ts";
import { cli as run, NOW, policyContext } from "../plan/helpers.ts";

/** The CLI in the example project: its vendorgate.yaml names the registry the fixtures are judged with. */
const cli = (args: readonly string[]) => run(args, {}, EXAMPLE);

const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);
const vendorName = (k: string) => ({ mixpanel: "Mixpanel", zendesk: "Zendesk", hubspot: "HubSpot", stripe: "Stripe", sentry: "Sentry" })[k] ?? k;

let base: Side;
let head: Side;
let d: DataDiff;
beforeAll(async () => {
  const ctx = await policyContext();
  base = await loadSide(fixture("base.manifest.yaml"), ctx);
  head = await loadSide(fixture("head.manifest.yaml"), ctx);
  d = diffSides(base, head);
});

describe("diffSides", () => {
  it("lists added, removed and changed integrations", () => {
    expect(d.integrations.added.map((i) => i.name)).toEqual(["session-replay"]);
    expect(d.integrations.removed.map((i) => i.name)).toEqual(["payments"]);
    expect(d.integrations.changed.map((i) => i.name)).toEqual(["marketing-sync", "product-analytics", "support-chat"]);
  });

  it("names each change: fields, categories, transforms, destinations, switching on, credentials", () => {
    const [marketing, analytics, support] = d.integrations.changed;
    expect(marketing).toEqual({ name: "marketing-sync", enabled: { base: false, head: true }, fields: { added: [], removed: [], changed: [] } });
    expect(analytics).toEqual({
      name: "product-analytics",
      destination: { url: { base: "https://api-eu.mixpanel.com", head: "https://api.mixpanel.com" }, region: { base: "eu", head: "us" } },
      fields: {
        added: [{ path: "properties.$email", category: "user.contact.email", transform: "none" }],
        removed: [{ path: "properties.$region", category: "user.location.imprecise", transform: "none" }],
        changed: [{ path: "properties.distinct_id", transform: { base: "pseudonymize", head: "none" } }],
      },
    });
    expect(support).toEqual({
      name: "support-chat",
      credentials: { base: "secret", head: "plain" },
      fields: { added: [], removed: [], changed: [{ path: "requester.email", category: { base: "user.contact.email", head: "user.name" } }] },
    });
  });

  it("counts a disabled integration as sending nothing: vendors and categories follow what is enabled", () => {
    expect(d.vendors).toEqual({ added: ["hubspot", "sentry"], removed: ["stripe"] });
    expect(d.categories).toEqual([
      { vendor: "hubspot", added: ["user.contact.email"], removed: [] },
      { vendor: "mixpanel", added: ["user.contact.email"], removed: ["user.location.imprecise"] },
      { vendor: "sentry", added: ["user.behavior.browsing_history"], removed: [] },
      { vendor: "stripe", added: [], removed: ["user.contact.email"] },
      { vendor: "zendesk", added: ["user.name"], removed: ["user.contact.email"] },
    ]);
  });

  it("has one flow per changed integration and vendor, marking new and removed ones", () => {
    expect(d.flows.map((f) => [f.integration, f.vendor, f.status, f.addedCategories, f.removedCategories])).toEqual([
      ["marketing-sync", "hubspot", "added", ["user.contact.email"], []],
      ["payments", "stripe", "removed", [], ["user.contact.email"]],
      ["product-analytics", "mixpanel", "changed", ["user.contact.email"], ["user.location.imprecise"]],
      ["session-replay", "sentry", "added", ["user.behavior.browsing_history"], []],
      ["support-chat", "zendesk", "changed", ["user.name"], ["user.contact.email"]],
    ]);
  });

  it("gives each side's verdict and the violations the change introduces and resolves", () => {
    expect([d.base.verdict, d.head.verdict]).toEqual(["passed", "blocked"]);
    expect(d.violations.introduced.map((v) => `${v.rule} ${v.integration}${v.field ? ` ${v.field}` : ""}`)).toEqual([
      "VG002 marketing-sync",
      "VG004 product-analytics properties.$email",
      "VG005 product-analytics properties.distinct_id",
      "VG007 product-analytics",
      "VG012 product-analytics",
      "VG003 session-replay",
      "VG011 support-chat",
    ]);
    // The zendesk SOC 2 advisory stands on both sides: neither introduced nor resolved. EXC-17
    // (Mixpanel residency) matches nothing while the flow stays in the EU, and expires into a
    // VG012 once it moves to the US.
    expect(d.violations.resolved.map((v) => `${v.rule} ${v.integration}: ${v.message}`)).toEqual([
      "VG012 product-analytics: Exception EXC-17 for VG007 matches no violation in stack prod: delete it, or correct what it names.",
    ]);
    expect(d.policy).toEqual({ changes: [], rules: [], integrations: [] });
    const back = diffSides(head, base);
    expect(back.violations.resolved).toEqual(d.violations.introduced);
  });

  // Issue 15: flows byte-identical, the head's stack disables the rules: the comment said
  // "passes" and listed the blocks as resolved.
  describe("when the policy changes and the flows do not", () => {
    const loosened = (side: Side): Side => ({
      ...side,
      report: { violations: [], summary: { mandatory: 0, advisory: 0, waived: 0 } },
      policy: {
        ...side.policy!,
        registry: { source: "examples/shop/policy/vendors.yaml", digest: "sha256:0000" },
        enforcement: [{ rule: "VG004", level: "disabled", was: "mandatory", source: "project", file: "vendorgate.yaml", line: 7 }],
        disabled: ["VG004"],
      },
    });

    it("says the policy changed the verdict, lists the inputs for security's review, and resolves nothing", () => {
      const p = diffSides(head, loosened(head));
      expect(p.flowsUnchanged).toBe(true);
      expect(p.violations.resolved).toEqual([]);
      expect(p.violations.byPolicy.lifted.map((v) => v.rule)).toEqual(["VG002", "VG004", "VG005", "VG007", "VG012", "VG003", "VG009", "VG011", "VG012"]);
      expect(p.policy.changes.map((c) => c.input)).toEqual(["registry", "enforcement", "disabled rules"]);
      expect(p.policy.integrations).toEqual(["marketing-sync", "product-analytics", "session-replay", "support-chat"]);
      expect(p.policy.rules).toContain("VG004");
      const md = formatDiffMarkdown(p, { vendorName, title: "vendorgate" });
      expect(md).toMatch(/^## ⚠️ vendorgate: the verdict changed \(blocked → passed\) because the policy changed, not the data flows/);
      expect(md).toContain("### ⚠️ Policy inputs changed: needs security's review");
      expect(md).toContain("| enforcement | `none` | `VG004 disabled (project vendorgate.yaml)` |");
      expect(md).not.toMatch(/this change passes|resolves/);
      expect(md).toContain("### Violations the policy change lifts (not fixed: the flows are unchanged)");
      const text = formatDiffText(p, { vendorName });
      expect(text).toContain("policy inputs changed (needs security's review):");
      expect(text).not.toMatch(/^resolved:/m);
    });

    // The pull request drops vendorgate.yaml's policyBundle for a registry of its own.
    it("flags a pull request that unpins security's signed bundle, with the verdict it changes", () => {
      const signed = `sha256:${"b".repeat(64)}`;
      const pinned: Side = { ...head, policy: { ...head.policy!, bundle: { ...head.policy!.bundle, signed: { source: "https://policy.example/org.tar.gz", digest: signed } } } };
      const p = diffSides(pinned, loosened(head));
      expect(p.policy.changes[0]).toEqual({ input: "signed bundle", base: signed, head: null });
      expect(p.violations.resolved).toEqual([]);
      const md = formatDiffMarkdown(p, { vendorName, title: "vendorgate" });
      expect(md).toMatch(/^## ⚠️ vendorgate: the verdict changed \(blocked → passed\) because the policy changed/);
      expect(md).toContain(`| signed bundle | \`${signed}\` | — |`);
    });

    it("flags a policy change for review even when the verdict stays the same", () => {
      const same = { ...loosened(head), report: head.report };
      const p = diffSides(head, same);
      expect(p.policy.changes.length).toBeGreaterThan(0);
      expect(formatDiffMarkdown(p, { vendorName })).toContain("needs security's review");
    });
  });

  it("is empty between a side and itself", () => {
    const same = diffSides(head, head);
    expect(same.integrations).toEqual({ added: [], removed: [], changed: [] });
    expect(same.flows).toEqual([]);
    expect(formatDiffMarkdown(same, { vendorName })).toContain("No change to the personal data this stack shares.");
  });

  it("does not depend on the order of the declarations", () => {
    const shuffled: Side = { ...head, integrations: [...head.integrations].reverse().map((i) => ({ ...i, fields: [...i.fields].reverse() })) };
    expect(formatDiffJson(diffSides(base, shuffled))).toBe(formatDiffJson(d));
  });
});

describe("formats", () => {
  it("matches the golden markdown, text and json", async () => {
    await expect(formatDiffMarkdown(d, { vendorName, title: "vendorgate" })).toMatchFileSnapshot("golden/diff.md");
    await expect(formatDiffText(d, { vendorName })).toMatchFileSnapshot("golden/diff.txt");
    await expect(formatDiffJson(d)).toMatchFileSnapshot("golden/diff.json");
  });

  it("puts a Mermaid flowchart of the changed flows in the comment", () => {
    const md = formatDiffMarkdown(d, { vendorName });
    const chart = /```mermaid\n([\s\S]*?)```/.exec(md)?.[1] ?? "";
    expect(chart.startsWith("flowchart LR\n")).toBe(true);
    expect(chart).toContain('i_session_2d_replay ==>|"new: user.behavior.browsing_history"| v_sentry');
    expect(chart).toContain('i_payments -.->|"removed: user.contact.email"| v_stripe');
    expect(chart).toContain('i_support_2d_chat -->|"+user.name, -user.contact.email"| v_zendesk');
    expect(chart).not.toContain("v_mixpanel ==>");
  });
});

describe("flowchart", () => {
  it("keeps hostile names out of the syntax", () => {
    const chart = flowchart([{ integration: "a-b", vendor: "end", status: "added", categories: ["user.name"], addedCategories: ["user.name"], removedCategories: [] }], () => 'Evil" --> x[<b>|pwn|</b>] #1');
    const lines = chart.trimEnd().split("\n");
    expect(lines).toEqual([
      "flowchart LR",
      '  i_a_2d_b["a-b"]',
      '  v_end[("Evil#quot; --#gt; x[#lt;b#gt;#124;pwn#124;#lt;/b#gt;] #35;1 (end)")]',
      '  i_a_2d_b ==>|"new: user.name"| v_end',
    ]);
    // Every quoted label is closed on its line, and no raw quote, angle bracket or pipe is left inside one.
    for (const line of lines.slice(1)) {
      for (const m of line.matchAll(/"([^"]*)"/g)) expect(m[1]).not.toMatch(/[<>|]/);
    }
  });

  it("is empty without flows", () => {
    expect(flowchart([], (k) => k)).toBe("");
  });
});

describe("vendorgate diff (CLI)", () => {
  const dir = mkdtempSync(join(tmpdir(), "vendorgate-diff-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits with the head side's verdict", () => {
    expect(cli(["diff", "--base", fixture("base.manifest.yaml"), "--head", fixture("head.manifest.yaml"), "--now", NOW]).code).toBe(1);
    expect(cli(["diff", "--base", fixture("head.manifest.yaml"), "--head", fixture("base.manifest.yaml"), "--now", NOW]).code).toBe(0);
  });

  it("reads a plan output as one side and keeps its verdict", () => {
    const checked = cli(["check", "--manifest", fixture("head.manifest.yaml"), "--now", NOW, "--format", "json"]);
    const manifest = JSON.parse(JSON.stringify({ apiVersion: "vendorgate/v1", stack: { name: "prod", residency: ["eu"] }, integrations: [] }));
    // A plan output of an empty stack, written by hand: its recorded (empty) verdict stands.
    const file = join(dir, "empty-plan.json");
    writeFileSync(file, JSON.stringify({ violations: [], summary: { mandatory: 0, advisory: 0, waived: 0 }, stack: { name: "prod" }, manifest, resources: [] }));
    const r = cli(["diff", "--base", file, "--head", fixture("head.manifest.yaml"), "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as DataDiff;
    expect(out.base).toEqual({ file: expect.stringMatching(/empty-plan\.json$/), kind: "plan", stack: "prod", verdict: "passed", summary: { mandatory: 0, advisory: 0, waived: 0 } });
    expect(out.integrations.added).toHaveLength(4);
    expect(out.violations.introduced.length).toBe(JSON.parse(checked.stdout).violations.length);
  });

  it("refuses check's JSON (a verdict without declarations), naming the file, exit 2", () => {
    const file = join(dir, "check.json");
    writeFileSync(file, cli(["check", "--manifest", fixture("head.manifest.yaml"), "--now", NOW, "--format", "json"]).stdout);
    const r = cli(["diff", "--base", file, "--head", fixture("head.manifest.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/check\.json:1:1 manifest: this is a verdict without declarations/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses a plan output whose summary disagrees with its violations (fail closed)", () => {
    const file = join(dir, "tampered.json");
    writeFileSync(file, JSON.stringify({ violations: [], summary: { mandatory: 2, advisory: 0, waived: 0 }, manifest: { apiVersion: "vendorgate/v1", integrations: [] } }));
    const r = cli(["diff", "--base", file, "--head", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tampered\.json:1:1 summary: does not match the violations listed/);
  });

  it("refuses a plan output of another schemaVersion as unsupported, naming its line, not as a bad manifest", () => {
    const file = join(dir, "future-plan.json");
    // A later version may rename every key: nothing of it is read as a manifest.
    writeFileSync(file, JSON.stringify({ schemaVersion: 2, findings: [], declarations: { integrations: [] } }, null, 2));
    const r = cli(["diff", "--base", file, "--head", fixture("head.manifest.yaml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/future-plan\.json:2:\d+ schemaVersion: unsupported version 2: this vendorgate reads the output of `vendorgate plan --format json` of version 1/);
    expect(r.stderr).not.toMatch(/apiVersion|integrations/);
  });

  it("names the line and path of a bad declaration in a plan output", () => {
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify(
        {
          violations: [],
          summary: { mandatory: 0, advisory: 0, waived: 0 },
          manifest: {
            apiVersion: "vendorgate/v1",
            integrations: [{ name: "x", vendor: "mixpanel", purpose: "analytics.reporting", subjects: ["customer"], destination: { url: "https://api.mixpanel.com", region: "eu" }, fields: [{ path: "a", category: "user.nope" }] }],
          },
        },
        null,
        2,
      ),
    );
    const r = cli(["diff", "--base", file, "--head", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json:\d+:\d+ manifest\.integrations\[0\]\.fields\[0\]\.category:/);
  });

  it("is byte-stable", () => {
    const args = ["diff", "--base", fixture("base.manifest.yaml"), "--head", fixture("head.manifest.yaml"), "--now", NOW, "--format", "markdown"];
    expect(cli(args).stdout).toBe(cli(args).stdout);
  });
});

// Issue 15: the pull-request comment names the policy that judged the head, folded at its end.
describe("the comment's policy in force", () => {
  it("folds the head's policy: digests, overrides with their origin, disabled rules", () => {
    const policy = {
      ...head.policy!,
      bundle: { ...head.policy!.bundle, signed: { source: "https://policy.example/org.tar.gz", digest: `sha256:${"a".repeat(64)}`, keyId: "default" } },
      enforcement: [{ rule: "VG012", level: "mandatory" as const, was: "advisory" as const, source: "stack" as const, file: "Pulumi.prod.yaml", line: 4 }],
      disabled: ["VG009"],
    };
    const md = formatDiffMarkdown(d, { vendorName, title: "vendorgate", policy });
    const folded = md.slice(md.lastIndexOf("<details>"));
    expect(folded).toMatch(/^<details>\n<summary>Policy in force<\/summary>\n/);
    expect(folded).toContain(`- signed bundle: \`https://policy.example/org.tar.gz\` \`sha256:${"a".repeat(64)}\``);
    expect(folded).toContain(`- registry: \`${head.policy!.registry.source}\` \`${head.policy!.registry.digest}\``);
    expect(folded).toContain("- enforcement overrides: VG012 mandatory (was advisory; stack Pulumi.prod.yaml:4)");
    expect(folded).toContain("- disabled rules: VG009");
    expect(formatDiffMarkdown(diffSides(head, head), { vendorName, policy })).toContain("<summary>Policy in force</summary>");
  });

  it("is there in `vendorgate diff --format markdown`", () => {
    const r = cli(["diff", "--base", fixture("base.manifest.yaml"), "--head", fixture("head.manifest.yaml"), "--now", NOW, "--format", "markdown"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("<summary>Policy in force</summary>");
    expect(r.stdout).toMatch(/- registry: `[^`]*vendors\.yaml` `sha256:[0-9a-f]{64}`/);
  });
});
