import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildInputTransformer, type InputTransformer } from "./transformer.ts";

/*
 * The AWS resources that carry one declared flow out of the account: the application publishes
 * events to a bus, a rule picks the flow's events, and a target sends them to an API destination
 * at the declared URL, through a connection holding the vendor credential. The target's input
 * transformer forwards the declared fields and nothing else, so what leaves AWS is what the
 * declaration says. Every resource is a child of the Integration, so the policy knows who owns it.
 */

export interface EventBridgeEgressArgs {
  /** The bus the application publishes to; default: the account's default bus. */
  eventBusName?: pulumi.Input<string>;
  /** The events that carry this flow: an EventBridge event pattern (object or JSON text). */
  eventPattern: Record<string, unknown> | pulumi.Input<string>;
  /**
   * Where each declared field sits in the event, when not at `$.detail.<path>` (JSONPath, dot
   * notation). Needed for payload keys EventBridge cannot address, such as Mixpanel's `$os`.
   */
  source?: Record<string, string>;
  /** The HTTP header that carries the credential. Default: Authorization. */
  apiKeyHeader?: string;
  /** Requests per second the vendor accepts (EventBridge's default when absent). */
  rateLimitPerSecond?: number;
}

export interface EventBridgeEgress {
  connection: aws.cloudwatch.EventConnection;
  apiDestination: aws.cloudwatch.EventApiDestination;
  rule: aws.cloudwatch.EventRule;
  role: aws.iam.Role;
  rolePolicy: aws.iam.RolePolicy;
  target: aws.cloudwatch.EventTarget;
  transformer: InputTransformer;
}

export interface EventBridgeFlow {
  name: string;
  url: pulumi.Input<string>;
  fields: readonly { path: string }[];
  credential: pulumi.Input<string>;
}

/** Creates the pipeline as children of `parent`. Throws TransformerError for a field it cannot forward. */
export function createEventBridgeEgress(parent: pulumi.ComponentResource, flow: EventBridgeFlow, args: EventBridgeEgressArgs): EventBridgeEgress {
  const transformer = buildInputTransformer(flow.fields, args.source);
  const opts = { parent };
  const { name } = flow;
  const bus = args.eventBusName !== undefined ? { eventBusName: args.eventBusName } : {};

  const connection = new aws.cloudwatch.EventConnection(
    `${name}-connection`,
    {
      description: `vendorgate integration ${name}: vendor credential`,
      authorizationType: "API_KEY",
      authParameters: {
        // Wrapped as a secret whatever the program passed: the state must never hold it in plain
        // text. VG011 still reports a credential the program did not keep secret itself.
        apiKey: { key: args.apiKeyHeader ?? "Authorization", value: pulumi.secret(flow.credential) },
      },
    },
    opts,
  );
  const apiDestination = new aws.cloudwatch.EventApiDestination(
    `${name}-destination`,
    {
      description: `vendorgate integration ${name}: the declared destination`,
      invocationEndpoint: flow.url,
      httpMethod: "POST",
      connectionArn: connection.arn,
      ...(args.rateLimitPerSecond !== undefined ? { invocationRateLimitPerSecond: args.rateLimitPerSecond } : {}),
    },
    opts,
  );
  const eventPattern =
    typeof args.eventPattern === "object" && !pulumi.Output.isInstance(args.eventPattern) && !(args.eventPattern instanceof Promise)
      ? JSON.stringify(args.eventPattern)
      : (args.eventPattern as pulumi.Input<string>);
  const rule = new aws.cloudwatch.EventRule(
    `${name}-rule`,
    { description: `vendorgate integration ${name}: the events of this flow`, ...bus, eventPattern },
    opts,
  );
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      description: `vendorgate integration ${name}: lets EventBridge call the API destination`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    },
    opts,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-invoke`,
    {
      role: role.id,
      // This one destination only: the role cannot be reused to send elsewhere.
      policy: apiDestination.arn.apply((arn) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:InvokeApiDestination", Resource: arn }] }),
      ),
    },
    opts,
  );
  const target = new aws.cloudwatch.EventTarget(
    `${name}-target`,
    {
      rule: rule.name,
      ...bus,
      arn: apiDestination.arn,
      roleArn: role.arn,
      inputTransformer: { inputPaths: transformer.inputPaths, inputTemplate: transformer.inputTemplate },
    },
    { parent, dependsOn: [rolePolicy] },
  );
  return { connection, apiDestination, rule, role, rolePolicy, target, transformer };
}
