import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Integration, type IntegrationArgs } from "../../src/components/integration.ts";
import { egressKinds } from "../../src/stack/egress.ts";
import { GATE_RULE } from "../../src/plan/plan.ts";
import { judge } from "./helpers.ts";

/*
 * VG010 on real @pulumi/aws resources under plan's mocks: every egress-capable type, created once
 * with no Integration among its parents (one VG010 naming it) and once as an Integration's child
 * (nothing), plus look-alikes of each type that keep data in the account (nothing either way).
 */

const ROLE = "arn:aws:iam::123456789012:role/delivery";
const VENDOR_URL = "https://api-eu.mixpanel.com/track";
const API_DESTINATION_ARN = "arn:aws:events:eu-west-1:123456789012:api-destination/vendor/0f1e2d3c";

type Make = (name: string, opts: pulumi.CustomResourceOptions) => void;

const firehose = (destination: string, config: Record<string, unknown>): Make => (name, opts) =>
  new aws.kinesis.FirehoseDeliveryStream(name, { destination, ...config }, opts);

const egress: Record<string, Make> = {
  "EventBridge API destination": (name, opts) => {
    const connection = new aws.cloudwatch.EventConnection(`${name}-conn`, { authorizationType: "API_KEY", authParameters: { apiKey: { key: "Authorization", value: pulumi.secret("k") } } }, opts);
    new aws.cloudwatch.EventApiDestination(name, { invocationEndpoint: VENDOR_URL, httpMethod: "POST", connectionArn: connection.arn }, opts);
  },
  "EventBridge connection": (name, opts) =>
    new aws.cloudwatch.EventConnection(name, { authorizationType: "BASIC", authParameters: { basic: { username: "u", password: pulumi.secret("p") } } }, opts),
  "EventBridge target to an API destination": (name, opts) => new aws.cloudwatch.EventTarget(name, { rule: "r", arn: API_DESTINATION_ARN, roleArn: ROLE }, opts),
  "Firehose to an HTTP endpoint": firehose("http_endpoint", { httpEndpointConfiguration: { url: VENDOR_URL, roleArn: ROLE, s3Configuration: { roleArn: ROLE, bucketArn: "arn:aws:s3:::b" } } }),
  "Firehose to Splunk": firehose("splunk", { splunkConfiguration: { hecEndpoint: "https://http-inputs-acme.splunkcloud.com", s3Configuration: { roleArn: ROLE, bucketArn: "arn:aws:s3:::b" } } }),
  "Firehose to Snowflake": firehose("snowflake", {
    snowflakeConfiguration: { accountUrl: "https://acme.snowflakecomputing.com", database: "d", schema: "s", table: "t", user: "u", roleArn: ROLE, s3Configuration: { roleArn: ROLE, bucketArn: "arn:aws:s3:::b" } },
  }),
  "SNS https subscription": (name, opts) => new aws.sns.TopicSubscription(name, { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "https", endpoint: VENDOR_URL }, opts),
  "SNS http subscription": (name, opts) => new aws.sns.TopicSubscription(name, { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "http", endpoint: "http://api-eu.mixpanel.com/track" }, opts),
  "Pipe to an API destination": (name, opts) => new aws.pipes.Pipe(name, { roleArn: ROLE, source: "arn:aws:sqs:eu-west-1:123456789012:q", target: API_DESTINATION_ARN }, opts),
  "AppFlow flow to a SaaS connector": (name, opts) =>
    new aws.appflow.Flow(
      name,
      {
        sourceFlowConfig: { connectorType: "S3", sourceConnectorProperties: { s3: { bucketName: "b", bucketPrefix: "p" } } },
        destinationFlowConfigs: [{ connectorType: "Salesforce", connectorProfileName: "acme", destinationConnectorProperties: { salesforce: { object: "Contact" } } }],
        tasks: [{ taskType: "Map_all", sourceFields: [], connectorOperators: [{ s3: "NO_OP" }] }],
        triggerConfig: { triggerType: "OnDemand" },
      },
      opts,
    ),
};

const staysInAccount: Record<string, Make> = {
  "EventBridge target to a queue": (name, opts) => new aws.cloudwatch.EventTarget(name, { rule: "r", arn: "arn:aws:sqs:eu-west-1:123456789012:q" }, opts),
  "Firehose to S3": firehose("extended_s3", { extendedS3Configuration: { roleArn: ROLE, bucketArn: "arn:aws:s3:::b" } }),
  "SNS subscription to SQS": (name, opts) => new aws.sns.TopicSubscription(name, { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "sqs", endpoint: "arn:aws:sqs:eu-west-1:123456789012:q" }, opts),
  "Pipe to a queue": (name, opts) => new aws.pipes.Pipe(name, { roleArn: ROLE, source: "arn:aws:sqs:eu-west-1:123456789012:a", target: "arn:aws:sqs:eu-west-1:123456789012:b" }, opts),
  "AppFlow flow to S3": (name, opts) =>
    new aws.appflow.Flow(
      name,
      {
        sourceFlowConfig: { connectorType: "Salesforce", connectorProfileName: "acme", sourceConnectorProperties: { salesforce: { object: "Contact" } } },
        destinationFlowConfigs: [{ connectorType: "S3", destinationConnectorProperties: { s3: { bucketName: "b" } } }],
        tasks: [{ taskType: "Map_all", sourceFields: [], connectorOperators: [{ salesforce: "NO_OP" }] }],
        triggerConfig: { triggerType: "OnDemand" },
      },
      opts,
    ),
};

