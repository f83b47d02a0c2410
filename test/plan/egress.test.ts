import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPolicyContext, type PolicyContext } from "../../src/policy/context.ts";
import { Integration, type IntegrationArgs } from "../../src/components/integration.ts";
import { GATE_RULE, judgeProgram, type JudgedProgram } from "../../src/plan/plan.ts";
import { catalogue } from "../../src/stack/egress-catalogue.ts";
import { egressDocPath, renderEgressDoc } from "../../scripts/generate-egress-doc.ts";
import { NOW } from "./helpers.ts";

/*
 * The egress catalogue (src/stack/egress-catalogue.ts) on real @pulumi/aws resources under plan's
 * mocks. Each entry has one case here, named by the entry's `test`:
 * - unowned: caught, one VG010 naming each egress resource and nothing else;
 * - owned by an Integration that declares where it sends: nothing at all;
 * - owned by the Mixpanel Integration but sending elsewhere (another host, plain http, another
 *   account, a SaaS service): VG008 naming the resource.
 * Look-alikes that keep data in the account are no egress, owned or not.
 */

const ROLE = "arn:aws:iam::123456789012:role/delivery";
const OWN = "123456789012";
const PARTNER = "222233334444"; // registered for the vendor "partner"
const STRANGER = "999988887777"; // registered for nobody
const MIXPANEL_URL = "https://api-eu.mixpanel.com/track";
const ELSEWHERE = "https://collector.example.com/in";
const apiDestinationArn = (account: string) => `arn:aws:events:eu-west-1:${account}:api-destination/vendor/0f1e2d3c`;
const S3 = { roleArn: ROLE, bucketArn: "arn:aws:s3:::b" };

type Make = (name: string, opts: pulumi.CustomResourceOptions) => void;
type Vendor = "mixpanel" | "partner" | "slack" | "salesforce" | "azure-blob";

const DECLARED_URL: Record<Vendor, string> = {
  mixpanel: MIXPANEL_URL,
  partner: "https://ingest.partner.example/v1",
  slack: "https://hooks.slack.com/services",
  salesforce: "https://acme.my.salesforce.com/services",
  "azure-blob": "https://acme.blob.core.windows.net/exports",
};

interface Case {
  /** Sends out, unowned: VG010. */
  unowned: Make;
  /** Sends where `vendor`'s declaration says: nothing. */
  owned: { vendor: Vendor; make: Make };
  /** Owned by the Mixpanel declaration, sends elsewhere: VG008 on the resource; null when the type has no destination of its own. */
  elsewhere: Make | null;
}

const sns = (protocol: string, endpoint: string): Make => (name, opts) =>
  new aws.sns.TopicSubscription(name, { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol, endpoint }, opts);
const firehose = (destination: string, config: Record<string, unknown>): Make => (name, opts) =>
  new aws.kinesis.FirehoseDeliveryStream(name, { destination, ...config }, opts);
const firehoseHttp = (url: string) => firehose("http_endpoint", { httpEndpointConfiguration: { url, roleArn: ROLE, s3Configuration: S3 } });
const target = (arn: string, forwards: boolean): Make => (name, opts) =>
  new aws.cloudwatch.EventTarget(
    name,
    { rule: "r", arn, roleArn: ROLE, ...(forwards ? { inputTransformer: { inputPaths: { f0: "$.detail.properties.os" }, inputTemplate: '{"properties":{"os":<f0>}}' } } : {}) },
    opts,
  );
const pipe = (target: string, enrichment?: string): Make => (name, opts) =>
  new aws.pipes.Pipe(name, { roleArn: ROLE, source: "arn:aws:sqs:eu-west-1:123456789012:q", target, ...(enrichment ? { enrichment } : {}) }, opts);
const appflow = (connectorType: string): Make => (name, opts) =>
  new aws.appflow.Flow(
    name,
    {
      sourceFlowConfig: { connectorType: "S3", sourceConnectorProperties: { s3: { bucketName: "b", bucketPrefix: "p" } } },
      destinationFlowConfigs: [{ connectorType, connectorProfileName: "acme", destinationConnectorProperties: { salesforce: { object: "Contact" } } }],
      tasks: [{ taskType: "Map_all", sourceFields: [], connectorOperators: [{ s3: "NO_OP" }] }],
      triggerConfig: { triggerType: "OnDemand" },
    },
    opts,
  );
