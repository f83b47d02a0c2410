// Fault drills through `vendorgate plan` (the CLI in its own process, the drill program under
// mocks): every policy fault as for check, plus faults of plan's own inputs (the stack's config
// file) and of what a program declares. See harness.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Bounds,
  deepFlow,
  defaultBounds,
  DRILL_PROJECT,
  drillProject,
  drillStack,
  type FaultCase,
  forChannel,
  measuredCli,
  mkfifo,
  padded,
  policyArgs,
  reasonLine,
  record,
  STACK_FRAME,
  writeOutcomes,
} from "./harness.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-faults-plan-"));
const project = drillProject(join(scratch, "project"));
afterAll(() => {
  writeOutcomes("plan");
  rmSync(scratch, { recursive: true, force: true });
});

interface Run {
  code: number;
  reason: RegExp;
  bounds?: Bounds;
}

function plan(id: string, title: string, setup: ReturnType<FaultCase["setup"]>, dir: string, expected: Run, stack = id) {
  const bounds = expected.bounds ?? defaultBounds;
  const r = measuredCli(["plan", "--project", project.root, "--stack", stack, ...policyArgs(setup), "--format", "json"], setup.env, bounds.ms * 2);
  const text = expected.code === 2 ? r.stderr : r.stdout;
  record({ channel: "plan", case: id, title, exit: String(r.code ?? r.signal), reason: r.code === 0 ? "no violations" : reasonLine(expected.code === 2 ? r.stderr : firstMessage(r.stdout)), ms: r.ms, rssMb: r.rssMb });
  expect(r.code, `${r.signal ?? ""}\n${r.stderr}`).toBe(expected.code);
  if (expected.code === 2) expect(r.stdout).toBe("");
  expect(text).toMatch(expected.reason);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.ms).toBeLessThan(bounds.ms);
  expect(r.rssMb).toBeDefined();
  expect(r.rssMb!).toBeLessThan(bounds.rssMb);
  return r;
}

/** The first violation's message of plan's JSON (stdout), or the text itself when it is not JSON. */
function firstMessage(stdout: string): string {
  try {
    return (JSON.parse(stdout) as { violations: { message: string }[] }).violations[0]?.message ?? "";
  } catch {
    return stdout;
  }
}

const scratchFor = (id: string) => {
  const dir = join(scratch, id);
  mkdirSync(dir);
  return dir;
};

