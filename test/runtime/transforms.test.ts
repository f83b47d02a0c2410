import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createGuards, GuardError } from "../../src/runtime/index.ts";
import { allowlist, key } from "./helpers.ts";

const at = (path: string, category: string, transform: string) => ({ path, category, transform });

function guardWith(fields: ReturnType<typeof at>[], opts: Parameters<typeof createGuards>[1] = { key }) {
  const list = allowlist([{ name: "flow", vendor: "v", verdict: "pass", destination: { url: "https://api.vendor.example/in" }, fields: fields as never }]);
  return createGuards(list, opts).for("flow");
}

describe("transforms", () => {
  it("hash is the hex SHA-256 of the value's text (numbers as JSON), null kept", () => {
    const g = guardWith([at("email", "user.contact.email", "hash"), at("n", "user.unique_id", "hash"), at("z", "user.unique_id", "hash")]);
    const out = g.filter({ email: "ann@example.com", n: 42, z: null });
    expect(out).toEqual({
      email: createHash("sha256").update("ann@example.com").digest("hex"),
      n: createHash("sha256").update("42").digest("hex"),
      z: null,
    });
  });

  it("pseudonymize is the hex HMAC-SHA-256 under the application's key: stable per key, different across keys", () => {
    const fields = [at("properties.distinct_id", "user.unique_id", "pseudonymize")];
    const a = guardWith(fields).filter({ properties: { distinct_id: "user-42" } });
    expect(a).toEqual({ properties: { distinct_id: createHmac("sha256", key).update("user-42").digest("hex") } });
    expect(guardWith(fields).filter({ properties: { distinct_id: "user-42" } })).toEqual(a);
    const other = guardWith(fields, { key: "another-key-of-enough-bytes" }).filter({ properties: { distinct_id: "user-42" } });
    expect(other.properties?.distinct_id).not.toBe(a.properties?.distinct_id);
    // Non-ASCII text is hashed as UTF-8.
    expect(guardWith(fields).filter({ properties: { distinct_id: "Zoë" } }).properties?.distinct_id).toBe(createHmac("sha256", key).update("Zoë", "utf8").digest("hex"));
  });

  it("pseudonymize needs a key of at least 16 bytes", () => {
    const fields = [at("id", "user.unique_id", "pseudonymize")];
    expect(() => guardWith(fields, {})).toThrow(/pass the pseudonymization key/);
    expect(() => guardWith(fields, { key: "short" })).toThrow(/5 bytes; at least 16/);
    expect(() => guardWith([at("os", "user.device", "none")], {})).not.toThrow();
  });

  it.each([
    ["user.device.ip_address", "203.0.113.77", "203.0.113.0", "203.0.0.0"],
    ["user.device.ip_address", "2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::", "2001:db8::"],
    ["user.device.ip_address", "::ffff:192.0.2.1", "::", "::"],
    ["user.device", "198.51.100.9", "198.51.100.0", "198.51.0.0"],
    ["user.demographic.date_of_birth", "1987-06-15", "1987-06", "1987"],
    ["user.behavior", "2026-11-29T13:45:10Z", "2026-11", "2026"],
    ["user.location.imprecise", 52.52437, 52.52, 52.5],
    ["user.location.imprecise", -13.41053, -13.41, -13.4],
    ["user.demographic.age_range", 37.8, 37, 30],
    ["user.contact.email", "Ann.Lee@Example.COM", "Ann", "example.com"],
    ["user.name", "Ann Lee", "Ann", undefined],
    ["user.device.ip_address", "not an address", undefined, undefined],
    ["user.demographic.date_of_birth", "someday", undefined, undefined],
    ["user.behavior", true, true, true],
  ] as const)("%s %j: truncate %j, generalize %j", (category, value, truncated, generalized) => {
    for (const [transform, expected] of [
      ["truncate", truncated],
      ["generalize", generalized],
    ] as const) {
      const reports: unknown[] = [];
      const out = guardWith([at("v", category, transform)], { onDrop: (r) => reports.push(r) }).filter({ v: value });
      if (expected === undefined) {
        // A value the transform has no meaning for does not leave as it was.
        expect(out).toEqual({});
        expect(reports).toEqual([{ integration: "flow", dropped: {}, untransformable: { v: 1 } }]);
      } else {
        expect(out).toEqual({ v: expected });
        expect(reports).toEqual([]);
      }
    }
  });

  it("truncate keeps truncateLength characters (code points, not UTF-16 units)", () => {
    expect(guardWith([at("s", "user.name", "truncate")], { truncateLength: 5 }).filter({ s: "😀😀😀😀😀😀" })).toEqual({ s: "😀😀😀😀😀" });
  });

  it("arrays are transformed element by element; objects at a declared leaf do not leave", () => {
    const reports: unknown[] = [];
    const g = guardWith([at("ids", "user.unique_id", "hash"), at("os", "user.device", "none")], { onDrop: (r) => reports.push(r) });
    expect(g.filter({ ids: ["a", "b"], os: { name: "linux", email: "x@y.z" } })).toEqual({
      ids: [createHash("sha256").update("a").digest("hex"), createHash("sha256").update("b").digest("hex")],
    });
    expect(reports).toEqual([{ integration: "flow", dropped: {}, untransformable: { os: 1 } }]);
  });

  it("a Date leaves as its ISO text, transformed as a date", () => {
    expect(guardWith([at("d", "user.demographic.date_of_birth", "generalize")]).filter({ d: new Date("1990-02-03T00:00:00Z") })).toEqual({ d: "1990" });
  });

  it("strict mode throws, naming paths and never values", () => {
    const g = guardWith([at("os", "user.device", "none")], { strict: true });
    expect(g.filter({ os: "linux" })).toEqual({ os: "linux" });
    let error: unknown;
    try {
      g.filter({ os: "linux", email: "secret-ann@example.com" });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GuardError);
    expect((error as Error).message).toContain("email (not declared)");
    expect((error as Error).message).not.toContain("secret-ann");
  });
});

describe("digests without Node's crypto (browsers, Node < 22.3)", () => {
  it("the JavaScript SHA-256 and HMAC give the same digests as the native ones, for any text", async () => {
    const fc = (await import("fast-check")).default;
    const { hashTransform, pseudonymizeTransform } = await import("../../src/runtime/transforms.ts");
    const keyBytes = new TextEncoder().encode(key);
    const js = { hash: hashTransform(undefined), pseudonymize: pseudonymizeTransform(keyBytes, undefined) };
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "grapheme" }), fc.integer(), fc.boolean()), (v) => {
        const text = typeof v === "string" ? v : JSON.stringify(v);
        expect(js.hash(v)).toBe(createHash("sha256").update(text, "utf8").digest("hex"));
        expect(js.pseudonymize(v)).toBe(createHmac("sha256", keyBytes).update(text, "utf8").digest("hex"));
      }),
      { numRuns: 300 },
    );
  });
});

describe("payload keys that name the prototype", () => {
  it("are dropped and reported as properties, never reaching a prototype", () => {
    const reports: { dropped: Record<string, number> }[] = [];
    const g = guardWith([at("os", "user.device", "none")], { onDrop: (r) => reports.push(r) });
    const payload = JSON.parse('{"os":"linux","__proto__":{"polluted":true},"constructor":{"x":1}}') as object;
    const out = g.filter(payload);
    expect(out).toEqual({ os: "linux" });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(reports[0]!.dropped)).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(reports[0]!.dropped)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
