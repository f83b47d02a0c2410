// Fault drills through `vendorgate check` (the CLI in its own process): exit 2, the reason on
// stderr, nothing on stdout, no stack trace, within bounded time and memory. See harness.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inputLimits } from "../../src/model/index.ts";
import {
  defaultBounds,
  deepFlow,
  type FaultCase,
  forChannel,
  MANIFEST,
  measuredCli,
  padded,
  policyArgs,
  reasonLine,
  record,
  STACK_FRAME,
  writeOutcomes,
} from "./harness.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-faults-check-"));
afterAll(() => {
  writeOutcomes("check");
  rmSync(scratch, { recursive: true, force: true });
});

const HEAD = "apiVersion: vendorgate/v1\n";
const flowLine = (i: number) =>
  `  - {name: flow-${i}, vendor: mixpanel, purpose: analytics.reporting, subjects: [customer], destination: {url: "https://api-eu.mixpanel.com/track", region: eu}, fields: []}\n`;
const integrations = (n: number) => `${HEAD}integrations:\n${Array.from({ length: n }, (_, i) => flowLine(i)).join("")}`;

/** Faults of check's own input, the manifest. */
const manifestFaults: readonly (FaultCase & { manifest: (dir: string) => string })[] = [
  {
    id: "manifest-50mb",
    title: "50 MB manifest",
    reason: /m\.yaml:1:1 file is 5\d{7} bytes, over the limit of 10485760 bytes \(10 MB\)/,
    setup: () => ({ env: {} }),
    manifest: (dir) => write(dir, padded(`${HEAD}integrations: []\n`, 50 * 1024 * 1024)),
  },
  {
    id: "manifest-deep-flow",
    title: "manifest nested 10 000 levels deep (flow lists, 20 kB)",
    reason: /m\.yaml:2:\d+ nested or indented too deeply to parse safely \(limit 64 levels\)/,
    setup: () => ({ env: {} }),
    manifest: (dir) => write(dir, deepFlow(HEAD, "integrations")),
  },
  {
    id: "manifest-deep-block",
    title: "manifest nested 10 000 levels deep (block lists, one line)",
    reason: /m\.yaml:3:\d+ nested or indented too deeply to parse safely \(limit 64 levels\)/,
    setup: () => ({ env: {} }),
    manifest: (dir) => write(dir, `${HEAD}integrations:\n  ${"- ".repeat(10_000)}x\n`),
  },
  {
    id: "manifest-100k-integrations",
    title: "manifest of 100 000 integrations (15 MB)",
    reason: /m\.yaml:1:1 file is 1\d{7} bytes, over the limit of 10485760 bytes \(10 MB\)/,
    setup: () => ({ env: {} }),
    manifest: (dir) => write(dir, integrations(100_000)),
  },
  {
    id: "manifest-5001-integrations",
    title: "manifest of 5 001 integrations (0.8 MB, under the size and entry limits)",
    reason: /m\.yaml:5003:5 integrations\[5000\]: 5001 integrations, over the limit of 5000 in one manifest/,
    setup: () => ({ env: {} }),
    manifest: (dir) => write(dir, integrations(inputLimits.maxIntegrations + 1)),
  },
];

function write(dir: string, text: string): string {
  writeFileSync(join(dir, "m.yaml"), text);
  return join(dir, "m.yaml");
}

function drill(c: FaultCase, manifest: (dir: string) => string = () => MANIFEST) {
  const dir = join(scratch, c.id);
  mkdirSync(dir);
  const setup = c.setup(dir);
  const bounds = c.bounds ?? defaultBounds;
  const r = measuredCli(["check", "--manifest", manifest(dir), ...policyArgs(setup), "--format", "json"], setup.env, bounds.ms * 2);
  record({ channel: "check", case: c.id, title: c.title, exit: String(r.code ?? r.signal), reason: reasonLine(r.stderr), ms: r.ms, rssMb: r.rssMb });
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(c.reason);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.ms).toBeLessThan(bounds.ms);
  expect(r.rssMb).toBeDefined();
  expect(r.rssMb!).toBeLessThan(bounds.rssMb);
}

describe("check fails closed (exit 2, a clear reason, bounded time and memory)", () => {
  it("passes the control manifest when nothing is broken (exit 0)", () => {
    const r = measuredCli(["check", "--manifest", MANIFEST, ...policyArgs({ env: {} })]);
    record({ channel: "check", case: "control", title: "nothing broken", exit: String(r.code), reason: reasonLine(r.stdout.split("\n").at(-2) ?? ""), ms: r.ms, rssMb: r.rssMb });
    expect(r.code, r.stderr).toBe(0);
  });

  describe("policy faults", () => {
    for (const c of forChannel("check")) it(c.id, () => drill(c), 2 * (c.bounds ?? defaultBounds).ms + 30_000);
  });

  describe("manifest faults", () => {
    for (const c of manifestFaults) it(c.id, () => drill(c, c.manifest), 2 * defaultBounds.ms + 30_000);
  });
});
