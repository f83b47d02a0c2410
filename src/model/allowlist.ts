import * as z from "zod";
import { ALLOWLIST_KIND, ALLOWLIST_SCHEMA_VERSION, pathProblem, sources, transforms, verdicts } from "../runtime/format.ts";
import { destinationUrlSchema } from "./integration.ts";
import { nameSchema, strictObject } from "./primitives.ts";
import { taxonomyKeyPattern } from "./taxonomy.ts";

/*
 * The allow-list: what the gate judged, in the form the run-time guard (vendorgate/runtime)
 * enforces. `vendorgate allowlist` writes it from a stack's plan or deployed state; each
 * Integration also records its own as an output. The guard checks the same shape without zod
 * (src/runtime/allowlist.ts), and a test holds the two to the same answers.
 */

const fieldPath = z.string().superRefine((path, ctx) => {
  const problem = pathProblem(path);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: path });
});

export const allowlistFieldSchema = strictObject({
  path: fieldPath.describe("Where the value sits in the outbound payload: names separated by dots, e.g. properties.distinct_id."),
  category: z.string().regex(taxonomyKeyPattern).describe("The data category the gate judged the field as."),
  transform: z.enum(transforms).describe("What the guard does to the value before it leaves."),
});

export const allowlistIntegrationSchema = strictObject({
  name: nameSchema.describe("The integration, as declared in the stack."),
  vendor: nameSchema,
  verdict: z.enum(verdicts).describe("blocked when a mandatory violation names this integration."),
  destination: strictObject({
    url: destinationUrlSchema.describe("The declared endpoint; its host is the only one the guard lets this integration's data reach."),
  }),
  fields: z.array(allowlistFieldSchema).describe("Every path that may leave, and nothing else."),
});

export const allowlistSchema = strictObject({
  kind: z.literal(ALLOWLIST_KIND),
  schemaVersion: z.literal(ALLOWLIST_SCHEMA_VERSION),
  source: z
    .enum(sources)
    .describe("plan: `vendorgate allowlist --from plan`; state: from the stack's deployed state; deploy: an Integration's own output, recorded by a deploy the policy pack let through."),
  stack: z.string().min(1).optional(),
  policy: strictObject({
    bundleDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).describe("sha256 of the compiled policy (WASM) that gave the verdict."),
  }).optional(),
  verdict: z.enum(verdicts).describe("The gate's verdict on the stack; a guard refuses a blocked allow-list."),
  integrations: z.array(allowlistIntegrationSchema),
}).superRefine((doc, ctx) => {
  if (doc.source !== "deploy" && doc.policy === undefined) {
    ctx.addIssue({ code: "custom", path: ["policy"], message: "a judged allow-list (source plan or state) names the policy bundle that judged it", input: doc });
  }
  const seen = new Map<string, number>();
  doc.integrations.forEach((i, n) => {
    const first = seen.get(i.name);
    if (first !== undefined) ctx.addIssue({ code: "custom", path: ["integrations", n, "name"], message: `duplicate integration "${i.name}" (also at integrations[${first}])`, input: i.name });
    else seen.set(i.name, n);
    const paths = new Map<string, number>();
    i.fields.forEach((f, m) => {
      const firstField = paths.get(f.path);
      if (firstField !== undefined) {
        ctx.addIssue({ code: "custom", path: ["integrations", n, "fields", m, "path"], message: `duplicate field path "${f.path}" (also at fields[${firstField}])`, input: f.path });
      } else paths.set(f.path, m);
    });
  });
});

export type Allowlist = z.output<typeof allowlistSchema>;
export type AllowlistIntegration = Allowlist["integrations"][number];
export type AllowlistField = AllowlistIntegration["fields"][number];
