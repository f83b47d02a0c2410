import { describe, expect, it } from "vitest";
import { buildInputTransformer, defaultSource, forwardedPaths, TransformerError, type InputTransformer } from "../../src/components/transformer.ts";

const fields = (...paths: string[]) => paths.map((path) => ({ path }));

/**
 * What EventBridge would send for `event`: each input path read from the event (dot notation), each
 * placeholder replaced by that value as JSON. A stand-in for the service, to show the template
 * rebuilds the payload rather than only naming the right paths.
 */
function apply(t: InputTransformer, event: unknown): unknown {
  const read = (path: string): unknown =>
    path
      .slice(2)
      .split(".")
      .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), event);
  const text = t.inputTemplate.replace(/<([A-Za-z0-9_]+)>/g, (_m, name: string) => JSON.stringify(read(t.inputPaths[name]!) ?? null));
  return JSON.parse(text);
}

describe("buildInputTransformer", () => {
  it("forwards exactly the declared paths, each from the same path under detail", () => {
    const t = buildInputTransformer(fields("properties.distinct_id", "properties.os", "context.ip"));
    expect(forwardedPaths(t)).toEqual(
      new Map([
        ["properties.distinct_id", "$.detail.properties.distinct_id"],
        ["properties.os", "$.detail.properties.os"],
        ["context.ip", "$.detail.context.ip"],
      ]),
    );
    expect(Object.keys(t.inputPaths)).toHaveLength(3);
  });

  it("rebuilds the payload from an event and drops everything undeclared", () => {
    const t = buildInputTransformer(fields("properties.distinct_id", "properties.$os"), { "properties.$os": "$.detail.device.os" });
    const event = {
      source: "shop.app",
      detail: { properties: { distinct_id: "u-1", email: "ann@example.com" }, device: { os: "Linux", model: "x" }, user: { name: "Ann" } },
    };
    expect(apply(t, event)).toEqual({ properties: { distinct_id: "u-1", $os: "Linux" } });
  });

  it("keeps each value's JSON type (placeholders are not quoted)", () => {
    const t = buildInputTransformer(fields("a.n", "a.flag", "a.list"));
    expect(apply(t, { detail: { a: { n: 3, flag: false, list: [1, 2] } } })).toEqual({ a: { n: 3, flag: false, list: [1, 2] } });
  });

  it("changes with the declaration: one more field is one more path and nothing else", () => {
    const before = forwardedPaths(buildInputTransformer(fields("x.a", "x.b")));
    const after = forwardedPaths(buildInputTransformer(fields("x.a", "x.b", "y.c")));
    expect([...after.keys()].filter((k) => !before.has(k))).toEqual(["y.c"]);
    expect(after.size).toBe(before.size + 1);
  });

  it("is deterministic", () => {
    const a = buildInputTransformer(fields("b.x", "a.y", "b.z"));
    const b = buildInputTransformer(fields("b.x", "a.y", "b.z"));
    expect(a).toEqual(b);
    expect(a.inputTemplate).toBe('{"b":{"x":<f0>,"z":<f2>},"a":{"y":<f1>}}');
  });

  it("needs a source for payload keys EventBridge cannot address", () => {
    expect(defaultSource("properties.$os")).toBeUndefined();
    expect(() => buildInputTransformer(fields("properties.$os"))).toThrow(/properties\.\$os.*eventBridge\.source/);
  });

  it.each([
    ["a source for an undeclared field", fields("a.b"), { "a.c": "$.detail.a.c" }, /not a declared field/],
    ["a wildcard source", fields("a.b"), { "a.b": "$.detail.*" }, /dot notation/],
    ["a bracketed source", fields("a.b"), { "a.b": "$['detail']" }, /dot notation/],
    ["a source outside the event", fields("a.b"), { "a.b": "detail.a" }, /dot notation/],
    ["a field that is also an object of fields", fields("a", "a.b"), {}, /itself a declared field|declared twice/],
    ["the same field twice", fields("a.b", "a.b"), {}, /declared twice/],
    ["a template character in a key", fields("a.<b>"), { "a.<b>": "$.detail.x" }, /without "<"/],
    ["an array index in the payload", fields("items[0].email"), { "items[0].email": "$.detail.email" }, /without "<", ">", "\[" or "\]"/],
    ["an empty segment", fields("a..b"), { "a..b": "$.detail.x" }, /segment ""/],
  ])("refuses %s, naming it", (_what, f, source, message) => {
    expect(() => buildInputTransformer(f, source)).toThrow(TransformerError);
    expect(() => buildInputTransformer(f, source)).toThrow(message);
  });

  it("refuses no fields and more than EventBridge's 100", () => {
    expect(() => buildInputTransformer([])).toThrow(/at least one/);
    const many = Array.from({ length: 101 }, (_, i) => ({ path: `p.f${i}` }));
    expect(() => buildInputTransformer(many)).toThrow(/at most 100/);
    expect(() => buildInputTransformer(many.slice(0, 100))).not.toThrow();
  });
});

describe("forwardedPaths", () => {
  it("counts a literal in a template as forwarded data", () => {
    expect(forwardedPaths({ inputPaths: { f0: "$.detail.a" }, inputTemplate: '{"a":<f0>,"tag":"x"}' })).toEqual(
      new Map([
        ["a", "$.detail.a"],
        ["tag", "(literal)"],
      ]),
    );
  });

  it("refuses a placeholder without an input path", () => {
    expect(() => forwardedPaths({ inputPaths: {}, inputTemplate: '{"a":<f0>}' })).toThrow(/no input path/);
  });
});