describe("plan fails closed (a clear reason, bounded time and memory)", () => {
  it("passes the drill program when nothing is broken (exit 0)", () => {
    drillStack(project, "control");
    plan("control", "nothing broken", { env: {} }, scratchFor("control"), { code: 0, reason: /"violations": \[\]/ });
  });

  describe("policy faults: exit 2", () => {
    for (const c of forChannel("plan")) {
      it(c.id, () => {
        const dir = scratchFor(c.id);
        drillStack(project, c.id);
        plan(c.id, c.title, c.setup(dir), dir, { code: 2, reason: c.reason, ...(c.bounds ? { bounds: c.bounds } : {}) });
      }, 2 * (c.bounds ?? defaultBounds).ms + 30_000);
    }
  });

  describe("the stack's config file: exit 2", () => {
    const configFaults: { id: string; title: string; reason: RegExp; write: (file: string) => void }[] = [
      {
        id: "stack-config-50mb",
        title: "50 MB stack config file",
        reason: /Pulumi\.stack-config-50mb\.yaml:1:1 file is 5\d{7} bytes, over the limit of 10485760 bytes/,
        write: (file) => writeFileSync(file, padded(`config:\n  ${DRILL_PROJECT}:mode: clean\n`, 50 * 1024 * 1024)),
      },
      {
        id: "stack-config-deep",
        title: "stack config nested 10 000 levels deep",
        reason: /Pulumi\.stack-config-deep\.yaml:\d+:\d+ nested or indented too deeply to parse safely \(limit 64 levels\)/,
        write: (file) => writeFileSync(file, deepFlow("config:\n", `  ${DRILL_PROJECT}:mode`)),
      },
      {
        id: "stack-config-fifo",
        title: "stack config file is a named pipe nobody writes to",
        reason: /Pulumi\.stack-config-fifo\.yaml:1:1 cannot read: a named pipe \(FIFO\) that no process writes to/,
        write: (file) => mkfifo(file),
      },
    ];
    for (const c of configFaults) {
      it(c.id, () => {
        c.write(join(project.stackConfigDir, `Pulumi.${c.id}.yaml`));
        plan(c.id, c.title, { env: {} }, scratchFor(c.id), { code: 2, reason: c.reason });
      }, 2 * defaultBounds.ms + 30_000);
    }
  });

  describe("what the program declares", () => {
    // The component refuses these as they are declared: the program fails, exit 2.
    const refused: { id: string; title: string; settings: Record<string, string | number>; reason: RegExp; bounds?: Bounds }[] = [
      {
        id: "program-50mb",
        title: "one declaration of 50 MB (a field path that long)",
        settings: { mode: "big", bytes: 50_000_000 },
        reason: /the program failed under plan's mocks: Integration "big": the stack's declarations pass 10485760 bytes/,
      },
      {
        id: "program-deep",
        title: "a declaration nested 10 000 levels deep",
        settings: { mode: "deep", depth: 10_000 },
        reason: /the program failed under plan's mocks: Integration "deep" is not a valid declaration: destination\.region\.v…: nested deeper than 64 levels/,
      },
      {
        id: "program-100k-integrations",
        title: "100 000 integrations (the program stops at the 5 001st)",
        settings: { mode: "many", count: 100_000 },
        reason: /the program failed under plan's mocks: Integration "flow-5000": the stack declares more than 5000 integrations/,
        bounds: { ms: 120_000, rssMb: 1200 },
      },
      {
        id: "raw-deep",
        title: "bare Integration component with outputs nested 10 000 levels deep (past the component's checks)",
        settings: { mode: "raw-deep", depth: 10_000 },
        // The Pulumi SDK cannot serialise it; the program fails before anything is judged.
        reason: /the program failed under plan's mocks: .*Maximum call stack size exceeded/,
      },
      {
        id: "raw-50mb",
        title: "bare Integration component declaring 50 MB",
        settings: { mode: "raw-big", bytes: 50_000_000 },
        // Past the program channel's limit on one resource: plan stops reading before judging.
        reason: /index\.ts: one resource's inputs pass 33554432 bytes, the most vendorgate reads/,
      },
    ];
    for (const c of refused) {
      it(`${c.id}: exit 2`, () => {
        drillStack(project, c.id, c.settings);
        plan(c.id, c.title, { env: {} }, scratchFor(c.id), { code: 2, reason: c.reason, ...(c.bounds ? { bounds: c.bounds } : {}) });
      }, 2 * (c.bounds ?? defaultBounds).ms + 30_000);
    }

    // Bare components bypass those checks; judging refuses them (the pack's gate does the same).
    const blocked: typeof refused = [
      {
        id: "raw-20mb",
        title: "bare Integration component declaring 20 MB (under the program channel's 32 MiB per resource)",
        settings: { mode: "raw-big", bytes: 20_000_000 },
        reason: /the stack's declarations pass 10485760 bytes at integration big, over the limit/,
      },
      {
        id: "raw-5001-integrations",
        title: "5 001 bare Integration components",
        settings: { mode: "raw-many", count: 5001 },
        reason: /the stack declares 5001 integrations, over the limit of 5000/,
        bounds: { ms: 120_000, rssMb: 1200 },
      },
    ];
    for (const c of blocked) {
      it(`${c.id}: exit 1, one mandatory gate violation and nothing judged`, () => {
        drillStack(project, c.id, c.settings);
        const r = plan(c.id, c.title, { env: {} }, scratchFor(c.id), { code: 1, reason: c.reason, ...(c.bounds ? { bounds: c.bounds } : {}) });
        const out = JSON.parse(r.stdout) as { violations: { rule: string; severity: string }[]; summary: unknown };
        expect(out.violations.map((v) => [v.rule, v.severity])).toEqual([["vendorgate-gate", "mandatory"]]);
      }, 2 * (c.bounds ?? defaultBounds).ms + 30_000);
    }
  });
});
