import { Spec, Validation } from "@cyclonedx/cyclonedx-library";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInventory } from "../../src/commands/inventory.ts";
import { packageRoot } from "../../src/paths.ts";

const REGISTRY = join(packageRoot, "examples/shop/policy/vendors.yaml");
const CLEAN = join(packageRoot, "examples/shop/manifests/clean.manifest.yaml");
const INCIDENT = join(packageRoot, "examples/shop/manifests/incident.manifest.yaml");

async function inventory(format: "ropa" | "json" | "cyclonedx", extra: Record<string, unknown> = {}): Promise<string> {
  let s = "";
  await runInventory({ format, registry: REGISTRY, manifest: [CLEAN, INCIDENT], state: false, ...extra }, (x) => (s += x), () => {});
  return s;
}

// The library's validator, with the 1.6 schema it ships; it needs ajv, ajv-formats and ajv-formats-draft2019.
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

interface Service {
  "bom-ref": string;
  name: string;
  group: string;
  provider: { name: string };
  endpoints: string[];
  authenticated?: boolean;
  "x-trust-boundary": boolean;
  trustZone: string;
  data: { flow: string; classification: string; name: string; destination: string[] }[];
  properties: { name: string; value: string }[];
}

describe("inventory", () => {
  it("exports a record of processing as CSV, one row per enabled integration", async () => {
    const csv = await inventory("ropa");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "stack,integration,purpose,purpose_name,data_categories,data_category_names,data_subjects,recipient,recipient_key,recipient_status,endpoint,transfer_region,stack_residency,safeguards,dpa_expires,soc2_expires,source",
    );
    // 4 enabled in clean (newsletter-sync is switched off), 6 in the incident manifest.
    expect(lines).toHaveLength(1 + 4 + 6);
    const analytics = lines.find((l) => l.startsWith("prod,product-analytics,"))!;
    expect(analytics).toContain(",Mixpanel,mixpanel,approved,https://api-eu.mixpanel.com,eu,eu; us,");
    expect(analytics).toContain("properties.distinct_id (user.unique_id): pseudonymize; properties.$region (user.location.imprecise): generalize; TLS (https)");
    expect(analytics).toContain("user.behavior.browsing_history; user.device; user.location.imprecise; user.unique_id");
    expect(lines.some((l) => l.includes("newsletter-sync"))).toBe(false);
    // A vendor missing from the registry is still a recipient on record.
    expect(lines.find((l) => l.startsWith("prod-eu,session-replay,"))).toContain(",fullstory,fullstory,not in the registry,");
  });

  it("exports the same records as JSON", async () => {
    const inv = JSON.parse(await inventory("json")) as { records: { stack: string; integration: string; safeguards: { transforms: string[] } }[] };
    expect(inv.records.map((r) => `${r.stack}/${r.integration}`)).toEqual([
      "prod/hr-sync",
      "prod/payments",
      "prod/product-analytics",
      "prod/support-chat",
      "prod-eu/ad-attribution",
      "prod-eu/it-helpdesk",
      "prod-eu/marketing-sync",
      "prod-eu/product-analytics",
      "prod-eu/session-replay",
      "prod-eu/support-chat",
    ]);
  });

  it("exports a CycloneDX 1.6 BOM that validates against the 1.6 JSON schema", async () => {
    const text = await inventory("cyclonedx", { product: "vendorgate-shop" });
    expect(await validator.validate(text)).toBeNull();
    const bom = JSON.parse(text) as { specVersion: string; serialNumber: string; metadata: Record<string, unknown>; services: Service[] };
    expect(bom.specVersion).toBe("1.6");
    expect(bom.metadata.timestamp).toBeUndefined();
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(bom.services).toHaveLength(10);
    const s = bom.services.find((x) => x["bom-ref"] === "integration:prod/product-analytics")!;
    expect(s).toMatchObject({
      name: "product-analytics",
      group: "prod",
      provider: { name: "Mixpanel" },
      endpoints: ["https://api-eu.mixpanel.com"],
      authenticated: true,
      "x-trust-boundary": true,
      trustZone: "vendor:mixpanel",
    });
    expect(s.data.map((d) => [d.flow, d.classification])).toEqual([
      ["inbound", "user.behavior.browsing_history"],
      ["inbound", "user.device"],
      ["inbound", "user.location.imprecise"],
      ["inbound", "user.unique_id"],
    ]);
    expect(s.data[0]!.destination).toEqual(["https://api-eu.mixpanel.com"]);
    expect(s.properties).toContainEqual({ name: "vendorgate:safeguard", value: "properties.distinct_id (user.unique_id): pseudonymize" });
  });

  it("uses a validator that rejects what the schema forbids", async () => {
    const bom = JSON.parse(await inventory("cyclonedx")) as { services: Service[] };
    bom.services[0]!.data[0]!.flow = "sideways";
    expect(await validator.validate(JSON.stringify(bom))).not.toBeNull();
  });

  it("is byte-identical across runs, and dated only when --now pins it", async () => {
    expect(await inventory("cyclonedx")).toBe(await inventory("cyclonedx"));
    expect(await inventory("ropa")).toBe(await inventory("ropa"));
    const pinned = await inventory("cyclonedx", { now: "2026-11-29" });
    expect(await validator.validate(pinned)).toBeNull();
    expect((JSON.parse(pinned) as { metadata: { timestamp: string } }).metadata.timestamp).toBe("2026-11-29T00:00:00.000Z");
    expect(pinned).toBe(await inventory("cyclonedx", { now: "2026-11-29" }));
    expect(JSON.parse(pinned).serialNumber).not.toBe(JSON.parse(await inventory("cyclonedx")).serialNumber);
  });
});
