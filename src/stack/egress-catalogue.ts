/*
 * The egress catalogue: one entry per Pulumi AWS resource type token (@pulumi/aws v7) that can
 * send data out of the account, saying when a resource of that type is egress as configured and
 * where it sends. docs/egress-catalogue.md is generated from these entries
 * (scripts/gen-egress-doc.ts), and test/plan/egress.test.ts holds each entry's test case, named
 * by `test`: caught when no Integration owns it (VG010), judged against its Integration when one
 * does (VG008, VG011).
 *
 * A reader returns undefined when the resource keeps data in the account as configured (an SNS
 * subscription to one of the stack's own queues), and the destinations otherwise. Each destination
 * is one of:
 * - url: a URL the data is posted to (parsed later, once, by src/model/url.ts);
 * - host (with a scheme where one applies): a host reached without a URL (an email domain, a
 *   database server, a SaaS connector's service domain);
 * - account: another AWS account that receives the data (or "*": any account);
 * - a hop inside the account (an API destination or API Gateway named by ARN), judged where it
 *   lands: none of the above, only `via`;
 * - opaque: nothing says where it goes (an SMS number, a custom connector): owned, it is a
 *   destination the declaration does not describe.
 */

import type { Destination, Egress } from "../engine/normalize.ts";

export type Props = Record<string, unknown>;

/** What readers know of the stack beyond the resource itself. */
export interface ReadContext {
  /** The stack's own AWS accounts; a destination in any other is egress. */
  ownAccounts: ReadonlySet<string>;
  /** Names of the S3 buckets the stack creates (an S3 ARN carries no account). */
  stackBuckets: ReadonlySet<string>;
  /** Reads `path` (dot-separated) from props; throws UnknownValue when it cannot be read. */
  get(props: Props, path: string): unknown;
  /** Like get, but a value unknown at preview time (an output of a resource this stack creates) is undefined. */
  peek(props: Props, path: string): unknown;
}

export interface CatalogueEntry {
  type: string;
  /** The AWS service, for the table. */
  service: string;
  /** When a resource of this type is egress, and where it sends: one line for the docs table. */
  egress: string;
  /** The properties read. */
  reads: readonly string[];
  /** Name of the test case in test/plan/egress.test.ts. */
  test: string;
  read(p: Props, ctx: ReadContext): Egress | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const API_DESTINATION = /^arn:[^:]+:events:[^:]*:[^:]*:api-destination\//;
const EXECUTE_API = /^arn:[^:]+:execute-api:/;

/** The account an ARN names, or undefined when it names none (S3) or is not an ARN. */
export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(":");
  return parts[0] === "arn" && parts.length >= 6 && /^\d{12}$/.test(parts[4]!) ? parts[4] : undefined;
}

/** The account of an ARN when it is not one of the stack's own; undefined for own or unknown values. */
function foreign(ctx: ReadContext, arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const account = arnAccount(arn);
  return account !== undefined && !ctx.ownAccounts.has(account) ? account : undefined;
}

/** An S3 bucket ARN (no account in it) names a bucket outside the stack unless the stack creates it. */
function foreignBucket(ctx: ReadContext, arn: string | undefined): boolean {
  if (arn === undefined) return false;
  const account = arnAccount(arn);
  if (account !== undefined) return !ctx.ownAccounts.has(account);
  const m = /^arn:[^:]+:s3:::([^/]+)/.exec(arn);
  return m !== null && !ctx.stackBuckets.has(m[1]!);
}

const urlDest = (via: string, url: string | undefined): Destination => (url !== undefined ? { via, url } : { via, opaque: true });

/** Egress when the ARN at `path` names another account than the stack's own; none otherwise. */
function toForeignArn(p: Props, ctx: ReadContext, path: string, via: string): Egress | undefined {
  const account = foreign(ctx, str(ctx.peek(p, path)));
  return account !== undefined ? { sender: true, destinations: [{ via, account }] } : undefined;
}

// Firehose destinations whose receiver is outside the account: an arbitrary HTTP endpoint, and
// the SaaS vendors Firehose delivers to natively.
const FIREHOSE_URL: Readonly<Record<string, string>> = {
  http_endpoint: "httpEndpointConfiguration.url",
  httpEndpoint: "httpEndpointConfiguration.url",
  splunk: "splunkConfiguration.hecEndpoint",
  snowflake: "snowflakeConfiguration.accountUrl",
};

