import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Integration, type IntegrationArgs } from "../../src/components/integration.ts";
import { allowlistSchema } from "../../src/model/allowlist.ts";
import { createGuards, GuardError } from "../../src/runtime/index.ts";
import { FAKE_SECRET, judge } from "../plan/helpers.ts";

const args = (extra: Partial<IntegrationArgs> = {}): IntegrationArgs => ({
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
  credentials: { value: pulumi.secret(FAKE_SECRET) },
  fields: [
    { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
    { path: "properties.$os", category: "user.device" },
  ],
  ...extra,
});

async function allowlistOf(make: () => Integration): Promise<string> {
  let output: pulumi.Output<string> | undefined;
  await judge(() => {
    output = make().allowlist;
  });
  return new Promise<string>((resolve) => output!.apply(resolve));
}

describe("Integration.allowlist", () => {
  it("is a valid allow-list of the declaration that a guard enforces", async () => {
    const text = await allowlistOf(() => new Integration("product-analytics", args()));
    const doc = allowlistSchema.parse(JSON.parse(text));
    expect(doc).toMatchObject({ source: "deploy", verdict: "pass", integrations: [{ name: "product-analytics", vendor: "mixpanel", destination: { url: "https://api-eu.mixpanel.com/track" } }] });
    const guard = createGuards(text, { key: "a-key-of-sixteen-bytes-or-more" }).for("product-analytics");
    const out = guard.filter({ properties: { distinct_id: "u-1", $os: "Linux", $email: "ann@example.com" } });
    expect(Object.keys(out.properties!)).toEqual(["distinct_id", "$os"]);
    expect(out.properties!.distinct_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it("of a switched-off flow declares nothing: its data may go nowhere", async () => {
    const text = await allowlistOf(() => new Integration("off", args({ enabled: false })));
    expect(JSON.parse(text).integrations).toEqual([]);
    expect(() => createGuards(text).for("off")).toThrow(GuardError);
  });
});