const stateMachine = (endpoint: string): Make => (name, opts) =>
  new aws.sfn.StateMachine(
    name,
    {
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: "Fan",
        States: {
          Fan: {
            Type: "Parallel",
            End: true,
            Branches: [{ StartAt: "Send", States: { Send: { Type: "Task", Resource: "arn:aws:states:::http:invoke", Parameters: { ApiEndpoint: endpoint, Method: "POST" }, End: true } } }],
          },
        },
      }),
    },
    opts,
  );
const restIntegration = (uri: string): Make => (name, opts) =>
  new aws.apigateway.Integration(name, { restApi: "api", resourceId: "res", httpMethod: "POST", type: "HTTP_PROXY", integrationHttpMethod: "POST", uri }, opts);
const httpIntegration = (integrationUri: string): Make => (name, opts) =>
  new aws.apigatewayv2.Integration(name, { apiId: "api", integrationType: "HTTP_PROXY", integrationMethod: "POST", integrationUri }, opts);
const connector = (url: string): Make => (name, opts) => new aws.transfer.Connector(name, { accessRole: ROLE, url, sftpConfig: { userSecretId: "s", trustedHostKeys: ["k"] } }, opts);
const dms = (serverName: string): Make => (name, opts) =>
  new aws.dms.Endpoint(name, { endpointId: name, endpointType: "target", engineName: "postgres", serverName, port: 5432, databaseName: "d", username: "u" }, opts);
const logFilter = (account: string): Make => (name, opts) =>
  new aws.cloudwatch.LogSubscriptionFilter(name, { logGroup: "app", filterPattern: "", destinationArn: `arn:aws:logs:eu-west-1:${account}:destination:central` }, opts);
const replication = (account: string): Make => (name, opts) =>
  new aws.s3.BucketReplicationConfig(
    name,
    { bucket: "source", role: ROLE, rules: [{ id: "all", status: "Enabled", destination: { bucket: "arn:aws:s3:::replica", account } }] },
    opts,
  );
const topicRule = (url: string): Make => (name, opts) =>
  new aws.iot.TopicRule(name, { enabled: true, sql: "SELECT * FROM 'events'", sqlVersion: "2016-03-23", https: [{ url }] }, opts);
const dataSource = (endpoint: string): Make => (name, opts) => new aws.appsync.DataSource(name, { apiId: "api", type: "HTTP", httpConfig: { endpoint } }, opts);
const slack: Make = (name, opts) =>
  new aws.chatbot.SlackChannelConfiguration(name, { configurationName: name, iamRoleArn: ROLE, slackChannelId: "C0123", slackTeamId: "T0123" }, opts);
const azureBlob = (containerUrl: string): Make => (name, opts) =>
  new aws.datasync.LocationAzureBlob(name, { agentArns: ["arn:aws:datasync:eu-west-1:123456789012:agent/a"], authenticationType: "SAS", containerUrl, sasConfiguration: { token: pulumi.secret("sas") } }, opts);
const oamLink = (account: string): Make => (name, opts) =>
  new aws.oam.Link(name, { labelTemplate: "$AccountName", resourceTypes: ["AWS::Logs::LogGroup"], sinkIdentifier: `arn:aws:oam:eu-west-1:${account}:sink/abc` }, opts);
const busPolicy = (principal: string): Make => (name, opts) =>
  new aws.cloudwatch.EventBusPolicy(
    name,
    { eventBusName: "default", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "s", Effect: "Allow", Principal: { AWS: principal }, Action: "events:PutRule", Resource: "*" }] }) },
    opts,
  );
