import { UnknownValue, type StackResource } from "./judge-stack.ts";

/*
 * Cloud resources that can send data out of the account. Each entry says whether a resource of
 * that type is egress as configured (an SNS subscription to SQS is not; one to https is) and where
 * it sends. An egress resource that no Integration owns is VG010; one that an Integration owns but
 * that points elsewhere than the declared destination is VG008.
 *
 * Props come from the engine (policy pack) or from Pulumi's mocks (plan). A value not known until
 * the deploy throws on access in both; whatever the cause, a property that cannot be read makes
 * the resource impossible to judge (UnknownValue), never "not egress".
 */

type Props = Record<string, unknown>;

interface EgressKind {
  /** undefined: not egress as configured; otherwise the endpoint (null when the type has no URL). */
  endpoint(props: Props): string | null | undefined;
}

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

const str = (props: Props, path: string): string | null => {
  const v = get(props, path);
  return typeof v === "string" && v !== "" ? v : null;
};

const list = (props: Props, path: string): unknown[] => {
  const v = get(props, path);
  return Array.isArray(v) ? v : [];
};

/** An EventBridge API destination ARN: `arn:aws:events:<region>:<account>:api-destination/<name>/<id>`. */
const isApiDestinationArn = (v: string | null): boolean => v !== null && /^arn:[^:]+:events:[^:]*:[^:]*:api-destination\//.test(v);

// Firehose destinations whose receiver is outside the account: an arbitrary HTTP endpoint, and
// the SaaS vendors Firehose delivers to natively.
const FIREHOSE_OUT: Readonly<Record<string, (p: Props) => string | null>> = {
  http_endpoint: (p) => str(p, "httpEndpointConfiguration.url"),
  splunk: (p) => str(p, "splunkConfiguration.hecEndpoint"),
  snowflake: (p) => str(p, "snowflakeConfiguration.accountUrl"),
};

// AppFlow connectors that stay inside AWS; every other connector type is a SaaS application.
const APPFLOW_IN_ACCOUNT = new Set(["S3", "Redshift", "EventBridge", "LookoutMetrics", "Honeycode", "CustomerProfiles"]);

export const egressKinds: Readonly<Record<string, EgressKind>> = {
  "aws:cloudwatch/eventApiDestination:EventApiDestination": { endpoint: (p) => str(p, "invocationEndpoint") },
  // A connection holds the vendor credential that an API destination presents.
  "aws:cloudwatch/eventConnection:EventConnection": { endpoint: () => null },
  // A target pointing at an API destination decides which bytes of each event leave: one outside
  // the integration could forward whole events through an approved destination.
  "aws:cloudwatch/eventTarget:EventTarget": {
    endpoint: (p) => (isApiDestinationArn(str(p, "arn")) ? null : undefined),
  },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
    endpoint: (p) => {
      const destination = str(p, "destination");
      // The provider documents the camel-cased spelling too; either way the data leaves.
      const kind = destination === "httpEndpoint" ? "http_endpoint" : destination;
      const endpoint = kind !== null ? FIREHOSE_OUT[kind] : undefined;
      return endpoint ? endpoint(p) : undefined;
    },
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    endpoint: (p) => {
      const protocol = str(p, "protocol")?.toLowerCase();
      return protocol === "http" || protocol === "https" ? str(p, "endpoint") : undefined;
    },
  },
  "aws:pipes/pipe:Pipe": {
    endpoint: (p) => (isApiDestinationArn(str(p, "target")) ? null : undefined),
  },
  "aws:appflow/flow:Flow": {
    endpoint: (p) => {
      const types = list(p, "destinationFlowConfigs").map((c, i) => {
        const t = get({ c }, "c.connectorType");
        if (t !== undefined && typeof t !== "string") throw new UnknownValue(`destinationFlowConfigs[${i}].connectorType`);
        return t;
      });
      return types.some((t) => t === undefined || !APPFLOW_IN_ACCOUNT.has(t)) ? null : undefined;
    },
  },
};

export function egressOf(r: StackResource): { endpoint: string | null } | undefined {
  const kind = egressKinds[r.type];
  if (!kind) return undefined;
  let endpoint: string | null | undefined;
  try {
    endpoint = kind.endpoint(r.props);
  } catch (err) {
    if (err instanceof UnknownValue) throw err;
    // The policy SDK's unknown-value proxy throws its own error type from deep inside a read.
    throw new UnknownValue("its configuration");
  }
  return endpoint === undefined ? undefined : { endpoint };
}
