import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AllowlistError, createGuards, guardFetch, GuardError, type DropReport } from "../../src/runtime/index.ts";
import { guardDispatcher } from "../../src/runtime/undici.ts";
import { allowlist, key, leafPaths, vendorServer } from "./helpers.ts";

/*
 * The vendor is a real HTTP server on 127.0.0.1; requests go through Node's fetch, guarded either
 * by guardFetch or by the undici dispatcher. What the server receives is what would have left.
 */

let vendor: Awaited<ReturnType<typeof vendorServer>>;
let other: Awaited<ReturnType<typeof vendorServer>>;
beforeAll(async () => {
  vendor = await vendorServer();
  other = await vendorServer();
});
afterAll(async () => {
  await vendor.close();
  await other.close();
});

const declaredPaths = ["event", "properties.distinct_id", "properties.$os", "properties.$browser", "properties.$city", "properties.time"];

function analytics(verdict: "pass" | "blocked" = "pass") {
  return allowlist(
    [
      {
        name: "product-analytics",
        vendor: "mixpanel",
        verdict,
        destination: { url: `${vendor.origin}/track` },
        fields: [
          { path: "event", category: "user.behavior", transform: "none" },
          { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
          { path: "properties.$os", category: "user.device", transform: "none" },
          { path: "properties.$browser", category: "user.device", transform: "none" },
          { path: "properties.$city", category: "user.location.imprecise", transform: "none" },
          { path: "properties.time", category: "user.behavior", transform: "none" },
        ],
      },
    ],
    verdict,
  );
}

const senders = {
  guardFetch: (guards: ReturnType<typeof createGuards>) => guardFetch(guards),
  dispatcher: (guards: ReturnType<typeof createGuards>) => {
    const dispatcher = guardDispatcher(guards);
    return (url: string | URL, init?: RequestInit) => fetch(url, { ...init, dispatcher } as RequestInit);
  },
};

/** JSON-safe values, keys drawn so that they sometimes hit declared names and Mixpanel's $ names. */
const keyArb = fc.oneof(fc.constantFrom("event", "properties", "distinct_id", "$os", "$browser", "$city", "time", "$email", "$name", "org_id"), fc.string({ maxLength: 6 }));
const leafArb = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
const valueArb = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leafArb, fc.array(leafArb, { maxLength: 3 }), tie("object")),
  object: fc.dictionary(keyArb, tie("value"), { maxKeys: 6 }),
})).object as fc.Arbitrary<Record<string, unknown>>;
const eventArb = fc.record({ event: leafArb, properties: valueArb }, { requiredKeys: [] }).chain((base) => valueArb.map((extra) => ({ ...extra, ...base })));

describe.each(Object.entries(senders))("%s", (_name, sender) => {
  it("the vendor receives only declared paths, whatever the payload (property test)", async () => {
    const reports: DropReport[] = [];
    const send = sender(createGuards(analytics(), { key, onDrop: (r) => reports.push(r) }));
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { minLength: 1, maxLength: 3 }), async (events) => {
        vendor.received.length = 0;
        const res = await send(`${vendor.origin}/track`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(events) });
        expect(res.status).toBe(200);
        expect(vendor.received).toHaveLength(1);
        const body = JSON.parse(vendor.received[0]!.body) as Record<string, unknown>[];
        expect(body).toHaveLength(events.length);
        body.forEach((sent, i) => {
          for (const path of leafPaths(sent).filter((p) => p !== "")) {
            // A leaf that left is declared, or an (empty) object on the way to a declared one.
            expect(declaredPaths.some((d) => d === path || d.startsWith(`${path}.`))).toBe(true);
          }
          const props = (events[i]!.properties ?? {}) as Record<string, unknown>;
          if (typeof props === "object" && props !== null && typeof props.distinct_id === "string") {
            expect((sent.properties as Record<string, unknown>).distinct_id).toBe(createHmac("sha256", key).update(props.distinct_id).digest("hex"));
          }
        });
      }),
      { numRuns: 60 },
    );
    // Reports carry paths and counts, never values.
    for (const r of reports) for (const count of [...Object.values(r.dropped), ...Object.values(r.untransformable)]) expect(typeof count).toBe("number");
  });

  it("the incident's identify(): name, email and organization ID never arrive; distinct_id arrives pseudonymised", async () => {
    vendor.received.length = 0;
    const reports: DropReport[] = [];
    const send = sender(createGuards(analytics(), { key, onDrop: (r) => reports.push(r) }));
    const event = {
      event: "Checkout",
      properties: { distinct_id: "user-1001", $os: "Linux", $browser: "Firefox", $city: "Berlin", $name: "Ann Lee", $email: "ann@example.com", org_id: "org-77" },
    };
    await send(`${vendor.origin}/track`, { method: "POST", body: JSON.stringify(event) });
    const raw = vendor.received[0]!.body;
    expect(JSON.parse(raw)).toEqual({
      event: "Checkout",
      properties: { distinct_id: createHmac("sha256", key).update("user-1001").digest("hex"), $os: "Linux", $browser: "Firefox", $city: "Berlin" },
    });
    for (const leaked of ["Ann Lee", "ann@example.com", "org-77", "user-1001"]) expect(raw).not.toContain(leaked);
    expect(reports).toEqual([{ integration: "product-analytics", dropped: { "properties.$name": 1, "properties.$email": 1, "properties.org_id": 1 }, untransformable: {} }]);
    expect(JSON.stringify(reports)).not.toContain("ann@example.com");
  });

  it("refuses a request to a host no integration declares: nothing reaches it", async () => {
    other.received.length = 0;
    const send = sender(createGuards(analytics(), { key }));
    await expect(send(`${other.origin}/track`, { method: "POST", body: '{"event":"x"}' })).rejects.toThrow();
    await expect(send(`${other.origin}/`)).rejects.toThrow();
    // Same host, other port or scheme: another origin.
    await expect(send(vendor.origin.replace("127.0.0.1", "localhost") + "/track", { method: "POST", body: "{}" })).rejects.toThrow();
    expect(other.received).toEqual([]);
  });

  it("refuses a body that is not JSON, or sent to a path that is not a declared destination", async () => {
    vendor.received.length = 0;
    const send = sender(createGuards(analytics(), { key }));
    await expect(send(`${vendor.origin}/track`, { method: "POST", body: "data=eyJldmVudCI6IngifQ" })).rejects.toThrow();
    await expect(send(`${vendor.origin}/engage`, { method: "POST", body: '{"$email":"a@b.c"}' })).rejects.toThrow();
    expect(vendor.received).toEqual([]);
    // A request without a body to a declared host passes.
    expect((await send(`${vendor.origin}/decide`)).status).toBe(200);
  });

  it("strict mode: an undeclared field fails the request before the body is sent", async () => {
    vendor.received.length = 0;
    const send = sender(createGuards(analytics(), { key, strict: true }));
    await expect(send(`${vendor.origin}/track`, { method: "POST", body: JSON.stringify({ event: "x", properties: { $email: "a@b.c" } }) })).rejects.toThrow();
    expect(vendor.received.every((r) => r.body === "")).toBe(true);
    expect(vendor.received.map((r) => r.body).join("")).not.toContain("a@b.c");
  });
});