const busPermission = (principal: string): Make => (name, opts) => new aws.cloudwatch.EventPermission(name, { principal, statementId: "share" }, opts);
const lambda = (url: string): Make => (name, opts) =>
  new aws.lambda.Function(
    name,
    { role: ROLE, imageUri: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1", packageType: "Image", environment: { variables: { WEBHOOK_URL: url, REGION: "eu-west-1" } } },
    opts,
  );

const cases: Record<string, Case> = {
  "EventBridge API destination": {
    unowned: (name, opts) => new aws.cloudwatch.EventApiDestination(name, { invocationEndpoint: MIXPANEL_URL, httpMethod: "POST", connectionArn: "arn:aws:events:eu-west-1:123456789012:connection/c/1" }, opts),
    owned: { vendor: "mixpanel", make: (name, opts) => new aws.cloudwatch.EventApiDestination(name, { invocationEndpoint: MIXPANEL_URL, httpMethod: "POST", connectionArn: "arn:aws:events:eu-west-1:123456789012:connection/c/1" }, opts) },
    elsewhere: (name, opts) => new aws.cloudwatch.EventApiDestination(name, { invocationEndpoint: ELSEWHERE, httpMethod: "POST", connectionArn: "arn:aws:events:eu-west-1:123456789012:connection/c/1" }, opts),
  },
  "EventBridge connection": {
    unowned: (name, opts) => new aws.cloudwatch.EventConnection(name, { authorizationType: "BASIC", authParameters: { basic: { username: "u", password: pulumi.secret("p") } } }, opts),
    owned: { vendor: "mixpanel", make: (name, opts) => new aws.cloudwatch.EventConnection(name, { authorizationType: "BASIC", authParameters: { basic: { username: "u", password: pulumi.secret("p") } } }, opts) },
    // It holds a credential and names no destination: what it authorises is judged at the API destination.
    elsewhere: null,
  },
  "EventBridge target": {
    unowned: target(apiDestinationArn(OWN), true),
    owned: { vendor: "partner", make: target(`arn:aws:events:eu-west-1:${PARTNER}:event-bus/partner-bus`, true) },
    elsewhere: target(apiDestinationArn(STRANGER), true),
  },
  Firehose: {
    unowned: firehoseHttp(MIXPANEL_URL),
    owned: { vendor: "mixpanel", make: firehoseHttp(MIXPANEL_URL) },
    elsewhere: firehoseHttp(ELSEWHERE),
  },
  "SNS subscription": {
    unowned: sns("https", MIXPANEL_URL),
    owned: { vendor: "mixpanel", make: sns("https", MIXPANEL_URL) },
    // The case: plain http to the vendor's own host.
    elsewhere: sns("http", "http://api-eu.mixpanel.com/track"),
  },
  Pipe: {
    unowned: pipe(apiDestinationArn(OWN)),
    owned: { vendor: "mixpanel", make: pipe(apiDestinationArn(OWN)) },
    // The case: an enrichment calling another account's API destination.
    elsewhere: pipe("arn:aws:sqs:eu-west-1:123456789012:out", apiDestinationArn(STRANGER)),
  },
  "AppFlow flow": {
    unowned: appflow("Salesforce"),
    owned: { vendor: "salesforce", make: appflow("Salesforce") },
    // The case: a flow to Salesforce under the Mixpanel integration.
    elsewhere: appflow("Salesforce"),
  },
  "Step Functions HTTP task": { unowned: stateMachine(MIXPANEL_URL), owned: { vendor: "mixpanel", make: stateMachine(MIXPANEL_URL) }, elsewhere: stateMachine(ELSEWHERE) },
  "API Gateway v1 HTTP integration": { unowned: restIntegration(MIXPANEL_URL), owned: { vendor: "mixpanel", make: restIntegration(MIXPANEL_URL) }, elsewhere: restIntegration(ELSEWHERE) },
  "API Gateway v2 HTTP integration": { unowned: httpIntegration(MIXPANEL_URL), owned: { vendor: "mixpanel", make: httpIntegration(MIXPANEL_URL) }, elsewhere: httpIntegration(ELSEWHERE) },
  "Transfer Family connector": {
    unowned: connector("sftp://sftp.partner.example"),
    owned: { vendor: "partner", make: connector("sftp://sftp.partner.example") },
    elsewhere: connector("sftp://files.example.com"),
  },
  "DMS target endpoint": { unowned: dms("db.partner.example"), owned: { vendor: "partner", make: dms("db.partner.example") }, elsewhere: dms("db.example.com") },
  "cross-account log subscription filter": { unowned: logFilter(PARTNER), owned: { vendor: "partner", make: logFilter(PARTNER) }, elsewhere: logFilter(STRANGER) },
  "S3 replication to another account": { unowned: replication(PARTNER), owned: { vendor: "partner", make: replication(PARTNER) }, elsewhere: replication(STRANGER) },
  "IoT topic rule https action": { unowned: topicRule(MIXPANEL_URL), owned: { vendor: "mixpanel", make: topicRule(MIXPANEL_URL) }, elsewhere: topicRule(ELSEWHERE) },
  "AppSync HTTP data source": { unowned: dataSource(MIXPANEL_URL), owned: { vendor: "mixpanel", make: dataSource(MIXPANEL_URL) }, elsewhere: dataSource(ELSEWHERE) },
  "Chatbot Slack channel": { unowned: slack, owned: { vendor: "slack", make: slack }, elsewhere: slack },
  "DataSync Azure Blob location": {
    unowned: azureBlob(DECLARED_URL["azure-blob"]),
    owned: { vendor: "azure-blob", make: azureBlob(DECLARED_URL["azure-blob"]) },
    elsewhere: azureBlob("https://attacker.blob.core.windows.net.example.com/x"),
  },
  "OAM link": { unowned: oamLink(PARTNER), owned: { vendor: "partner", make: oamLink(PARTNER) }, elsewhere: oamLink(STRANGER) },
  "event bus policy granting another account": {
    unowned: busPolicy(`arn:aws:iam::${PARTNER}:root`),
    owned: { vendor: "partner", make: busPolicy(`arn:aws:iam::${PARTNER}:root`) },
    elsewhere: busPolicy("*"),
  },
  "event bus permission for another account": { unowned: busPermission(PARTNER), owned: { vendor: "partner", make: busPermission(PARTNER) }, elsewhere: busPermission(STRANGER) },
  "Lambda function with an external URL": { unowned: lambda(MIXPANEL_URL), owned: { vendor: "mixpanel", make: lambda(MIXPANEL_URL) }, elsewhere: lambda(ELSEWHERE) },
};

/** Further shapes of the same types that send out, each caught unowned. */
const alsoEgress: Record<string, Make> = {
  "EventBridge target to another account's bus": target(`arn:aws:events:eu-west-1:${STRANGER}:event-bus/default`, false),
  "EventBridge target to API Gateway": target("arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/events", false),
  "Firehose to Splunk": firehose("splunk", { splunkConfiguration: { hecEndpoint: "https://http-inputs-acme.splunkcloud.com", s3Configuration: S3 } }),
  "Firehose to Snowflake": firehose("snowflake", {
    snowflakeConfiguration: { accountUrl: "https://acme.snowflakecomputing.com", database: "d", schema: "s", table: "t", user: "u", roleArn: ROLE, s3Configuration: S3 },
  }),
  "Firehose to a bucket the stack does not create": firehose("extended_s3", { extendedS3Configuration: { roleArn: ROLE, bucketArn: "arn:aws:s3:::partner-landing" } }),
  "SNS email subscription": sns("email", "ops@example.com"),
  "SNS email-json subscription": sns("email-json", "ops@example.com"),
  "SNS sms subscription": sns("sms", "+15555550100"),
  "SNS sqs subscription in another account": sns("sqs", `arn:aws:sqs:eu-west-1:${STRANGER}:q`),
  "SNS lambda subscription in another account": sns("lambda", `arn:aws:lambda:eu-west-1:${STRANGER}:function:f`),
  "SNS firehose subscription in another account": sns("firehose", `arn:aws:firehose:eu-west-1:${STRANGER}:deliverystream/s`),
  "Pipe whose enrichment is an API destination": pipe("arn:aws:sqs:eu-west-1:123456789012:out", apiDestinationArn(OWN)),
  "Pipe to another account": pipe(`arn:aws:sqs:eu-west-1:${STRANGER}:q`),
  "event bus policy granting anyone": busPolicy("*"),
};

const staysInAccount: Record<string, Make> = {
  "EventBridge target to a queue": target("arn:aws:sqs:eu-west-1:123456789012:q", false),
  "Firehose to a bucket the stack creates": (name, opts) => {
    const bucket = new aws.s3.Bucket("landing", { bucket: "landing" }, opts);
    void bucket;
    firehose("extended_s3", { extendedS3Configuration: { roleArn: ROLE, bucketArn: "arn:aws:s3:::landing" } })(name, opts);
  },
  "SNS subscription to one of the account's queues": sns("sqs", "arn:aws:sqs:eu-west-1:123456789012:q"),
  "Pipe to a queue": pipe("arn:aws:sqs:eu-west-1:123456789012:b"),
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
  "log subscription filter in the account": logFilter(OWN),
  "S3 replication within the account": replication(OWN),
  "OAM link to the account's own sink": oamLink(OWN),
  "event bus permission for the account itself": busPermission(OWN),
  "API Gateway mock integration": (name, opts) => new aws.apigateway.Integration(name, { restApi: "api", resourceId: "r", httpMethod: "GET", type: "MOCK" }, opts),
  "Lambda function calling AWS only": lambda("https://sqs.eu-west-1.amazonaws.com/123456789012/q"),
  "DMS source endpoint": (name, opts) => new aws.dms.Endpoint(name, { endpointId: name, endpointType: "source", engineName: "postgres", serverName: "db.example.com" }, opts),
};

const TOKEN = "vgTEST-token-4f1d9b";
let ctx: PolicyContext;
beforeAll(async () => {
  // The egress registry alone: the exceptions of a vendorgate.yaml found above the working directory
  // would waive nothing here and only add their own findings.
  const loaded = await loadPolicyContext({ registry: join(import.meta.dirname, "..", "fixtures", "plan", "egress", "vendors.yaml"), now: NOW });
  ctx = { ...loaded, exceptions: [] };
});

async function judge(program: () => void): Promise<JudgedProgram> {
  return judgeProgram(ctx, async () => program(), { project: "test", stack: "test", config: { "test:token": TOKEN }, secretKeys: ["test:token"], program: "test-program.ts" });
}

const declaration = (vendor: Vendor): IntegrationArgs => ({
  vendor,
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url: DECLARED_URL[vendor], region: "eu" },
  credentials: { value: new pulumi.Config("test").requireSecret("token") },
  fields: [{ path: "properties.os", category: "user.device" }],
});

