// judge() refuses an input holding a lone UTF-16 surrogate before the WASM reads it; it finds one
// by scanning the serialised input, so a backslash the user wrote must not read as one.
import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { holdsLoneSurrogate, judge } from "../../src/engine/judge.ts";
import { hasIllFormed } from "../../src/model/source.ts";

const cases: [string, unknown][] = [
  ["a lone high surrogate in a value", { name: "a\ud800b" }],
  ["a lone low surrogate at the end", { name: "ab\udfff" }],
  ["a lone surrogate in a key", { ["k\udc00"]: 1 }],
  ["a lone surrogate deep in an array", { integrations: [{ fields: [{ path: "x" }, { path: "\udbff" }] }] }],
  ["a lone surrogate after a written backslash", { name: "\\\ud800" }],
  ["a surrogate pair", { name: "emoji \ud83d\ude00" }],
  ["the text \\ud800 written out", { name: "\\ud800" }],
  ["two written backslashes then ud800", { name: "\\\\ud800" }],
  ["an escaped control character next to u", { name: "\nud800\t\\u" }],
  ["no strings at all", { n: 1, b: true, z: null }],
];

describe("holdsLoneSurrogate on JSON.stringify's text", () => {
  for (const [what, value] of cases) {
    it(`agrees with walking the object: ${what}`, () => {
      expect(holdsLoneSurrogate(JSON.stringify(value))).toBe(hasIllFormed(value));
    });
  }

  it("finds each of the 2,048 lone surrogates, and no pair", () => {
    for (let c = 0xd800; c <= 0xdfff; c++) expect(holdsLoneSurrogate(JSON.stringify({ s: `x${String.fromCharCode(c)}` }))).toBe(true);
    expect(holdsLoneSurrogate(JSON.stringify({ s: "\u{10000}\u{10ffff}" }))).toBe(false);
  });
});

describe("judge", () => {
  it("refuses an integration whose name holds a lone surrogate, before the policy reads it", async () => {
    const engine = await Engine.load();
    engine.setRegistry({ prohibitedCategories: [], vendors: {} });
    const integration = { name: "flow-\udc00", vendor: "x", purpose: "analytics", subjects: [], destination: { url: "https://x.example/" }, fields: [] };
    expect(() => judge(engine, { now: "2026-11-29", integrations: [integration] } as never)).toThrow(/lone UTF-16 surrogate, which is not text; nothing was judged/);
  });
});
