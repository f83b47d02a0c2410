import { describe, expect, it } from "vitest";
import { exceptionsSchema } from "../../src/model/index.ts";
import { knownRules, problems } from "./helpers.ts";

const schema = exceptionsSchema(knownRules);
const exc = (over: Record<string, unknown> = {}) => ({
  id: "EXC-42",
  rule: "VG004",
  vendor: "zendesk",
  integration: "support-chat",
  field: "properties.email",
  reason: "Zendesk needs the email to reply; DPA signed",
  approvedBy: "security@example.com",
  expires: "2026-12-31",
  ...over,
});

describe("exceptions schema", () => {
  it("accepts the SPEC example, a whole-integration waiver, a rule-wide waiver and custom rules", () => {
    expect(
      problems(schema, {
        exceptions: [exc(), exc({ id: "EXC-43", field: undefined }), exc({ id: "EXC-44", integration: undefined, field: undefined, rule: "ACME001" })],
      }),
    ).toEqual([]);
    expect(problems(schema, { exceptions: [] })).toEqual([]);
  });

  it("refuses to waive VG006", () => {
    expect(problems(schema, { exceptions: [exc({ rule: "VG006" })] })).toEqual(["exceptions[0].rule: VG006 prohibited-category cannot be waived"]);
  });

  it("rejects rule ids the bundle does not know, listing the known ones", () => {
    expect(problems(exceptionsSchema(["VG001", "VG004"]), { exceptions: [exc({ rule: "VG040" }), exc({ id: "x", rule: "vg004" })] })).toEqual([
      'exceptions[0].rule: unknown rule "VG040" (expected one of VG001, VG004)',
      'exceptions[1].rule: expected a rule id such as VG004, got "vg004"',
    ]);
  });

  it("requires the integration when a field is named", () => {
    expect(problems(schema, { exceptions: [exc({ integration: undefined })] })).toEqual([
      "exceptions[0].field: field requires integration: name the integration the field belongs to",
    ]);
  });

  it("requires unique ids, a reason, an approver and a real expiry date", () => {
    expect(
      problems(schema, { exceptions: [exc(), exc({ reason: "", approvedBy: undefined, expires: "2026-06-31" })] }),
    ).toEqual([
      "exceptions[1].reason: expected a non-empty string",
      "exceptions[1].approvedBy: missing required property (expected a string)",
      'exceptions[1].expires: expected a calendar date as YYYY-MM-DD, got "2026-06-31"',
      'exceptions[1].id: duplicate exception id "EXC-42" (also at exceptions[0])',
    ]);
  });

  it("requires the vendor the waiver was approved for", () => {
    expect(problems(schema, { exceptions: [exc({ vendor: undefined })] })).toEqual([
      "exceptions[0].vendor: missing required property (expected a string)",
    ]);
    expect(problems(schema, { exceptions: [exc({ vendor: "Zendesk" })] })).toEqual([
      "exceptions[0].vendor: expected the vendor's registry key, such as zendesk",
    ]);
  });

  it("requires a category or field for rules judged per field, and checks the category and stacks", () => {
    const perField = exceptionsSchema(knownRules, { fieldRules: ["VG004", "VG005"] });
    const bare = exc({ integration: undefined, field: undefined });
    expect(problems(perField, { exceptions: [bare] })).toEqual([
      "exceptions[0].rule: VG004 is judged per field: name the category (or the field) the exception covers",
    ]);
    expect(problems(perField, { exceptions: [{ ...bare, category: "user.contact.phone_number", stacks: ["prod"] }] })).toEqual([]);
    expect(problems(perField, { exceptions: [{ ...bare, rule: "VG009" }] })).toEqual([]);
    expect(problems(perField, { exceptions: [{ ...bare, category: "user.contact.phone", stacks: [] }] })).toEqual([
      expect.stringMatching(/^exceptions\[0\]\.category: /),
      expect.stringMatching(/^exceptions\[0\]\.stacks: /),
    ]);
  });

  it("takes dates as YYYY-MM-DD only", () => {
    expect(problems(schema, { exceptions: [exc({ expires: "2026-12-31T00:00:00Z" })] })).toHaveLength(1);
    expect(problems(schema, { exceptions: [exc({ expires: 20261231 })] })).toEqual([
      "exceptions[0].expires: expected a calendar date as YYYY-MM-DD, got number 20261231",
    ]);
  });
});
