import { fileURLToPath } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { ALLOWLIST_KIND, ALLOWLIST_SCHEMA_VERSION } from "../runtime/format.ts";
import { inputLimits, type DataCategory, type DataSubject, type DataUse, type Transform } from "../model/index.ts";
import { displayUrl } from "../model/url.ts";
import { credentialOrigin } from "./credentials.ts";
import { createEventBridgeEgress, type EventBridgeEgress, type EventBridgeEgressArgs } from "./eventbridge.ts";
import { defaultSource, TransformerError } from "./transformer.ts";
import { validateDeclaration } from "./validate.ts";
import { INTEGRATION_TYPE } from "../model/declaration.ts";
import type { RecordedDeclaration } from "../engine/normalize.ts";


export type { EventBridgeEgress, EventBridgeEgressArgs } from "./eventbridge.ts";

export interface IntegrationField {
  /** Where the value sits in the outbound payload, e.g. `properties.$os`. */
  path: string;
  category: DataCategory;
  transform?: Transform;
}

export interface IntegrationArgs {
  /** Key of the vendor in the registry (the file vendorgate.yaml's `registry` names). */
  vendor: string;
  purpose: DataUse;
  subjects: DataSubject[];
  /** false = the flow is switched off but kept for audit; it is not judged. Default true. */
  enabled?: boolean;
  destination: { url: pulumi.Input<string>; region: string };
  /**
   * The vendor credential. Only whether it is a Pulumi secret is recorded (VG011); the value is
   * never part of the declaration, the state or any report.
   */
  credentials?: { value: pulumi.Input<string> };
  /** Every field that leaves, and nothing else. */
  fields: IntegrationField[];
  /**
   * Carry the flow on AWS EventBridge: a rule on the application's bus, a target whose input
   * transformer forwards exactly `fields`, an API destination at `destination.url` and a
   * connection holding `credentials`. Needs the aws provider plugin (or `vendorgate plan`'s
   * mocks). A disabled integration creates none of it: a switched-off flow sends nothing.
   */
  eventBridge?: EventBridgeEgressArgs;
}

/** The declaration as the policy sees it: what the component records as its outputs. */
export type IntegrationDeclaration = RecordedDeclaration;

/** Where a program wrote `new Integration(...)`, so reports can point at that line. */
export interface ConstructionSite {
  file: string;
  line: number;
  column: number;
}

const componentsDir = fileURLToPath(new URL(".", import.meta.url));

/** Where plan's program host finds the construction sites, whichever copy of this module the program loaded. */
export const CONSTRUCTION_SITES = Symbol.for("vendorgate.constructionSites");

/**
 * Construction sites by integration name, for `vendorgate plan` (which reports them from the
 * program's process). Names are unique within a stack, and plan clears this before each run.
 * Kept on globalThis under a registered symbol: the program may load another copy of this module
 * than the one plan's host imports.
 */
export const constructionSites: Map<string, ConstructionSite> = ((globalThis as Record<symbol, unknown>)[CONSTRUCTION_SITES] as
  | Map<string, ConstructionSite>
  | undefined) ?? new Map<string, ConstructionSite>();
(globalThis as Record<symbol, unknown>)[CONSTRUCTION_SITES] = constructionSites;

