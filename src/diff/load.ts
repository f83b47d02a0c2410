import { relative } from "node:path";
import * as z from "zod";
import type { PolicyContext } from "../policy/context.ts";
import { judge } from "../engine/judge.ts";
import { type Report, type Violation, violationSchema } from "../engine/violation.ts";
import type { PolicySummary } from "../policy/summary.ts";
import { InputError, locate, manifestSchema, parseSource, readSourceText, validateSource, type Manifest } from "../model/index.ts";
import { summarize } from "../report/index.ts";
import { policySchema, REPORT_SCHEMA_VERSION, reportViolationSchema, summarySchema } from "../report/schema.ts";

/*
 * One side of a diff: a manifest (judged here, with the policy options given to diff) or the
 * output of `plan --format json` (whose verdict was settled when it was planned, so it is taken
 * as it stands, never judged again). Either way the declarations pass the same schema as check's.
 */

export type Declaration = Manifest["integrations"][number];

export interface Side {
  /** The file, relative to the working directory. */
  file: string;
  kind: "manifest" | "plan";
  stack: Manifest["stack"];
  integrations: Declaration[];
  report: Report;
  /** The policy that judged this side (absent in the output of an older plan). */
  policy?: PolicySummary | undefined;
}

// What plan writes; other keys are allowed so that a newer plan's output still reads.
function planOutputSchema(manifest: ReturnType<typeof manifestSchema>) {
  return z.looseObject({
    violations: z.array(reportViolationSchema.loose()),
    summary: summarySchema.loose(),
    manifest,
    policy: policySchema.loose().optional(),
  });
}

const engineKeys = violationSchema.omit({ title: true });

export async function loadSide(file: string, ctx: PolicyContext): Promise<Side> {
  const shown = relative(process.cwd(), file) || file;
  const src = parseSource(await readSourceText(file), shown);
  const schema = manifestSchema(ctx.taxonomy);

  // A version this vendorgate does not know changes what the keys mean: say so, rather than read
  // it as something else (a manifest, or a verdict) and report whatever that finds wrong.
  if ("schemaVersion" in src.data && src.data.schemaVersion !== REPORT_SCHEMA_VERSION) {
    throw new InputError([
      {
        ...locate(src, ["schemaVersion"]),
        path: "schemaVersion",
        message: `unsupported version ${JSON.stringify(src.data.schemaVersion)}: this vendorgate reads the output of \`vendorgate plan --format json\` of version ${REPORT_SCHEMA_VERSION}; run diff with the vendorgate that wrote it, or plan again`,
      },
    ]);
  }
  if ("violations" in src.data || "summary" in src.data) {
    if (!("manifest" in src.data)) {
      throw new InputError([
        { file: shown, line: 1, column: 1, path: "manifest", message: "this is a verdict without declarations (check's JSON?); diff needs a manifest or the output of `vendorgate plan --format json`" },
      ]);
    }
    const doc = validateSource(src, planOutputSchema(schema));
    const title = new Map(ctx.engine.catalogue.map((r) => [r.id, r.title]));
    // Back to the engine's violation: the title from the catalogue; the location stays behind (it points into the run that wrote the file).
    // Keys a newer version added are read past (the schema is loose) but not carried.
    const violations: Violation[] = doc.violations.map((v) => ({ ...engineKeys.parse(v), title: title.get(v.rule) ?? v.name }));
    const recount = summarize(violations);
    // A summary that disagrees with its own violations was edited or truncated: fail closed.
    if (recount.mandatory !== doc.summary.mandatory || recount.advisory !== doc.summary.advisory || recount.waived !== doc.summary.waived) {
      throw new InputError([{ file: shown, line: 1, column: 1, path: "summary", message: `does not match the violations listed (they count ${JSON.stringify(recount)})` }]);
    }
    return {
      file: shown,
      kind: "plan",
      stack: doc.manifest.stack,
      integrations: doc.manifest.integrations,
      report: { violations, summary: recount },
      policy: doc.policy as PolicySummary | undefined,
    };
  }

  const manifest = validateSource(src, schema);
  const report = judge(ctx.engine, {
    now: ctx.now,
    stack: manifest.stack,
    integrations: manifest.integrations,
    exceptions: ctx.exceptions,
    enforcement: ctx.enforcement,
  });
  return { file: shown, kind: "manifest", stack: manifest.stack, integrations: manifest.integrations, report, policy: ctx.policy.summary };
}