describe("guardFetch errors", () => {
  it("rejects with a GuardError naming the origin", async () => {
    const send = guardFetch(createGuards(analytics(), { key }));
    await expect(send(`${other.origin}/x`)).rejects.toThrow(GuardError);
    await expect(send(`${other.origin}/x`)).rejects.toThrow(`refused a request to ${other.origin}: no declared integration sends data there`);
  });

  it("does not follow a redirect to another host", async () => {
    const { createServer } = await import("node:http");
    const redirector = createServer((_req, res) => {
      res.statusCode = 307;
      res.setHeader("location", `${other.origin}/track`);
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(redirector.address() as { port: number }).port}`;
    const list = allowlist([{ name: "hop", vendor: "v", verdict: "pass", destination: { url: `${origin}/track` }, fields: [{ path: "a", category: "user.behavior", transform: "none" }] }]);
    other.received.length = 0;
    try {
      await expect(guardFetch(createGuards(list))(`${origin}/track`, { method: "POST", body: '{"a":1}' })).rejects.toThrow();
      const viaDispatcher = guardDispatcher(createGuards(list));
      await expect(fetch(`${origin}/track`, { method: "POST", body: '{"a":1}', dispatcher: viaDispatcher } as RequestInit)).rejects.toThrow();
      expect(other.received).toEqual([]);
    } finally {
      redirector.closeAllConnections();
      await new Promise((r) => redirector.close(r));
    }
  });
});

describe("allow-lists a guard refuses", () => {
  it("a blocked verdict", () => {
    expect(() => createGuards(analytics("blocked"), { key })).toThrow(AllowlistError);
    expect(() => createGuards(analytics("blocked"), { key })).toThrow(/the gate blocked this allow-list \(verdict blocked, stack dev\)/);
  });

  it("a passing list with a blocked integration", () => {
    const list = { ...analytics(), integrations: analytics("blocked").integrations };
    expect(() => createGuards(list, { key })).toThrow(/the gate blocked integration "product-analytics"/);
  });

  it("another schema version, another kind of document, or a malformed one", () => {
    expect(() => createGuards({ ...analytics(), schemaVersion: 2 }, { key })).toThrow(/schemaVersion: expected 1/);
    expect(() => createGuards({ violations: [], summary: {} }, { key })).toThrow(/kind: expected "vendorgate\/allowlist"/);
    expect(() => createGuards("not json", { key })).toThrow(/is not JSON/);
    const proto = analytics();
    proto.integrations[0]!.fields.push({ path: "properties.__proto__.polluted", category: "user.behavior", transform: "none" });
    expect(() => createGuards(proto, { key })).toThrow(/would reach an object's prototype/);
  });

  it("a blocked allow-list refuses even as JSON text", () => {
    expect(() => createGuards(JSON.stringify(analytics("blocked")), { key })).toThrow(AllowlistError);
  });
});