// AppFlow connectors that stay inside AWS; the rest are SaaS applications, by their service domain.
const APPFLOW_IN_ACCOUNT = new Set(["S3", "Redshift", "EventBridge", "LookoutMetrics", "Honeycode", "CustomerProfiles"]);
const APPFLOW_SERVICE: Readonly<Record<string, string>> = {
  Salesforce: "salesforce.com",
  Zendesk: "zendesk.com",
  Marketo: "marketo.com",
  Snowflake: "snowflakecomputing.com",
  Upsolver: "upsolver.com",
  Slack: "slack.com",
  Datadog: "datadoghq.com",
  Dynatrace: "dynatrace.com",
  Googleanalytics: "google.com",
  Singular: "singular.net",
  Trendmicro: "trendmicro.com",
  Veeva: "veeva.com",
  Servicenow: "service-now.com",
  Infornexus: "infornexus.com",
  Amplitude: "amplitude.com",
};

/** Accounts a resource policy's principals name, other than the stack's own; "*" for anyone. */
function principalAccounts(ctx: ReadContext, principal: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      if (v === "*") out.push("*");
      const account = /^\d{12}$/.test(v) ? v : arnAccount(v);
      if (account !== undefined && !ctx.ownAccounts.has(account)) out.push(account);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === "object") {
      // Service principals (events.amazonaws.com) act inside the account; only AWS ones are accounts.
      const aws = (v as Props).AWS;
      if (aws !== undefined) visit(aws);
    }
  };
  visit(principal);
  return [...new Set(out)].sort();
}

function parseJson(text: unknown, what: string): unknown {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    // An unreadable document cannot be shown not to send data out.
    throw new UnreadableDocument(what);
  }
}

export class UnreadableDocument extends Error {
  readonly what: string;
  constructor(what: string) {
    super(`${what} cannot be read`);
    this.what = what;
  }
}

/** Every object inside a JSON document, depth first (state machine states sit at any depth). */
function* objects(v: unknown): Generator<Props> {
  if (Array.isArray(v)) for (const x of v) yield* objects(x);
  else if (v && typeof v === "object") {
    yield v as Props;
    for (const x of Object.values(v)) yield* objects(x);
  }
}

// Hosts in a Lambda environment that are AWS's own (SDK endpoints), not a third party.
const AWS_HOST = /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|aws\.dev|api\.aws)$/i;

