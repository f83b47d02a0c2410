// The pack's stack policies share one deserialisation of each resource per analyzeStack request
// (src/pack/pack.ts shareDeserialisation): @pulumi/policy's own loop, driven here with the
// protobuf request the engine sends, must deserialise each resource once however many policies
// the pack has, give every policy the same values, and share nothing between two requests.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { shareDeserialisation } from "../../src/pack/pack.ts";

const require = createRequire(import.meta.url);
type Deserialize = (properties: object, proxySecrets: boolean) => unknown;
const deserialize = require("@pulumi/policy/deserialize.js") as { deserializeProperties: Deserialize };
const server = require("@pulumi/policy/server.js") as {
  makeAnalyzeStackRpcFun: (name: string, version: string, level: string, policies: unknown[]) => (call: unknown, cb: (err: unknown, res: unknown) => void) => Promise<void>;
};
const analyzer = require("@pulumi/pulumi/proto/analyzer_pb.js") as Record<string, new () => Record<string, (v?: unknown) => unknown>>;
const { Struct } = require("google-protobuf/google/protobuf/struct_pb.js") as { Struct: { fromJavaScript: (v: unknown) => object } };

function request(n: number): unknown {
  const req = new analyzer.AnalyzeStackRequest!();
  const resources = Array.from({ length: n }, (_, i) => {
    const r = new analyzer.AnalyzerResource!();
    r.setType!("vendorgate:index:Integration");
    r.setName!(`flow-${i}`);
    r.setUrn!(`urn:pulumi:s::p::vendorgate:index:Integration::flow-${i}`);
    r.setProperties!(Struct.fromJavaScript({ declaration: { vendor: "mixpanel", fields: [{ name: "email", category: "user.contact.email" }], index: i } }));
    r.setOptions!(new analyzer.AnalyzerResourceOptions!());
    return r;
  });
  req.setResourcesList!(resources);
  return { request: req };
}

describe("the pack's stack policies share one deserialisation per request", () => {
  it("deserialises each resource once for three policies, and again for the next request", async () => {
    let calls = 0;
    const original = deserialize.deserializeProperties;
    deserialize.deserializeProperties = (p, s) => {
      calls++;
      return original(p, s);
    };
    expect(shareDeserialisation()).toBe(true);
    const seen: Record<string, unknown[]> = {};
    const policies = ["a", "b", "c"].map((name) => ({
      name,
      description: name,
      enforcementLevel: "advisory",
      validateStack: (args: { resources: { props: { declaration: { index: number; vendor: string } } }[] }) => {
        seen[name] = args.resources.map((r) => `${r.props.declaration.vendor} ${r.props.declaration.index}`);
      },
    }));
    const analyze = server.makeAnalyzeStackRpcFun("vendorgate", "0.0.0", "advisory", policies);
    const run = (n: number) =>
      new Promise<void>((resolve, reject) => void analyze(request(n), (err) => (err ? reject(err as Error) : resolve())));

    await run(4);
    expect(calls).toBe(4);
    expect(seen.a).toEqual(["mixpanel 0", "mixpanel 1", "mixpanel 2", "mixpanel 3"]);
    expect(seen.b).toEqual(seen.a);
    expect(seen.c).toEqual(seen.a);

    await run(2);
    expect(calls).toBe(6);
    expect(seen.c).toEqual(["mixpanel 0", "mixpanel 1"]);
  });
});
