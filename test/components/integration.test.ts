import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { Integration, type IntegrationArgs, type IntegrationField } from "../../src/components/integration.ts";
import { forwardedPaths, type InputTransformer } from "../../src/components/transformer.ts";
import { REDACTED } from "../../src/plan/decode.ts";
import type { StackResource } from "../../src/stack/resource.ts";
import { FAKE_SECRET, judge } from "../plan/helpers.ts";

const T = {
  connection: "aws:cloudwatch/eventConnection:EventConnection",
  destination: "aws:cloudwatch/eventApiDestination:EventApiDestination",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  role: "aws:iam/role:Role",
  policy: "aws:iam/rolePolicy:RolePolicy",
};

const analytics = (fields: IntegrationField[], extra: Partial<IntegrationArgs> = {}): IntegrationArgs => ({
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
  credentials: { value: pulumi.secret(FAKE_SECRET) },
  fields,
  eventBridge: { eventBusName: "shop", eventPattern: { source: ["shop.app"] } },
  ...extra,
});

const byType = (resources: readonly StackResource[], type: string) => resources.filter((r) => r.type === type);

function transformerOf(resources: readonly StackResource[]): InputTransformer {
  const [target] = byType(resources, T.target);
  return target!.props.inputTransformer as InputTransformer;
}