const rules = (violations: readonly { rule: string }[]) => violations.map((v) => v.rule).sort();

describe("the egress catalogue", () => {
  it("has one case here for every entry, and the entry's type is what the case creates", { timeout: 180_000 }, async () => {
    expect(Object.keys(cases).sort()).toEqual(catalogue.map((e) => e.test).sort());
    for (const entry of catalogue) {
      const { egress } = await judge(() => cases[entry.test]!.unowned("x", {}));
      expect(egress.map((e) => e.type), entry.test).toContain(entry.type);
    }
  });

  it("docs/egress-catalogue.md is what the catalogue generates, and lists every type with its test", () => {
    const doc = readFileSync(egressDocPath, "utf8");
    expect(doc, "run `node scripts/generate-egress-doc.ts` and commit the result").toBe(renderEgressDoc());
    expect(doc).toMatch(/^<!-- Generated by scripts\/generate-egress-doc\.ts/);
    for (const e of catalogue) expect(doc).toContain(`| \`${e.type}\` |`);
  });

  it("covers more than the seven types VG010 knew before", () => {
    expect(new Set(catalogue.map((e) => e.type)).size).toBe(22);
  });
});

describe.each(catalogue.map((e) => [e.test, e.type] as const))("%s (%s)", (test) => {
  const c = cases[test]!;

  it("is VG010 when no Integration owns it, naming the resource", async () => {
    const { report, egress } = await judge(() => c.unowned("stray", {}));
    const vg010 = report.violations.filter((v) => v.rule === "VG010");
    expect(egress.length).toBeGreaterThan(0);
    expect(vg010.map((v) => v.resource).sort()).toEqual(egress.map((e) => e.urn).sort());
    expect(rules(report.violations).every((r) => r === "VG010")).toBe(true);
    for (const v of vg010) expect(v.message).toContain(v.integration);
  });

  it("passes when owned by an Integration that declares where it sends", async () => {
    const { report, egress } = await judge(() => {
      const integration = new Integration("flow", declaration(c.owned.vendor));
      c.owned.make("owned", { parent: integration });
    });
    expect(egress.every((e) => e.integration === "flow")).toBe(true);
    expect(report.violations).toEqual([]);
  });

  it.runIf(c.elsewhere !== null)("is VG008 when owned but sending where the declaration does not say", async () => {
    const { report, egress } = await judge(() => {
      const integration = new Integration("analytics", declaration("mixpanel"));
      c.elsewhere!("elsewhere", { parent: integration });
    });
    const vg008 = report.violations.filter((v) => v.rule === "VG008");
    expect(vg008.length).toBeGreaterThan(0);
    expect(rules(report.violations).every((r) => r === "VG008")).toBe(true);
    expect(vg008.every((v) => v.integration === "analytics" && egress.some((e) => e.urn === v.resource))).toBe(true);
  });
});

