import { describe, expect, it } from "vitest";
import {
  ancestors,
  covers,
  dataCategories,
  dataCategoryNames,
  dataSubjects,
  dataUses,
  defaultTaxonomy,
  extendTaxonomy,
  extendTaxonomyLeniently,
  extensionIssues,
  nameOf,
  parentOf,
  suggestKeys,
  taxonomyKinds,
  unknownKeyMessage,
} from "../../src/model/index.ts";

describe("default taxonomy (fideslang 3.1.4)", () => {
  it("holds the keys the SPEC names, with fideslang's names", () => {
    for (const k of ["user.contact.email", "user.device.ip_address", "user.location.imprecise", "user.unique_id"]) {
      expect(defaultTaxonomy.categories.has(k)).toBe(true);
    }
    expect(defaultTaxonomy.uses.has("analytics.reporting")).toBe(true);
    expect(defaultTaxonomy.uses.has("marketing.advertising.third_party")).toBe(true);
    expect(defaultTaxonomy.subjects.has("customer")).toBe(true);
    expect(defaultTaxonomy.subjects.has("employee")).toBe(true);
    expect(nameOf(defaultTaxonomy, "categories", "user.contact.email")).toBe("User Contact Email");
    expect(dataCategoryNames["user.device.ip_address"]).toBe("IP Address");
  });

  it("keeps the three vocabularies apart", () => {
    expect(defaultTaxonomy.categories.has("customer")).toBe(false);
    expect(defaultTaxonomy.subjects.has("user")).toBe(false);
    expect(defaultTaxonomy.uses.has("user.contact.email")).toBe(false);
  });

  it("is complete and hierarchical: every non-root key's dotted parent is a key of the same vocabulary", () => {
    expect([dataCategories.length, dataUses.length, dataSubjects.length]).toEqual([85, 56, 15]);
    for (const kind of taxonomyKinds) {
      for (const key of defaultTaxonomy[kind]) {
        const parent = parentOf(key);
        if (parent !== undefined) expect(defaultTaxonomy[kind].has(parent), `${kind} ${key}`).toBe(true);
        expect(defaultTaxonomy.names[kind].get(key), key).toBeTruthy();
      }
    }
  });

  it("exports the key arrays sorted", () => {
    for (const list of [dataCategories, dataUses, dataSubjects]) expect([...list]).toEqual([...list].sort());
  });
});

describe("covers / ancestors", () => {
  it("a key covers itself and every key below it", () => {
    expect(covers("user.contact", "user.contact")).toBe(true);
    expect(covers("user.contact", "user.contact.email")).toBe(true);
    expect(covers("user", "user.contact.address.city")).toBe(true);
  });

  it("does not cover siblings sharing a prefix, parents, or partial segments", () => {
    expect(covers("user.contact", "user.contact_history")).toBe(false);
    expect(covers("user.contac", "user.contact.email")).toBe(false);
    expect(covers("user.contact.email", "user.contact")).toBe(false);
    expect(covers("user.contact", "system.contact")).toBe(false);
  });

  it("lists proper ancestors from the root down", () => {
    expect(ancestors("user.contact.address.city")).toEqual(["user", "user.contact", "user.contact.address"]);
    expect(ancestors("customer")).toEqual([]);
    expect(parentOf("user.contact.email")).toBe("user.contact");
    expect(parentOf("user")).toBeUndefined();
  });
});