const declaration = (url: pulumi.Input<string> = VENDOR_URL): IntegrationArgs => ({
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url, region: "eu" },
  credentials: { value: pulumi.secret("k") },
  fields: [{ path: "properties.os", category: "user.device" }],
});

const rules = (violations: readonly { rule: string }[]) => violations.map((v) => v.rule).sort();

describe("VG010 undeclared egress, under mocks", () => {
  it("covers every egress kind the policy knows", async () => {
    // A kind added to egress.ts without a case here would go untested.
    const types = new Set<string>();
    for (const make of Object.values(egress)) for (const e of (await judge(() => make("x", {}))).egress) types.add(e.type);
    expect([...types].sort()).toEqual(Object.keys(egressKinds).sort());
  });

  it.each(Object.entries(egress))("%s without an Integration parent is VG010, naming the resource", async (_what, make) => {
    const { report, egress: found } = await judge(() => make("stray", {}));
    const vg010 = report.violations.filter((v) => v.rule === "VG010");
    expect(vg010.length).toBeGreaterThan(0);
    // Every egress resource the program made is named by one VG010, and nothing else fires.
    expect(vg010.map((v) => v.resource).sort()).toEqual(found.map((e) => e.urn).sort());
    expect(rules(report.violations).every((r) => r === "VG010")).toBe(true);
    for (const v of vg010) expect(v.message).toContain(v.integration);
  });

  it.each(Object.entries(egress))("%s owned by an Integration yields nothing", async (_what, make) => {
    const { report, egress: found } = await judge(() => {
      const integration = new Integration("analytics", declaration(VENDOR_URL));
      make("owned", { parent: integration });
    });
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((e) => e.integration === "analytics")).toBe(true);
    expect(report.violations.filter((v) => v.severity === "mandatory" && v.rule !== "VG008")).toEqual([]);
  });

  it.each(Object.entries(staysInAccount))("%s is not egress, owned or not", async (_what, make) => {
    const { report, egress: found } = await judge(() => make("internal", {}));
    expect(found).toEqual([]);
    expect(report.violations).toEqual([]);
  });

  it("finds an Integration further up the parent chain", async () => {
    const { report } = await judge(() => {
      const integration = new Integration("analytics", declaration());
      const group = new pulumi.ComponentResource("acme:index:Delivery", "delivery", {}, { parent: integration });
      egress["SNS https subscription"]!("deep", { parent: group });
    });
    expect(report.violations).toEqual([]);
  });

  it("a component that is not an Integration does not own egress", async () => {
    const { report } = await judge(() => {
      const group = new pulumi.ComponentResource("acme:index:Delivery", "delivery", {});
      egress["SNS https subscription"]!("hidden", { parent: group });
    });
    expect(rules(report.violations)).toEqual(["VG010"]);
  });
});

describe("VG008 for owned egress", () => {
  it("fires when an owned resource sends to another host than the declared destination", async () => {
    const { report } = await judge(() => {
      const integration = new Integration("analytics", declaration());
      new aws.sns.TopicSubscription("elsewhere", { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "https", endpoint: "https://collector.example.com/in" }, { parent: integration });
    });
    expect(report.violations.map((v) => [v.rule, v.integration])).toEqual([["VG008", "analytics"]]);
    expect(report.violations[0]!.message).toContain("collector.example.com");
  });

  it("does not fire for another path on the same host", async () => {
    const { report } = await judge(() => {
      const integration = new Integration("analytics", declaration());
      new aws.sns.TopicSubscription("same-host", { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "https", endpoint: "https://api-eu.mixpanel.com/engage" }, { parent: integration });
    });
    expect(report.violations).toEqual([]);
  });
});

describe("values unknown until the deploy", () => {
  it("block an owned resource whose endpoint the mocks cannot know, naming the input", async () => {
    const { report } = await judge(() => {
      const integration = new Integration("analytics", declaration());
      // A bucket's website endpoint is filled in by the provider; the mocks leave it unknown.
      const bucket = new aws.s3.Bucket("site", {});
      new aws.sns.TopicSubscription("computed", { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "https", endpoint: pulumi.interpolate`https://${bucket.bucketDomainName}/hook` }, { parent: integration });
    });
    const gate = report.violations.filter((v) => v.rule === GATE_RULE);
    expect(gate).toHaveLength(1);
    expect(gate[0]!.severity).toBe("mandatory");
    expect(gate[0]!.message).toMatch(/endpoint is not known until the deploy runs/);
  });

  it("block an integration whose declaration the mocks cannot know, naming the input", async () => {
    const { report } = await judge(() => {
      const bucket = new aws.s3.Bucket("site", {});
      new Integration("analytics", declaration(pulumi.interpolate`https://${bucket.bucketDomainName}/track`));
    });
    expect(report.violations.map((v) => [v.rule, v.integration])).toEqual([[GATE_RULE, "analytics"]]);
    expect(report.violations[0]!.message).toMatch(/input destination\.url is not known until the deploy runs/);
  });
});

describe("what the program does", () => {
  it("is judged even when it creates a resource inside an apply", async () => {
    const { report } = await judge(() => {
      pulumi.output("https://collector.example.com/in").apply((endpoint) => new aws.sns.TopicSubscription("late", { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "https", endpoint }));
    });
    expect(rules(report.violations)).toEqual(["VG010"]);
  });

  it("fails on two resources with the same URN, as the engine would, instead of judging one of them", async () => {
    await expect(
      judge(() => {
        new Integration("analytics", declaration());
        new Integration("analytics", { ...declaration(), vendor: "unknown-vendor" });
      }),
    ).rejects.toThrow(/duplicate resource URN .*Integration::analytics/);
  });
});