describe("further egress shapes", () => {
  it.each(Object.entries(alsoEgress))("%s is VG010 when unowned", async (_what, make) => {
    const { report, egress } = await judge(() => make("stray", {}));
    expect(egress.length).toBeGreaterThan(0);
    expect(rules(report.violations)).toEqual(egress.map(() => "VG010"));
  });

  it.each(Object.entries(staysInAccount))("%s is not egress, owned or not", async (_what, make) => {
    const { report, egress } = await judge(() => make("internal", {}));
    expect(egress).toEqual([]);
    expect(report.violations).toEqual([]);
  });
});

describe("owned egress is judged against its Integration (the issue's cases)", () => {
  const vg008 = (j: JudgedProgram) => j.report.violations.filter((v) => v.rule === "VG008");

  it("an EventTarget to another account's API destination", async () => {
    const j = await judge(() => target(apiDestinationArn(STRANGER), true)("t", { parent: new Integration("analytics", declaration("mixpanel")) }));
    expect(vg008(j).map((v) => v.message)).toEqual([
      `Resource t of integration analytics delivers data (API destination) to AWS account ${STRANGER}, which is neither the stack's own nor registered for mixpanel.`,
    ]);
  });

  it("a second target forwarding whole events to the integration's own API destination", async () => {
    const j = await judge(() => {
      const integration = new Integration("analytics", declaration("mixpanel"));
      target(apiDestinationArn(OWN), true)("declared", { parent: integration });
      target(apiDestinationArn(OWN), false)("whole-events", { parent: integration });
    });
    const messages = vg008(j).map((v) => v.message);
    expect(messages).toContain("Resource whole-events of integration analytics forwards whole events, not only the declared fields.");
    expect(messages.filter((m) => m.includes("resources of integration analytics that send data (declared, whole-events)"))).toHaveLength(2);
  });

  it("a target forwarding an object of the event the declaration does not read", async () => {
    const j = await judge(() =>
      new aws.cloudwatch.EventTarget(
        "t",
        { rule: "r", arn: apiDestinationArn(OWN), inputTransformer: { inputPaths: { f0: "$.detail" }, inputTemplate: '{"os":<f0>}' } },
        { parent: new Integration("analytics", declaration("mixpanel")) },
      ),
    );
    expect(vg008(j).map((v) => v.message)).toEqual(["Resource t of integration analytics forwards $.detail from each event, which no declared field reads ($.detail.properties.os)."]);
  });

  it("an endpoint with port 99999", async () => {
    const j = await judge(() => sns("https", "https://api-eu.mixpanel.com:99999/track")("s", { parent: new Integration("analytics", declaration("mixpanel")) }));
    expect(vg008(j)).toHaveLength(1);
    expect(vg008(j)[0]!.message).toMatch(/sends data to a URL vendorgate refuses \(subscription endpoint\): it is not a valid URL/);
  });

  it("a non-default port the vendor registers passes; one it does not is VG008", async () => {
    const at = (url: string) => judge(() => sns("https", url)("s", { parent: new Integration("flow", declaration("partner")) }));
    expect((await at("https://ingest.partner.example:8443/v1")).report.violations).toEqual([]);
    expect(vg008(await at("https://ingest.partner.example:9443/v1")).map((v) => v.message)).toEqual([
      "Resource s of integration flow sends data to host ingest.partner.example on port 9443, which partner is not registered to use.",
    ]);
  });

  it("a backslash URL that curl would send to evil.com", async () => {
    const j = await judge(() => sns("https", "https://api.mixpanel.com\\@evil.com/track")("s", { parent: new Integration("analytics", declaration("mixpanel")) }));
    expect(vg008(j)[0]!.message).toMatch(/refuses .*backslash/);
  });

  it("values unknown until the deploy block the resource, naming the input", async () => {
    const { report } = await judge(() => {
      const integration = new Integration("analytics", declaration("mixpanel"));
      // A bucket's domain name is filled in by the provider; the mocks leave it unknown.
      const bucket = new aws.s3.Bucket("site", {});
      new aws.sns.TopicSubscription("computed2", { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "https", endpoint: pulumi.interpolate`https://${bucket.bucketDomainName}/hook` }, { parent: integration });
    });
    const gate = report.violations.filter((v) => v.rule === GATE_RULE);
    expect(gate).toHaveLength(1);
    expect(gate[0]!.message).toMatch(/endpoint is not known until the deploy runs/);
  });
});

