import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildCommentBody } from "./comment.ts";
import { appendSummary, vendorgateCli, type Env } from "./lib.ts";

/*
 * CI step: turns the two plans into the pull-request comment: `vendorgate diff` of base and head
 * (markdown, with the flow chart), or, when the head could not be planned, why the change is
 * blocked. Writes the body to --out and to the job summary.
 *
 *   node scripts/ci/report.ts --stack <name> --base base.json --head head.json --head-code N --out comment.md
 *                             [--note TEXT]... [--run-url URL] [--dir <checkout>] [--project <dir in it>]
 */

export interface ReportOptions {
  stack: string;
  base: string;
  head: string;
  headCode: number;
  notes: string[];
  runUrl?: string | undefined;
  /** Checkout whose vendorgate runs the diff (the head's). */
  dir: string;
  /** The Pulumi project in it, whose vendorgate.yaml judges the diff as it judged the plans (default: the checkout). */
  project?: string | undefined;
}

type Run = (args: string[], cwd: string) => { status: number | null; stdout: string; stderr: string };

const runNode: Run = (args, cwd) => {
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
};

export function buildReport(o: ReportOptions, run: Run = runNode): { body: string; code: number } {
  if (o.headCode !== 0 && o.headCode !== 1) {
    const failure = o.notes.find((n) => n.startsWith("the head")) ?? "the head could not be planned";
    return { body: buildCommentBody({ stack: o.stack, failure, notes: o.notes.filter((n) => n !== failure), runUrl: o.runUrl }), code: 2 };
  }
  const cli = vendorgateCli(resolve(o.dir));
  if (!cli) return { body: buildCommentBody({ stack: o.stack, failure: `no vendorgate in ${o.dir} to compare the plans`, notes: o.notes, runUrl: o.runUrl }), code: 2 };
  const diff = run([...cli, "diff", "--project", o.project ?? ".", "--base", resolve(o.base), "--head", resolve(o.head), "--format", "markdown"], o.dir);
  if (diff.status !== 0 && diff.status !== 1) {
    const why = diff.stderr.split("\n").find((l) => l.trim() !== "") ?? "no message";
    return { body: buildCommentBody({ stack: o.stack, failure: `the diff failed: ${why}`, notes: o.notes, runUrl: o.runUrl }), code: 2 };
  }
  // The plan's exit code decides; the diff's (the same verdict, read back) must agree with it.
  if (diff.status !== o.headCode) {
    return { body: buildCommentBody({ stack: o.stack, failure: `plan said exit ${o.headCode} but the diff read exit ${diff.status} from its output`, notes: o.notes, runUrl: o.runUrl }), code: 2 };
  }
  return { body: buildCommentBody({ stack: o.stack, diff: diff.stdout, notes: o.notes, runUrl: o.runUrl }), code: o.headCode };
}

function main(argv: string[], env: Env): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      base: { type: "string" },
      head: { type: "string" },
      "head-code": { type: "string" },
      out: { type: "string" },
      note: { type: "string", multiple: true, default: [] },
      "run-url": { type: "string" },
      dir: { type: "string", default: "." },
      project: { type: "string", default: "." },
    },
  });
  const headCode = Number(values["head-code"]);
  if (!values.stack || !values.base || !values.head || !values.out || !Number.isInteger(headCode)) {
    process.stderr.write("usage: report.ts --stack <name> --base <json> --head <json> --head-code <n> --out <file> [--note TEXT]... [--run-url URL]\n");
    return 2;
  }
  const { body } = buildReport({ stack: values.stack, base: values.base, head: values.head, headCode, notes: values.note ?? [], runUrl: values["run-url"], dir: values.dir, project: values.project });
  writeFileSync(values.out, body);
  appendSummary(env, body);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2), process.env);