function callerSite(): ConstructionSite | undefined {
  // Plan turns stack traces off while the program runs (see src/plan/mocks.ts); this one it needs.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
    if (file.startsWith(componentsDir) || file.includes("/node_modules/")) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

/**
 * The URL as the declaration records it. A secret URL (a webhook whose path or query is the
 * token) is recorded as its scheme and host only, which is all the policy judges: the token then
 * never reaches the policy, its messages or the state's copy of the declaration.
 */
function declaredUrl(url: pulumi.Input<string>): pulumi.Output<string> {
  const out = pulumi.output(url);
  return pulumi.output(pulumi.isSecret(out)).apply((secret) => (secret ? pulumi.unsecret(out).apply((u) => `${displayUrl(u)}/[secret]`) : out));
}

/** What the program has declared so far, per run (keyed by the run's root stack resource). */
const declaredPerRun = new WeakMap<object, { count: number; bytes: number }>();
const outsideRun = {};

/**
 * Holds a stack to inputLimits' integration count, and its declarations together to the size of
 * a manifest file: the declaration that passes either fails the program at once, before the engine
 * and the policy spend time and memory on the rest. The pack checks the same limits again for
 * programs that bypass this component.
 */
function admit(resource: pulumi.Resource, name: string, declaration: Record<string, unknown>): void {
  const run = pulumi.runtime.getStackResource() ?? outsideRun;
  let seen = declaredPerRun.get(run);
  if (!seen) declaredPerRun.set(run, (seen = { count: 0, bytes: 0 }));
  seen.count += 1;
  seen.bytes += Buffer.byteLength(JSON.stringify(declaration));
  const { maxIntegrations, maxFileBytes } = inputLimits;
  if (seen.count > maxIntegrations) {
    throw new pulumi.ResourceError(
      `Integration "${name}": the stack declares more than ${maxIntegrations} integrations, the most vendorgate judges in one stack; split the flows across stacks`,
      resource,
      true,
    );
  }
  if (seen.bytes > maxFileBytes) {
    throw new pulumi.ResourceError(
      `Integration "${name}": the stack's declarations pass ${maxFileBytes} bytes, the most vendorgate judges in one stack (as for a manifest file)`,
      resource,
      true,
    );
  }
}

/**
 * One outbound data flow. Construction validates the declaration against the schema and the
 * taxonomy of the project's registry (a bad value fails at once, naming the resource); the policy
 * pack judges the recorded declaration against the vendor registry at preview time.
 */
export class Integration extends pulumi.ComponentResource {
  /** The declared destination URL, for the resources that carry the flow. */
  readonly url: pulumi.Output<string>;
  readonly fields: readonly IntegrationField[];
  /** The AWS resources carrying the flow, when `eventBridge` was given and the flow is enabled. */
  readonly eventBridge: EventBridgeEgress | undefined;
  /**
   * This flow's allow-list for the run-time guard (vendorgate/runtime), as JSON text: hand it to
   * the application (an environment variable, a parameter store). Its verdict is "pass" and its
   * source "deploy": the value reaches a stack's outputs only through a deploy, and a deploy with
   * vendorgate's policy pack does not happen while a mandatory violation stands. For a document
   * stamped with the verdict and the policy digest, use `vendorgate allowlist`.
   */
  readonly allowlist: pulumi.Output<string>;

  constructor(name: string, args: IntegrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(INTEGRATION_TYPE, name, {}, opts);
    admit(this, name, validateDeclaration(this, name, args));
    const site = callerSite();
    if (site) constructionSites.set(name, site);
    this.url = pulumi.output(args.destination.url);
    this.fields = args.fields;
    const enabled = args.enabled ?? true;
    const credentials = args.credentials ? credentialOrigin(args.credentials.value) : undefined;
    // Where an EventBridge pipeline reads each field is part of what the flow sends: `$.detail`
    // under a harmless name would forward the whole event. So it is declared, and reviewed.
    const sourceOf = (path: string): string | undefined => (args.eventBridge ? (args.eventBridge.source?.[path] ?? defaultSource(path)) : undefined);
    const declaration = {
      name,
      vendor: args.vendor,
      purpose: args.purpose,
      subjects: args.subjects,
      enabled,
      destination: { url: declaredUrl(args.destination.url), region: args.destination.region },
      ...(credentials ? { credentials } : {}),
      fields: args.fields.map((f) => {
        const source = sourceOf(f.path);
        return { path: f.path, category: f.category, transform: f.transform ?? "none", ...(source !== undefined ? { source } : {}) };
      }),
    };

    // A switched-off flow sends nothing: its allow-list declares no integration at all.
    this.allowlist = pulumi.output(args.destination.url).apply((url) =>
      JSON.stringify({
        kind: ALLOWLIST_KIND,
        schemaVersion: ALLOWLIST_SCHEMA_VERSION,
        source: "deploy",
        verdict: "pass",
        integrations: enabled ? [{ name, vendor: args.vendor, verdict: "pass", destination: { url }, fields: declaration.fields }] : [],
      }),
    );

    this.eventBridge = undefined;
    if (args.eventBridge && enabled) {
      if (!args.credentials) {
        throw new pulumi.ResourceError(`Integration "${name}": eventBridge needs credentials (the connection presents them to the vendor)`, this, true);
      }
      try {
        this.eventBridge = createEventBridgeEgress(this, { name, url: args.destination.url, fields: args.fields, credential: args.credentials.value }, args.eventBridge);
      } catch (err) {
        if (err instanceof TransformerError) throw new pulumi.ResourceError(`Integration "${name}": ${err.message}`, this, true);
        throw err;
      }
    }
    // Outputs, not inputs: the engine hands a stack policy the recorded outputs, and the state
    // then keeps each flow's declaration for audit and for `vendorgate exposure`.
    this.registerOutputs(declaration);
  }
}
