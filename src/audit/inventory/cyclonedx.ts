import { createHash } from "node:crypto";
import { Enums, Models, Serialize, Spec } from "@cyclonedx/cyclonedx-library";
import type { Inventory, ProcessingRecord } from "./inventory.ts";

/*
 * The inventory as a CycloneDX 1.6 BOM: each integration is a service provided by its vendor.
 * The library builds and serialises the BOM, but its Service model (10.x) has no endpoints,
 * authentication, trust-zone or data-flow fields, although the 1.6 schema does; those are added
 * to the library's normalised output here, and the result is checked against the 1.6 schema in
 * the tests with the library's own validator.
 */

export interface BomOptions {
  /** The product the BOM describes (metadata.component). */
  product: string;
  tool: { name: string; version: string };
  /** Pins metadata.timestamp; without it the BOM has none, so the same inputs give the same bytes. */
  now?: string;
}

const refOf = (r: ProcessingRecord) => `integration:${r.stack}/${r.integration}`;

/** The service fields of CycloneDX 1.6 in schema order, so the output reads like the spec. */
const SERVICE_KEYS = [
  "bom-ref",
  "provider",
  "group",
  "name",
  "version",
  "description",
  "endpoints",
  "authenticated",
  "x-trust-boundary",
  "trustZone",
  "data",
  "licenses",
  "externalReferences",
  "services",
  "releaseNotes",
  "properties",
  "tags",
];

function dataFlows(r: ProcessingRecord): object[] {
  return r.categories.map((c) => {
    const fields = r.fields.filter((f) => f.category === c.key);
    return {
      // Direction is relative to the service: the personal data enters the vendor's service.
      flow: "inbound",
      classification: c.key,
      name: c.name,
      description: `Fields ${fields.map((f) => `${f.path} (${f.transform === "none" ? "sent as is" : f.transform})`).join(", ")}, for ${r.purpose.key}`,
      governance: { custodians: [{ organization: { name: r.recipient.name } }] },
      destination: [r.endpoint],
    };
  });
}

function extraFields(r: ProcessingRecord): Record<string, unknown> {
  return {
    endpoints: [r.endpoint],
    ...(r.safeguards.secretCredential !== undefined ? { authenticated: true } : {}),
    // Every integration hands personal data to a third party: always a trust-boundary crossing.
    "x-trust-boundary": true,
    trustZone: `vendor:${r.recipient.vendor}`,
    data: dataFlows(r),
  };
}

function serviceOf(r: ProcessingRecord): Models.Service {
  const properties = new Models.PropertyRepository();
  const add = (name: string, value: string) => properties.add(new Models.Property(`vendorgate:${name}`, value));
  add("vendor", r.recipient.vendor);
  add("vendor-status", r.recipient.status);
  add("purpose", r.purpose.key);
  for (const s of r.subjects) add("data-subject", s.key);
  add("transfer-region", r.transferRegion);
  if (r.residency) add("stack-residency", r.residency.join(","));
  for (const t of r.safeguards.transforms) add("safeguard", t);
  if (r.safeguards.dpaExpires) add("dpa-expires", r.safeguards.dpaExpires);
  if (r.safeguards.soc2Expires) add("soc2-expires", r.safeguards.soc2Expires);
  add("source", r.source);
  return new Models.Service(r.integration, {
    bomRef: refOf(r),
    group: r.stack,
    provider: new Models.OrganizationalEntity({ name: r.recipient.name }),
    description: `${r.purpose.name} (${r.purpose.key}) about ${r.subjects.map((s) => s.name).join(", ")}`,
    properties,
  });
}

/** UUID-shaped (version 8: custom) from the content, so the same BOM always has the same serial. */
function contentSerial(text: string): string {
  const h = createHash("sha256").update(text).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function formatCycloneDx(inv: Inventory, opts: BomOptions): string {
  const bom = new Models.Bom();
  if (opts.now) bom.metadata.timestamp = new Date(`${opts.now}T00:00:00Z`);
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, opts.tool.name, { version: opts.tool.version }));
  bom.metadata.component = new Models.Component(Enums.ComponentType.Application, opts.product, { bomRef: "product" });
  for (const r of inv.records) bom.services.add(serviceOf(r));

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  // Insertion order (records are sorted already): the library's own sorting compares with
  // localeCompare, which may differ between machines.
  const normalized = JSON.parse(serializer.serialize(bom, { sortLists: false })) as Record<string, unknown> & {
    services?: Record<string, unknown>[];
  };
  const byRef = new Map(inv.records.map((r) => [refOf(r), r]));
  if (normalized.services) {
    normalized.services = normalized.services.map((s) => {
      const merged: Record<string, unknown> = { ...s, ...extraFields(byRef.get(String(s["bom-ref"]))!) };
      const ordered: Record<string, unknown> = {};
      for (const k of SERVICE_KEYS) if (merged[k] !== undefined) ordered[k] = merged[k];
      return ordered;
    });
  }
  delete normalized.serialNumber;
  const { $schema, bomFormat, specVersion, version, ...tail } = normalized;
  const serialNumber = contentSerial(JSON.stringify(normalized));
  const ordered = { $schema: $schema ?? "http://cyclonedx.org/schema/bom-1.6.schema.json", bomFormat, specVersion, serialNumber, version, ...tail };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