describe("registry extensions", () => {
  it("adds keys under existing ones, in any order, with their names", () => {
    const t = extendTaxonomy(defaultTaxonomy, {
      dataCategories: [
        { key: "user.contact.loyalty_id.card", name: "Loyalty Card" },
        { key: "user.contact.loyalty_id", name: "Loyalty ID" },
      ],
      dataSubjects: [{ key: "customer.b2b", name: "Business Customer" }],
    });
    expect(t.categories.has("user.contact.loyalty_id.card")).toBe(true);
    expect(nameOf(t, "categories", "user.contact.loyalty_id")).toBe("Loyalty ID");
    expect(t.subjects.has("customer.b2b")).toBe(true);
    // The base is shared by every load; extending must not leak into it.
    expect(defaultTaxonomy.categories.has("user.contact.loyalty_id")).toBe(false);
    expect(t.uses).toEqual(defaultTaxonomy.uses);
  });

  it("rejects a new root, an unknown parent, a key that exists and a key listed twice", () => {
    const issues = extensionIssues(defaultTaxonomy, {
      dataCategories: [
        { key: "loyalty", name: "Loyalty" },
        { key: "user.contct.loyalty", name: "Loyalty" },
        { key: "user.contact.email", name: "Email" },
        { key: "user.contact.x", name: "X" },
        { key: "user.contact.x", name: "X again" },
      ],
      dataSubjects: [{ key: "partner", name: "Partner" }],
    });
    expect(issues).toEqual([
      {
        path: ["dataCategories", 2, "key"],
        message: '"user.contact.email" is already a data category; list only keys the taxonomy lacks',
      },
      { path: ["dataCategories", 4, "key"], message: '"user.contact.x" is listed twice (also at taxonomy.dataCategories[3])' },
      {
        path: ["dataCategories", 0, "key"],
        message: '"loyalty" has no parent: an added data category must hang under an existing one (such as user.loyalty)',
      },
      {
        path: ["dataCategories", 1, "key"],
        message: '"user.contct.loyalty" hangs under "user.contct", which is not a data category (did you mean user.contact or user.content?)',
      },
      {
        path: ["dataSubjects", 0, "key"],
        message: '"partner" has no parent: an added data subject must hang under an existing one (such as customer.partner)',
      },
    ]);
  });

  it("an extension key's parent must be in the same vocabulary", () => {
    // analytics is a data use, not a data category
    expect(extensionIssues(defaultTaxonomy, { dataCategories: [{ key: "analytics.x", name: "X" }] })).toHaveLength(1);
  });

  it("extendTaxonomy refuses a broken extension", () => {
    expect(() => extendTaxonomy(defaultTaxonomy, { dataUses: [{ key: "acme", name: "Acme" }] })).toThrow(/acme.*no parent/);
  });

  it("the lenient form keeps the good keys and drops bad ones together with what hangs under them", () => {
    const t = extendTaxonomyLeniently(defaultTaxonomy, {
      dataCategories: [
        { key: "acme", name: "Acme" },
        { key: "acme.card", name: "Card" },
        { key: "user.contact.loyalty_id", name: "Loyalty" },
        { key: "Not A Key", name: "x" },
        "garbage",
      ],
      dataUses: "not a list",
    });
    expect(t.categories.has("user.contact.loyalty_id")).toBe(true);
    expect(t.categories.has("acme")).toBe(false);
    expect(t.categories.has("acme.card")).toBe(false);
    expect(t.categories.has("Not A Key")).toBe(false);
    expect(t.categories.size).toBe(defaultTaxonomy.categories.size + 1);
  });
});

describe("suggestions for unknown keys", () => {
  it("finds typos, the same leaf elsewhere, and siblings sharing a stem", () => {
    expect(suggestKeys(defaultTaxonomy, "categories", "user.contact.emial")).toEqual(["user.contact.email"]);
    expect(suggestKeys(defaultTaxonomy, "categories", "user.email")[0]).toBe("user.contact.email");
    expect(suggestKeys(defaultTaxonomy, "categories", "user.finance")).toEqual(["user.financial"]);
    expect(suggestKeys(defaultTaxonomy, "uses", "analytics.report")).toContain("analytics.reporting");
    expect(suggestKeys(defaultTaxonomy, "subjects", "custommer")).toEqual(["customer"]);
  });

  it("falls back to the children of the deepest known ancestor, then to the roots, within the limit", () => {
    const under = suggestKeys(defaultTaxonomy, "categories", "user.contact.zzzzzzzzzz.qqqqqqq");
    expect(under).toHaveLength(3);
    for (const k of under) expect(parentOf(k)).toBe("user.contact");
    expect(suggestKeys(defaultTaxonomy, "categories", "qqqqqqqqqqqq")).toEqual(["system", "user"]);
    expect(suggestKeys(defaultTaxonomy, "categories", "user.zzzzzzzzzzzz", 1)).toHaveLength(1);
  });

  it("renders the message the loaders use", () => {
    expect(unknownKeyMessage(defaultTaxonomy, "categories", "user.contact.emial")).toBe(
      'unknown data category "user.contact.emial" (expected a fideslang data category such as user.contact.email)',
    );
    expect(unknownKeyMessage(defaultTaxonomy, "uses", "analytics.reportin")).toBe(
      'unknown data use "analytics.reportin" (expected a fideslang data use such as analytics.reporting)',
    );
  });
});