export const catalogue: readonly CatalogueEntry[] = [
  {
    type: "aws:cloudwatch/eventApiDestination:EventApiDestination",
    service: "EventBridge",
    egress: "always: EventBridge calls the invocation endpoint",
    reads: ["invocationEndpoint"],
    test: "EventBridge API destination",
    read: (p, ctx) => ({ sender: false, destinations: [urlDest("invocation endpoint", str(ctx.get(p, "invocationEndpoint")))] }),
  },
  {
    type: "aws:cloudwatch/eventConnection:EventConnection",
    service: "EventBridge",
    egress: "always: it holds the credential an API destination presents to the vendor",
    reads: [],
    test: "EventBridge connection",
    read: () => ({ sender: false, destinations: [] }),
  },
  {
    type: "aws:cloudwatch/eventTarget:EventTarget",
    service: "EventBridge",
    egress: "a target that is an API destination or API Gateway, or any target ARN in another account (a bus, queue, function)",
    reads: ["arn", "inputTransformer.inputPaths", "inputPath", "input"],
    test: "EventBridge target",
    read: (p, ctx) => {
      const arn = str(ctx.peek(p, "arn"));
      const account = foreign(ctx, arn);
      const isApi = arn !== undefined && (API_DESTINATION.test(arn) || EXECUTE_API.test(arn));
      if (!isApi && account === undefined) return undefined;
      const via = arn !== undefined && API_DESTINATION.test(arn) ? "API destination" : arn !== undefined && EXECUTE_API.test(arn) ? "API Gateway" : "target";
      return { sender: true, destinations: [account !== undefined ? { via, account } : { via, hop: true }], forwards: targetForwards(p, ctx) };
    },
  },
  {
    type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    service: "Data Firehose",
    egress: "an HTTP endpoint, Splunk or Snowflake destination, or an S3 bucket in another account (or one the stack does not create)",
    reads: ["destination", "httpEndpointConfiguration.url", "splunkConfiguration.hecEndpoint", "snowflakeConfiguration.accountUrl", "extendedS3Configuration.bucketArn"],
    test: "Firehose",
    read: (p, ctx) => {
      const destination = str(ctx.get(p, "destination"));
      const urlPath = destination !== undefined ? FIREHOSE_URL[destination] : undefined;
      if (urlPath !== undefined) return { sender: true, destinations: [urlDest(`${destination} destination`, str(ctx.get(p, urlPath)))] };
      if (destination === "extended_s3" || destination === "s3") {
        const arn = str(ctx.peek(p, "extendedS3Configuration.bucketArn")) ?? str(ctx.peek(p, "s3Configuration.bucketArn"));
        if (!foreignBucket(ctx, arn)) return undefined;
        return { sender: true, destinations: [{ via: "S3 bucket", account: arnAccount(arn!) ?? "unknown" }] };
      }
      return undefined;
    },
  },
  {
    type: "aws:sns/topicSubscription:TopicSubscription",
    service: "SNS",
    egress: "http, https, email, email-json and sms subscriptions; sqs, lambda and firehose ones in another account",
    reads: ["protocol", "endpoint"],
    test: "SNS subscription",
    read: (p, ctx) => {
      const protocol = str(ctx.get(p, "protocol"))?.toLowerCase();
      if (protocol === "http" || protocol === "https") return { sender: true, destinations: [urlDest("subscription endpoint", str(ctx.get(p, "endpoint")))] };
      if (protocol === "email" || protocol === "email-json") {
        // The address itself is personal data: only its domain is carried on.
        const domain = str(ctx.get(p, "endpoint"))?.split("@").at(-1);
        return { sender: true, destinations: [domain ? { via: "email", host: domain.toLowerCase(), scheme: "email" } : { via: "email", opaque: true }] };
      }
      if (protocol === "sms") return { sender: true, destinations: [{ via: "SMS", opaque: true }] };
      if (protocol === "sqs" || protocol === "lambda" || protocol === "firehose") return toForeignArn(p, ctx, "endpoint", `${protocol} subscription`);
      return undefined;
    },
  },
  {
    type: "aws:pipes/pipe:Pipe",
    service: "EventBridge Pipes",
    egress: "a target or an enrichment that is an API destination, or either in another account",
    reads: ["target", "enrichment"],
    test: "Pipe",
    read: (p, ctx) => {
      const destinations: Destination[] = [];
      for (const key of ["target", "enrichment"]) {
        const arn = str(ctx.peek(p, key));
        const account = foreign(ctx, arn);
        if (account !== undefined) destinations.push({ via: key, account });
        else if (arn !== undefined && (API_DESTINATION.test(arn) || EXECUTE_API.test(arn))) destinations.push({ via: key, hop: true });
      }
      return destinations.length > 0 ? { sender: true, destinations } : undefined;
    },
  },
  {
    type: "aws:appflow/flow:Flow",
    service: "AppFlow",
    egress: "a destination connector other than S3, Redshift, EventBridge, Lookout for Metrics, Honeycode or Customer Profiles",
    reads: ["destinationFlowConfigs[].connectorType"],
    test: "AppFlow flow",
    read: (p, ctx) => {
      const configs = ctx.get(p, "destinationFlowConfigs");
      const destinations: Destination[] = [];
      (Array.isArray(configs) ? configs : []).forEach((c, i) => {
        const t = ctx.get({ c }, "c.connectorType");
        if (typeof t !== "string") throw new UnreadableDocument(`destinationFlowConfigs[${i}].connectorType`);
        if (APPFLOW_IN_ACCOUNT.has(t)) return;
        const host = APPFLOW_SERVICE[t];
        destinations.push(host ? { via: `${t} connector`, host } : { via: `${t} connector`, opaque: true });
      });
      return destinations.length > 0 ? { sender: true, destinations } : undefined;
    },
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    service: "Step Functions",
    egress: "a task state with Resource arn:aws:states:::http:invoke (its ApiEndpoint)",
    reads: ["definition"],
    test: "Step Functions HTTP task",
    read: (p, ctx) => {
      const definition = parseJson(ctx.get(p, "definition"), "definition");
      const destinations: Destination[] = [];
      for (const state of objects(definition)) {
        if (state.Resource !== "arn:aws:states:::http:invoke") continue;
        const params = (state.Parameters ?? state.Arguments) as Props | undefined;
        destinations.push(urlDest("http:invoke task", str(params?.ApiEndpoint)));
      }
      return destinations.length > 0 ? { sender: true, destinations } : undefined;
    },
  },
  {
    type: "aws:apigateway/integration:Integration",
    service: "API Gateway (REST)",
    egress: "type HTTP or HTTP_PROXY: requests are forwarded to the uri",
    reads: ["type", "uri"],
    test: "API Gateway v1 HTTP integration",
    read: (p, ctx) => {
      const type = str(ctx.get(p, "type"))?.toUpperCase();
      return type === "HTTP" || type === "HTTP_PROXY" ? { sender: true, destinations: [urlDest("integration uri", str(ctx.get(p, "uri")))] } : undefined;
    },
  },
  {
    type: "aws:apigatewayv2/integration:Integration",
    service: "API Gateway (HTTP/WebSocket)",
    egress: "integrationType HTTP or HTTP_PROXY with a URL (not a VPC link's load balancer ARN)",
    reads: ["integrationType", "integrationUri"],
    test: "API Gateway v2 HTTP integration",
    read: (p, ctx) => {
      const type = str(ctx.get(p, "integrationType"))?.toUpperCase();
      if (type !== "HTTP" && type !== "HTTP_PROXY") return undefined;
      const uri = str(ctx.get(p, "integrationUri"));
      if (uri !== undefined && uri.startsWith("arn:")) return undefined;
      return { sender: true, destinations: [urlDest("integration uri", uri)] };
    },
  },
  {
    type: "aws:transfer/connector:Connector",
    service: "Transfer Family",
    egress: "always: an SFTP or AS2 connector sends files to its url",
    reads: ["url"],
    test: "Transfer Family connector",
    read: (p, ctx) => ({ sender: true, destinations: [urlDest("connector url", str(ctx.get(p, "url")))] }),
  },
  {
    type: "aws:dms/endpoint:Endpoint",
    service: "Database Migration Service",
    egress: "a target endpoint with a serverName (a database outside AWS's managed targets)",
    reads: ["endpointType", "serverName", "engineName"],
    test: "DMS target endpoint",
    read: (p, ctx) => {
      if (str(ctx.get(p, "endpointType"))?.toLowerCase() !== "target") return undefined;
      const server = str(ctx.get(p, "serverName"));
      if (server === undefined) return undefined;
      return { sender: true, destinations: [{ via: `${str(ctx.get(p, "engineName")) ?? "database"} target`, host: server.toLowerCase() }] };
    },
  },
  {
    type: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    service: "CloudWatch Logs",
    egress: "a destinationArn in another account",
    reads: ["destinationArn"],
    test: "cross-account log subscription filter",
    read: (p, ctx) => toForeignArn(p, ctx, "destinationArn", "log destination"),
  },
  {
    type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    service: "S3",
    egress: "a rule whose destination names another account, or a bucket the stack does not create",
    reads: ["rules[].destination.account", "rules[].destination.bucket"],
    test: "S3 replication to another account",
    read: (p, ctx) => {
      const rules = ctx.get(p, "rules");
      const accounts = new Set<string>();
      (Array.isArray(rules) ? rules : []).forEach((rule) => {
        const account = str(ctx.peek({ rule }, "rule.destination.account"));
        const bucket = str(ctx.peek({ rule }, "rule.destination.bucket"));
        if (account !== undefined && !ctx.ownAccounts.has(account)) accounts.add(account);
        else if (account === undefined && foreignBucket(ctx, bucket)) accounts.add(arnAccount(bucket!) ?? "unknown");
      });
      return accounts.size > 0 ? { sender: true, destinations: [...accounts].sort().map((account) => ({ via: "replication", account })) } : undefined;
    },
  },
  {
    type: "aws:iot/topicRule:TopicRule",
    service: "IoT Core",
    egress: "an https action (or error action): messages are posted to its url",
    reads: ["https[].url", "errorAction.https.url"],
    test: "IoT topic rule https action",
    read: (p, ctx) => {
      const actions = ctx.get(p, "https");
      const destinations = (Array.isArray(actions) ? actions : []).map((a) => urlDest("https action", str(ctx.get({ a }, "a.url"))));
      const onError = ctx.get(p, "errorAction.https");
      if (onError) destinations.push(urlDest("https error action", str(ctx.get(p, "errorAction.https.url"))));
      return destinations.length > 0 ? { sender: true, destinations } : undefined;
    },
  },
  {
    type: "aws:appsync/dataSource:DataSource",
    service: "AppSync",
    egress: "type HTTP: resolvers call httpConfig.endpoint",
    reads: ["type", "httpConfig.endpoint"],
    test: "AppSync HTTP data source",
    read: (p, ctx) =>
      str(ctx.get(p, "type"))?.toUpperCase() === "HTTP" ? { sender: true, destinations: [urlDest("HTTP data source", str(ctx.get(p, "httpConfig.endpoint")))] } : undefined,
  },
  {
    type: "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
    service: "Chatbot",
    egress: "always: notifications are posted to a Slack channel",
    reads: ["slackTeamId", "slackChannelId"],
    test: "Chatbot Slack channel",
    read: () => ({ sender: true, destinations: [{ via: "Slack channel", host: "slack.com" }] }),
  },
  {
    type: "aws:datasync/locationAzureBlob:LocationAzureBlob",
    service: "DataSync",
    egress: "always: tasks copy data to the Azure Blob containerUrl",
    reads: ["containerUrl"],
    test: "DataSync Azure Blob location",
    read: (p, ctx) => ({ sender: true, destinations: [urlDest("Azure Blob container", str(ctx.get(p, "containerUrl")))] }),
  },
  {
    type: "aws:oam/link:Link",
    service: "CloudWatch Observability Access Manager",
    egress: "a sinkIdentifier in another account: logs, metrics and traces are shared with it",
    reads: ["sinkIdentifier"],
    test: "OAM link",
    read: (p, ctx) => toForeignArn(p, ctx, "sinkIdentifier", "monitoring sink"),
  },
  {
    type: "aws:cloudwatch/eventBusPolicy:EventBusPolicy",
    service: "EventBridge",
    egress: "a policy statement whose AWS principal is another account or anyone (*)",
    reads: ["policy"],
    test: "event bus policy granting another account",
    read: (p, ctx) => {
      const doc = parseJson(ctx.get(p, "policy"), "policy") as Props | undefined;
      const statements = doc?.Statement;
      const accounts = (Array.isArray(statements) ? statements : statements ? [statements] : []).flatMap((s: Props) =>
        s?.Effect === "Allow" ? principalAccounts(ctx, s.Principal) : [],
      );
      const unique = [...new Set(accounts)].sort();
      return unique.length > 0 ? { sender: false, destinations: unique.map((account) => ({ via: "bus policy", account })) } : undefined;
    },
  },
  {
    type: "aws:cloudwatch/eventPermission:EventPermission",
    service: "EventBridge",
    egress: "a principal that is another account or anyone (*)",
    reads: ["principal"],
    test: "event bus permission for another account",
    read: (p, ctx) => {
      const accounts = principalAccounts(ctx, str(ctx.get(p, "principal")));
      return accounts.length > 0 ? { sender: false, destinations: accounts.map((account) => ({ via: "bus permission", account })) } : undefined;
    },
  },
  {
    type: "aws:lambda/function:Function",
    service: "Lambda",
    egress: "an environment variable holding an http(s) URL outside AWS (the code is arbitrary; this is the part that can be seen)",
    reads: ["environment.variables"],
    test: "Lambda function with an external URL",
    read: (p, ctx) => {
      const vars = ctx.get(p, "environment.variables");
      if (!vars || typeof vars !== "object") return undefined;
      const destinations: Destination[] = [];
      for (const key of Object.keys(vars).sort()) {
        const value = str(ctx.get(vars as Props, key));
        if (value === undefined || !/^https?:\/\//i.test(value)) continue;
        let host = "";
        try {
          host = new URL(value).hostname;
        } catch {
          // unparsable: judged as a URL below, and refused there
        }
        if (!AWS_HOST.test(host)) destinations.push({ via: `environment ${key}`, url: value });
      }
      return destinations.length > 0 ? { sender: true, destinations } : undefined;
    },
  },
];

/** What an EventBridge target forwards: its input paths, one inputPath, nothing (a constant), or null for whole events. */
function targetForwards(p: Props, ctx: ReadContext): string[] | null {
  const paths = ctx.get(p, "inputTransformer.inputPaths");
  if (paths && typeof paths === "object") {
    return Object.keys(paths)
      .map((k) => str(ctx.get(paths as Props, k)))
      .filter((v): v is string => v !== undefined)
      .sort();
  }
  if (ctx.get(p, "inputTransformer")) return [];
  const inputPath = str(ctx.get(p, "inputPath"));
  if (inputPath !== undefined) return [inputPath];
  if (str(ctx.get(p, "input")) !== undefined) return [];
  return null;
}

export const catalogueByType: ReadonlyMap<string, CatalogueEntry> = new Map(catalogue.map((e) => [e.type, e]));
