import { gzipSync } from "node:zlib";
import pLimit from "p-limit";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";

/*
 * A Pulumi diy backend of any size, in the layout and checkpoint shape the real engine writes (see
 * the S3 test, which reads one the engine wrote): N stacks in ten projects, each with a current
 * state and `checkpoints` history files, every other one gzipped. Each checkpoint holds three
 * Integrations and a dozen other resources with bulky outputs, as real stacks do. Mixpanel's
 * flow sent the email address until the stack's sixth deploy; stacks whose number ends in 7 no
 * longer send to Mixpanel at all. Only the first stack sends to Sentry: an exposure for Sentry reads
 * the whole backend and reports one stack, whatever the fleet's size.
 */

export const DAY_MS = 86_400_000;
export const START = Date.UTC(2026, 0, 1);

const stackName = (i: number) => `svc-${String(i).padStart(4, "0")}`;
const projectOf = (i: number) => `project-${i % 10}`;

function integration(project: string, stack: string, name: string, vendor: string, fields: { path: string; category: string; transform?: string }[]) {
  return {
    urn: `urn:pulumi:${stack}::${project}::${INTEGRATION_TYPE}::${name}`,
    custom: false,
    type: INTEGRATION_TYPE,
    outputs: {
      name,
      vendor,
      purpose: "analytics.reporting",
      subjects: ["customer"],
      enabled: true,
      destination: { url: `https://api.${vendor}.example/track`, region: "eu" },
      credentials: { secret: true },
      fields: fields.map((f) => ({ transform: "none", ...f })),
    },
    parent: `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`,
  };
}

function filler(project: string, stack: string, n: number) {
  return {
    urn: `urn:pulumi:${stack}::${project}::aws:lambda/function:Function::fn-${n}`,
    custom: true,
    id: `fn-${n}-${stack}`,
    type: "aws:lambda/function:Function",
    inputs: { handler: "index.handler", runtime: "nodejs22.x", memorySize: 256, environment: { variables: { STAGE: stack, N: String(n) } } },
    outputs: { arn: `arn:aws:lambda:eu-west-1:123456789012:function:fn-${n}-${stack}`, handler: "index.handler", runtime: "nodejs22.x", codeSha256: "x".repeat(44), tags: { team: "payments", stack }, policy: "p".repeat(600) },
    provider: `urn:pulumi:${stack}::${project}::pulumi:providers:aws::default_7_48_0::04da6b54-80e4-46f7-96ec-b56ff0331ba9`,
  };
}

function checkpoint(i: number, k: number, time: number): string {
  const project = projectOf(i);
  const stack = stackName(i);
  const mixpanel = [
    { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
    { path: "properties.$os", category: "user.device" },
    ...(k < 5 ? [{ path: "properties.$email", category: "user.contact.email" }] : []),
  ];
  const resources = [
    { urn: `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`, custom: false, type: "pulumi:pulumi:Stack" },
    ...(i % 10 === 7 && k >= 8 ? [] : [integration(project, stack, "product-analytics", "mixpanel", mixpanel)]),
    integration(project, stack, "support-chat", "zendesk", [{ path: "requester.email", category: "user.contact.email" }]),
    integration(project, stack, "crm-sync", "hubspot", [{ path: "contact.name", category: "user.name" }]),
    ...(i === 0 ? [integration(project, stack, "error-tracking", "sentry", [{ path: "user.id", category: "user.unique_id", transform: "pseudonymize" }])] : []),
    ...Array.from({ length: 12 }, (_, n) => filler(project, stack, n)),
  ];
  return JSON.stringify({
    version: 3,
    checkpoint: { stack: `organization/${project}/${stack}`, latest: { manifest: { time: new Date(time).toISOString(), magic: "m".repeat(64), version: "v3.274.1" }, secrets_providers: { type: "passphrase" }, resources } },
  });
}

export interface GeneratedBackend {
  stacks: number;
  checkpoints: number;
  objects: number;
  bytes: number;
}

/** Writes the backend through `put` (keys relative to the backend's root), `concurrency` at a time. */
export async function generateBackend(opts: { stacks: number; checkpoints: number; put: (key: string, body: string | Buffer) => Promise<void>; concurrency?: number }): Promise<GeneratedBackend> {
  const limit = pLimit(opts.concurrency ?? 32);
  let objects = 0;
  let bytes = 0;
  const put = (key: string, body: string | Buffer) =>
    limit(async () => {
      await opts.put(key, body);
      objects++;
      bytes += body.length;
    });
  const jobs: Promise<void>[] = [put(".pulumi/meta.yaml", "version: 1\n")];
  for (let i = 0; i < opts.stacks; i++) {
    const project = projectOf(i);
    const stack = stackName(i);
    let last = "";
    for (let k = 0; k < opts.checkpoints; k++) {
      const time = START + (k * 30 + (i % 28)) * DAY_MS;
      const text = checkpoint(i, k, time);
      last = text;
      const gz = (i + k) % 2 === 1;
      jobs.push(put(`.pulumi/history/${project}/${stack}/${stack}-${BigInt(time) * 1_000_000n}.checkpoint.json${gz ? ".gz" : ""}`, gz ? gzipSync(text) : text));
    }
    jobs.push(put(`.pulumi/stacks/${project}/${stack}.json${i % 2 ? ".gz" : ""}`, i % 2 ? gzipSync(last) : last));
  }
  await Promise.all(jobs);
  return { stacks: opts.stacks, checkpoints: opts.stacks * opts.checkpoints, objects, bytes };
}
