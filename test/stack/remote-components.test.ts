import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../src/plan/mocks.ts";
import type { StackResource } from "../../src/stack/resource.ts";
import { REMOTE_COMPONENT_RULE, remoteChildren, REST_API_TYPE, unjudgedComponents } from "../../src/stack/remote-components.ts";
import { UnknownValue } from "../../src/stack/resource.ts";

const URN = `urn:pulumi:dev::p::${REST_API_TYPE}::api`;

const restApi = (props: Record<string, unknown>): StackResource => ({ urn: URN, type: REST_API_TYPE, name: "api", props });

const children = (props: Record<string, unknown>, remote = true) =>
  remoteChildren([restApi(props)], new Set(remote ? [URN] : [])).map((c) => ({ name: c.name, type: c.props.type, uri: c.props.uri, parent: c.parent }));

describe("remote components", () => {
  it("an aws-apigateway RestAPI's HTTP routes become the HTTP integrations its plugin would create", () => {
    const got = children({
      routes: [
        { path: "static", localPath: "www" },
        { path: "lambda", method: "GET", eventHandler: "urn:lambda" },
        { path: "proxy", target: { type: "http_proxy", uri: "https://www.google.com" } },
        { path: "aws", target: { type: "aws_proxy", uri: "arn:aws:apigateway:..." } },
        { path: "swagger", method: "GET", data: { "x-amazon-apigateway-integration": { type: "http_proxy", uri: "https://httpbin.org/uuid" } } },
      ],
      swaggerString: JSON.stringify({ paths: { "/": { get: { "x-amazon-apigateway-integration": { type: "http", uri: "https://api.example.com/" } } } } }),
    });
    expect(got).toEqual([
      { name: "api ANY proxy", type: "http_proxy", uri: "https://www.google.com", parent: URN },
      { name: "api GET swagger", type: "http_proxy", uri: "https://httpbin.org/uuid", parent: URN },
      { name: "api GET /", type: "http", uri: "https://api.example.com/", parent: URN },
    ]);
    expect(children({ routes: [{ path: "proxy", target: { type: "http", uri: "https://x.example" } }] }, false)).toEqual([]);
  });

  it("a target whose URI is unknown until the deploy stays unknown when judged, never dropped", () => {
    const target = { type: "http_proxy" };
    Object.defineProperty(target, "uri", {
      enumerable: true,
      get() {
        throw new UnknownValue("routes[0].target.uri");
      },
    });
    const [child] = remoteChildren([restApi({ routes: [{ path: "p", target }] })], new Set([URN]));
    expect(() => child!.props.uri).toThrow(UnknownValue);
  });

  it("every other remote component is listed as not judged: advisory, or mandatory when asked", () => {
    const rec = (type: string, remote: boolean): RecordedResource => ({ urn: `urn:x::${type}::n`, type, name: "n", custom: false, remote, parent: undefined, inputs: {}, outputs: undefined });
    const recorded = [rec("awsx:ecs:FargateService", true), rec(REST_API_TYPE, true), rec("my:index:Component", false)];
    expect(unjudgedComponents(recorded, "advisory").map((v) => [v.rule, v.severity, v.resource])).toEqual([[REMOTE_COMPONENT_RULE, "advisory", "urn:x::awsx:ecs:FargateService::n"]]);
    expect(unjudgedComponents(recorded, "mandatory")[0]?.severity).toBe("mandatory");
  });
});
