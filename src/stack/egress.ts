import type { Egress } from "../engine/normalize.ts";
import { catalogueByType, UnreadableDocument, type Props, type ReadContext } from "./egress-catalogue.ts";
import { UnknownValue, type StackResource } from "./resource.ts";

/*
 * Reads a resource through its egress catalogue entry (src/stack/egress-catalogue.ts).
 *
 * Props come from the engine (policy pack) or from Pulumi's mocks (plan). A value not known until
 * the deploy throws on access in both; whatever the cause, a property that cannot be read makes
 * the resource impossible to judge (UnknownValue), never "not egress". The one exception is an
 * ARN that names where data goes: unknown at preview time, it is the output of a resource this
 * stack creates, so it lies in the stack's own account.
 */

/** Reads `path` (dot-separated) from props, naming the path when the value cannot be read. */
function get(props: Props, path: string): unknown {
  let v: unknown = props;
  for (const key of path.split(".")) {
    try {
      if (v === null || v === undefined || typeof v !== "object") return undefined;
      v = (v as Props)[key];
    } catch {
      throw new UnknownValue(path);
    }
  }
  return v;
}

function peek(props: Props, path: string): unknown {
  try {
    return get(props, path);
  } catch (err) {
    if (err instanceof UnknownValue) return undefined;
    throw err;
  }
}

export interface StackFacts {
  ownAccounts: readonly string[];
  resources: readonly StackResource[];
}

const BUCKET_TYPES = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);

/** What the catalogue's readers know of the stack: its accounts and the buckets it creates. */
export function readContext(facts: StackFacts): ReadContext {
  const stackBuckets = new Set<string>();
  for (const r of facts.resources) {
    if (!BUCKET_TYPES.has(r.type)) continue;
    const bucket = peek(r.props, "bucket");
    stackBuckets.add(typeof bucket === "string" && bucket !== "" ? bucket : r.name);
  }
  return { ownAccounts: new Set(facts.ownAccounts), stackBuckets, get, peek };
}

export function egressOf(r: StackResource, ctx: ReadContext): Egress | undefined {
  const entry = catalogueByType.get(r.type);
  if (!entry) return undefined;
  try {
    return entry.read(r.props, ctx);
  } catch (err) {
    if (err instanceof UnknownValue || err instanceof UnreadableDocument) throw err;
    // The policy SDK's unknown-value proxy throws its own error type from deep inside a read.
    throw new UnknownValue("its configuration");
  }
}
