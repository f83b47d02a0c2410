import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Violation } from "../../src/engine/violation.ts";
import { sortViolations, summarize } from "../../src/engine/summarize.ts";
import { violations } from "../report/fixture.ts";

function v(over: Partial<Violation>): Violation {
  return { rule: "VG004", name: "category-not-approved", title: "t", severity: "mandatory", integration: "a", message: "m", remediation: "r", ...over };
}

describe("summarize", () => {
  it("counts a waived violation only as waived, whatever its severity", () => {
    expect(summarize([v({ waivedBy: "EXC-1" }), v({ severity: "advisory", waivedBy: "EXC-2" })])).toEqual({ mandatory: 0, advisory: 0, waived: 2 });
  });

  it("counts the fixture", () => {
    expect(summarize(violations)).toEqual({ mandatory: 4, advisory: 2, waived: 1 });
  });

  it("counts nothing in an empty list", () => {
    expect(summarize([])).toEqual({ mandatory: 0, advisory: 0, waived: 0 });
  });
});

describe("sortViolations", () => {
  it("orders by integration, rule, field, resource, message", () => {
    const sorted = sortViolations([
      v({ integration: "b" }),
      v({ rule: "VG005", field: "a" }),
      v({ field: "y" }),
      v({ field: "x", message: "2" }),
      v({ field: "x", message: "1" }),
      v({ resource: "urn:b" }),
      v({}),
    ]);
    expect(sorted.map((x) => [x.integration, x.rule, x.field ?? "", x.resource ?? "", x.message])).toEqual([
      ["a", "VG004", "", "", "m"],
      ["a", "VG004", "", "urn:b", "m"],
      ["a", "VG004", "x", "", "1"],
      ["a", "VG004", "x", "", "2"],
      ["a", "VG004", "y", "", "m"],
      ["a", "VG005", "a", "", "m"],
      ["b", "VG004", "", "", "m"],
    ]);
  });

  it("compares code units, not locale collation", () => {
    // localeCompare would put "é" before "z" and "a" before "B"; bytes must not depend on ICU.
    const sorted = sortViolations([v({ integration: "é" }), v({ integration: "z" }), v({ integration: "a" }), v({ integration: "B" })]);
    expect(sorted.map((x) => x.integration)).toEqual(["B", "a", "z", "é"]);
  });

  it("leaves its input alone", () => {
    const input = [v({ integration: "b" }), v({ integration: "a" })];
    sortViolations(input);
    expect(input.map((x) => x.integration)).toEqual(["b", "a"]);
  });

  it("gives the same order for any shuffle, even of violations equal on the documented keys", () => {
    const pool = [
      ...violations,
      v({ waivedBy: "EXC-1" }),
      v({ waivedBy: "EXC-2" }),
      v({ severity: "advisory" }),
      v({ location: { file: "a.yaml", line: 2, column: 1 } }),
      v({ location: { file: "a.yaml", line: 1, column: 1 } }),
    ];
    const expected = JSON.stringify(sortViolations(pool));
    fc.assert(
      fc.property(fc.shuffledSubarray(pool, { minLength: pool.length, maxLength: pool.length }), (shuffled) => {
        expect(JSON.stringify(sortViolations(shuffled))).toBe(expected);
      }),
    );
  });
});
