import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAnalytics } from "../../examples/shop/app/analytics.ts";
import { runAllowlist } from "../../src/commands/allowlist.ts";
import { EXAMPLE } from "../../scripts/example.ts";
import type { DropReport } from "../../src/runtime/index.ts";
import { vendorServer } from "./helpers.ts";

/*
 * The example shop's analytics sender, with the incident's identify(), guarded by the allow-list
 * `vendorgate allowlist` writes for the example's stacks. Mixpanel is a local endpoint: the
 * transport under the guard sends what would go to api-eu.mixpanel.com to 127.0.0.1 instead.
 */

const key = "shop-pseudonym-key-kept-by-the-app";
const user = { id: "user-1001", name: "Ann Lee", email: "ann.lee@example.com", orgId: "org-5f2c9a" };
let mixpanel: Awaited<ReturnType<typeof vendorServer>>;
const lists: Record<string, string> = {};

async function allowlistOf(stack: string): Promise<string> {
  let text = "";
  await runAllowlist({ stack, from: "plan", decrypt: true, project: EXAMPLE, now: "2026-11-29" }, (s) => {
    text += s;
  });
  return text;
}

beforeAll(async () => {
  mixpanel = await vendorServer();
  lists.dev = await allowlistOf("dev");
  lists.prod = await allowlistOf("prod");
});
afterAll(() => mixpanel.close());

const toLocal: typeof fetch = (input, init) => {
  const request = new Request(input, init);
  const url = new URL(request.url);
  if (url.origin !== "https://api-eu.mixpanel.com") throw new Error(`unexpected destination ${url.origin}`);
  return fetch(new Request(`${mixpanel.origin}${url.pathname}`, request));
};

describe("the shop's analytics sender", () => {
  it("with identify() copying name, email and organization ID, only approved fields reach Mixpanel, distinct_id pseudonymised", async () => {
    const drops: DropReport[] = [];
    const analytics = createAnalytics({ allowlist: lists.dev!, pseudonymKey: key, token: "mp-demo-token", fetch: toLocal, onDrop: (r) => drops.push(r) });
    analytics.identify(user);
    await analytics.track("Checkout Completed", { $os: "Linux", $browser: "Firefox", $city: "Berlin", cart_total: 129.9 });

    expect(mixpanel.received).toHaveLength(1);
    const raw = mixpanel.received[0]!.body;
    expect(JSON.parse(raw)).toEqual([
      {
        event: "Checkout Completed",
        properties: { $os: "Linux", $browser: "Firefox", $city: "Berlin", distinct_id: createHmac("sha256", key).update(user.id).digest("hex") },
      },
    ]);
    for (const leaked of [user.id, user.name, user.email, user.orgId]) expect(raw).not.toContain(leaked);
    expect(drops).toEqual([
      { integration: "product-analytics", dropped: { "properties.cart_total": 1, "properties.$name": 1, "properties.$email": 1, "properties.org_id": 1 }, untransformable: {} },
    ]);
    expect(mixpanel.received[0]!.headers.authorization).toBe(`Basic ${btoa("mp-demo-token:")}`);
  });

  it("refuses to start on the incident stack's allow-list: the gate blocked it", () => {
    expect(() => createAnalytics({ allowlist: lists.prod!, pseudonymKey: key, token: "t" })).toThrow(/the gate blocked this allow-list \(verdict blocked, stack prod\)/);
  });
});
