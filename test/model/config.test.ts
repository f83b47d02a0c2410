import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/model/index.ts";
import { knownRules, problems } from "./helpers.ts";

const schema = configSchema(knownRules);

describe("config schema", () => {
  it("accepts levels per known rule, and an empty config", () => {
    expect(problems(schema, { enforcement: { VG009: "advisory", VG012: "disabled", ACME001: "mandatory" } })).toEqual([]);
    expect(problems(schema, {})).toEqual([]);
    expect(schema.parse({ enforcement: { VG009: "advisory" } })).toEqual({ enforcement: { VG009: "advisory" } });
  });

  it("rejects unknown rules, unknown levels and unknown properties", () => {
    expect(problems(schema, { enforcement: { VG099: "advisory", VG009: "warn" }, enforcment: {} })).toEqual([
      'enforcement.VG099: unknown rule "VG099" (expected one of ACME001, VG001, VG002, VG003, VG004, VG005, VG006, VG007, VG008, VG009, VG010, VG011, VG012)',
      'enforcement.VG009: expected one of mandatory, advisory, disabled, got "warn"',
      ': unknown property "enforcment" (expected apiVersion, enforcement)',
    ]);
  });
});