describe("Integration with eventBridge (under plan's mocks)", () => {
  const fields: IntegrationField[] = [
    { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
    { path: "properties.os", category: "user.device" },
  ];

  it("creates connection, API destination, rule, role, policy and target, all children of the integration", async () => {
    const { resources } = await judge(() => new Integration("flow", analytics(fields)));
    const integration = resources.find((r) => r.type === INTEGRATION_TYPE)!;
    for (const type of Object.values(T)) {
      const found = byType(resources, type);
      expect(found, type).toHaveLength(1);
      expect(found[0]!.parent, type).toBe(integration.urn);
    }
    const [destination] = byType(resources, T.destination);
    expect(destination!.props.invocationEndpoint).toBe("https://api-eu.mixpanel.com/track");
    const [rule] = byType(resources, T.rule);
    expect(JSON.parse(rule!.props.eventPattern as string)).toEqual({ source: ["shop.app"] });
  });

  it("forwards exactly the declared fields, and follows the declaration when it changes", async () => {
    const before = transformerOf((await judge(() => new Integration("flow", analytics(fields)))).resources);
    expect([...forwardedPaths(before).keys()]).toEqual(fields.map((f) => f.path));

    const changed = [...fields, { path: "properties.city", category: "user.location.imprecise" as const }];
    const after = transformerOf((await judge(() => new Integration("flow", analytics(changed)))).resources);
    expect([...forwardedPaths(after).keys()]).toEqual(changed.map((f) => f.path));
    expect(after.inputTemplate).not.toBe(before.inputTemplate);
    expect(Object.keys(after.inputPaths)).toHaveLength(3);
  });

  it("keeps the credential secret in the connection, even one the program passed in plain text", async () => {
    const { resources, declarations } = await judge(() => new Integration("flow", analytics(fields, { credentials: { value: FAKE_SECRET } })));
    const [connection] = byType(resources, T.connection);
    const apiKey = (connection!.props.authParameters as { apiKey: { value: unknown } }).apiKey;
    expect(apiKey.value).toBe(REDACTED);
    // ...while the declaration still records that the program did not keep it secret (VG011).
    expect(declarations[0]!.credentials).toEqual({ secret: false, source: "plain" });
  });

  it("creates nothing on AWS for a disabled flow", async () => {
    const { resources } = await judge(() => new Integration("flow", analytics(fields, { enabled: false })));
    expect(resources.map((r) => r.type)).toEqual([INTEGRATION_TYPE]);
  });

  it("fails the program, naming the field, when a field cannot be forwarded", async () => {
    const bad = [{ path: "properties.$os", category: "user.device" as const }];
    await expect(judge(() => new Integration("flow", analytics(bad)))).rejects.toThrow(/Integration "flow": field properties\.\$os/);
  });

  it("needs a credential for the connection", async () => {
    await expect(judge(() => new Integration("flow", analytics(fields, { credentials: undefined })))).rejects.toThrow(/eventBridge needs credentials/);
  });
});

describe("eventBridge.source (where each field is read in the event)", () => {
  const fields: IntegrationField[] = [{ path: "properties.os", category: "user.device" }];
  const withSource = (source: Record<string, string>) => analytics(fields, { eventBridge: { eventPattern: { source: ["shop.app"] }, source } });

  it("shows in the declaration, and so in the manifest and the PR diff", async () => {
    const { declarations, report } = await judge(() => new Integration("flow", withSource({ "properties.os": "$.detail.device.os" })));
    expect(declarations[0]!.fields).toEqual([{ path: "properties.os", category: "user.device", transform: "none", source: "$.detail.device.os" }]);
    expect(report.violations.filter((v) => v.rule !== "VG011")).toEqual([]);
    // The default is declared too: what the target forwards is what the declaration says.
    const defaulted = await judge(() => new Integration("flow", analytics(fields)));
    expect(defaulted.declarations[0]!.fields[0]!.source).toBe("$.detail.properties.os");
  });

  it.each(["$.detail", "$", "$.resources", "$.detail.*", "$..email"])("refuses %s, which is not one value", async (from) => {
    await expect(judge(() => new Integration("flow", withSource({ "properties.os": from })))).rejects.toThrow(/eventBridge\.source\["properties\.os"\]/);
  });
});

describe("Integration credentials (VG011 on real Pulumi values)", () => {
  const plain = { vendor: "mixpanel", purpose: "analytics.reporting", subjects: ["customer"], destination: { url: "https://api.mixpanel.com/track", region: "eu" } } as const;
  const args = (value: pulumi.Input<string>): IntegrationArgs => ({
    ...plain,
    subjects: ["customer"],
    credentials: { value },
    fields: [{ path: "properties.os", category: "user.device" }],
  });
  const secretOf = async (program: () => unknown, config: Record<string, string> = {}, secretKeys: string[] = []) =>
    (await judge(program, config, secretKeys)).declarations.map((d) => [d.name, d.credentials?.secret]);

  it("records a plain string as not secret, and a pulumi.secret literal in the program as not secret either", async () => {
    const origin = async (program: () => unknown) => (await judge(program)).declarations.map((d) => [d.name, d.credentials]);
    expect(
      await origin(() => {
        new Integration("secret", args(pulumi.secret(FAKE_SECRET)));
        new Integration("plain", args(FAKE_SECRET));
      }),
    ).toEqual([
      ["plain", { secret: false, source: "plain" }],
      // The literal sits in the repository, whatever wraps it.
      ["secret", { secret: false, source: "literal" }],
    ]);
  });

  it("records a secret built from a plain config value, trimmed or in base64, as not secret (VG011)", async () => {
    const cfg = () => new pulumi.Config("test");
    const config = { "test:apiKey": ` ${FAKE_SECRET} `, "test:token": "enc-token-8d2f41" };
    const result = await judge(
      () => {
        new Integration("bearer", args(pulumi.secret(pulumi.interpolate`Bearer ${cfg().require("apiKey")}`)));
        new Integration("trimmed", args(pulumi.secret(cfg().require("apiKey").trim())));
        new Integration("base64", args(pulumi.secret(Buffer.from(cfg().require("apiKey").trim()).toString("base64"))));
        new Integration("encrypted", args(pulumi.interpolate`Bearer ${cfg().requireSecret("token")}`));
        new Integration("output", args(new aws.cloudwatch.EventConnection("c", { authorizationType: "API_KEY", authParameters: { apiKey: { key: "k", value: "v" } } }).arn.apply((a) => pulumi.secret(a))));
      },
      config,
      ["test:token"],
    );
    expect(result.declarations.map((d) => [d.name, d.credentials]).sort()).toEqual([
      ["base64", { secret: false, source: "plain-config" }],
      ["bearer", { secret: false, source: "plain-config" }],
      ["encrypted", { secret: true, source: "secret-config" }],
      ["output", { secret: true, source: "secret-output" }],
      ["trimmed", { secret: false, source: "plain-config" }],
    ]);
    expect(result.report.violations.filter((v) => v.rule === "VG011").map((v) => v.integration).sort()).toEqual(["base64", "bearer", "trimmed"]);
  });

  it("records a secret config value as secret", async () => {
    const program = () => new Integration("from-config", args(new pulumi.Config("test").requireSecret("token")));
    expect(await secretOf(program, { "test:token": FAKE_SECRET }, ["test:token"])).toEqual([["from-config", true]]);
  });

  it("records requireSecret() of a value written in plain text in the stack config as not secret", async () => {
    const program = () => new Integration("from-config", args(new pulumi.Config("test").requireSecret("token")));
    expect(await secretOf(program, { "test:token": FAKE_SECRET })).toEqual([["from-config", false]]);
    // The same when the plain value sits inside an object.
    const nested = () => new Integration("nested", args(new pulumi.Config("test").requireSecretObject<{ key: string }>("vendor").apply((v) => v.key)));
    expect(await secretOf(nested, { "test:vendor": JSON.stringify({ key: FAKE_SECRET }) })).toEqual([["nested", false]]);
  });

  it("records a plain config value read with get() as not secret", async () => {
    const program = () => new Integration("from-config", args(new pulumi.Config("test").require("token")));
    expect(await secretOf(program, { "test:token": FAKE_SECRET })).toEqual([["from-config", false]]);
  });
});
