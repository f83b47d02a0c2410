import type { StackResource } from "./judge-stack.ts";

/*
 * Cloud resources that can send data out of the account. Each entry says whether a resource of
 * that type is egress as configured (an SNS subscription to SQS is not; one to https is) and where
 * it sends. An egress resource that no Integration owns is VG010; one that an Integration owns but
 * that points elsewhere than the declared destination is VG008.
 */

type Props = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
const obj = (v: unknown): Props => (v && typeof v === "object" ? (v as Props) : {});

interface EgressKind {
  /** undefined: not egress as configured; otherwise the endpoint (null when the type has no URL). */
  endpoint(props: Props): string | null | undefined;
}

export const egressKinds: Readonly<Record<string, EgressKind>> = {
  "aws:cloudwatch/eventApiDestination:EventApiDestination": { endpoint: (p) => str(p.invocationEndpoint) },
  // A connection holds the vendor credential that an API destination presents.
  "aws:cloudwatch/eventConnection:EventConnection": { endpoint: () => null },
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": {
    endpoint: (p) => (p.destination === "http_endpoint" ? str(obj(p.httpEndpointConfiguration).url) : undefined),
  },
  "aws:sns/topicSubscription:TopicSubscription": {
    endpoint: (p) => (p.protocol === "http" || p.protocol === "https" ? str(p.endpoint) : undefined),
  },
  "aws:pipes/pipe:Pipe": {
    endpoint: (p) => (typeof p.target === "string" && p.target.includes(":api-destination/") ? null : undefined),
  },
  "aws:appflow/flow:Flow": {
    // AppFlow's destinations are SaaS connectors (Salesforce, Zendesk, …): always off-account.
    endpoint: (p) => (Array.isArray(p.destinationFlowConfigs) && p.destinationFlowConfigs.length > 0 ? null : undefined),
  },
};

export function egressOf(r: StackResource): { endpoint: string | null } | undefined {
  const kind = egressKinds[r.type];
  if (!kind) return undefined;
  const endpoint = kind.endpoint(r.props);
  return endpoint === undefined ? undefined : { endpoint };
}