describe("what the program does", () => {
  it("is judged even when it creates a resource inside an apply", async () => {
    const { report } = await judge(() => {
      pulumi.output(ELSEWHERE).apply((endpoint) => new aws.sns.TopicSubscription("late", { topic: "arn:aws:sns:eu-west-1:123456789012:t", protocol: "https", endpoint }));
    });
    expect(rules(report.violations)).toEqual(["VG010"]);
  });

  it("finds an Integration further up the parent chain; another component owns nothing", async () => {
    const deep = await judge(() => {
      const group = new pulumi.ComponentResource("acme:index:Delivery", "delivery", {}, { parent: new Integration("analytics", declaration("mixpanel")) });
      sns("https", MIXPANEL_URL)("deep", { parent: group });
    });
    expect(deep.report.violations).toEqual([]);
    const hidden = await judge(() => sns("https", MIXPANEL_URL)("hidden", { parent: new pulumi.ComponentResource("acme:index:Delivery", "delivery", {}) }));
    expect(rules(hidden.report.violations)).toEqual(["VG010"]);
  });

  it("fails on two resources with the same URN, as the engine would, instead of judging one of them", async () => {
    await expect(
      judge(() => {
        new Integration("analytics", declaration("mixpanel"));
        new Integration("analytics", { ...declaration("mixpanel"), vendor: "unknown-vendor" });
      }),
    ).rejects.toThrow(/duplicate resource URN .*Integration::analytics/);
  });

  it("refuses a declaration holding a lone UTF-16 surrogate, naming the path, instead of faulting the policy", async () => {
    await expect(
      judge(() => new Integration("analytics", { ...declaration("mixpanel"), fields: [{ path: "properties.\ud800", category: "user.device" }] })),
    ).rejects.toThrow(/fields\[0\]\.path: the text holds a lone UTF-16 surrogate/);
  });

  it("refuses two Integrations with one name under different parents, and credits neither's egress to the other", async () => {
    const { report } = await judge(() => {
      new Integration("analytics", declaration("mixpanel"));
      const group = new pulumi.ComponentResource("acme:index:Group", "group", {});
      const off = new Integration("analytics", { ...declaration("mixpanel"), enabled: false }, { parent: group });
      sns("https", ELSEWHERE)("sub", { parent: off });
    });
    const gate = report.violations.filter((v) => v.rule === GATE_RULE);
    expect(gate).toHaveLength(1);
    expect(gate[0]!.message).toMatch(/integration name analytics is declared twice/);
  });
});
