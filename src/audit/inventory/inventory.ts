import { nameOf, type Registry, type Taxonomy } from "../../model/index.ts";
import { compareFlows, type Flow, stackLabel } from "../../sources/flows.ts";
import { csvLine, uniqueSorted } from "../../text/output.ts";
import { displayUrl } from "../../model/url.ts";

/*
 * The record of processing (GDPR Art. 30 style) built from the declarations: one record per
 * enabled integration, saying what is sent, about whom, why, to whom and where, and which
 * safeguards (transforms, TLS, a secret credential, the DPA) apply.
 */

export interface Named {
  key: string;
  name: string;
}

export interface ProcessingRecord {
  stack: string;
  integration: string;
  source: string;
  purpose: Named;
  categories: Named[];
  subjects: Named[];
  recipient: { vendor: string; name: string; status: string };
  endpoint: string;
  transferRegion: string;
  /** Regions the stack's data may go to, when the stack says. */
  residency?: string[];
  fields: { path: string; category: string; transform: string }[];
  safeguards: {
    /** One entry per field sent with a transform: `path (category): transform`. */
    transforms: string[];
    tls: boolean;
    secretCredential?: boolean;
    dpaExpires?: string;
    soc2Expires?: string;
  };
}

export interface Inventory {
  records: ProcessingRecord[];
  sources: string[];
}

const named = (taxonomy: Taxonomy, kind: "categories" | "uses" | "subjects", key: string): Named => ({
  key,
  name: nameOf(taxonomy, kind, key) ?? key,
});

export function buildInventory(flows: readonly Flow[], registry: Registry, taxonomy: Taxonomy, sources: string[]): Inventory {
  const records = flows
    .filter((f) => f.integration.enabled)
    .sort(compareFlows)
    .map((f): ProcessingRecord => {
      const i = f.integration;
      const v = registry.vendors[i.vendor];
      let tls = false;
      try {
        tls = new URL(i.destination.url).protocol === "https:";
      } catch {
        // A redacted or malformed URL proves nothing about transport security.
      }
      return {
        stack: stackLabel(f),
        integration: i.name,
        source: f.file,
        purpose: named(taxonomy, "uses", i.purpose),
        categories: uniqueSorted(i.fields.map((x) => x.category)).map((c) => named(taxonomy, "categories", c)),
        subjects: uniqueSorted(i.subjects).map((s) => named(taxonomy, "subjects", s)),
        recipient: { vendor: i.vendor, name: v?.name ?? i.vendor, status: v?.status ?? "not in the registry" },
        endpoint: displayUrl(i.destination.url),
        transferRegion: i.destination.region,
        ...(f.residency ? { residency: [...f.residency] } : {}),
        fields: i.fields.map((x) => ({ ...x })),
        safeguards: {
          transforms: i.fields.filter((x) => x.transform !== "none").map((x) => `${x.path} (${x.category}): ${x.transform}`),
          tls,
          ...(i.credentials ? { secretCredential: i.credentials.secret } : {}),
          ...(v?.assurance.dpa ? { dpaExpires: v.assurance.dpa.expires } : {}),
          ...(v?.assurance.soc2 ? { soc2Expires: v.assurance.soc2.expires } : {}),
        },
      };
    });
  return { records, sources };
}

export function formatRopa(inv: Inventory): string {
  let out = csvLine([
    "stack",
    "integration",
    "purpose",
    "purpose_name",
    "data_categories",
    "data_category_names",
    "data_subjects",
    "recipient",
    "recipient_key",
    "recipient_status",
    "endpoint",
    "transfer_region",
    "stack_residency",
    "safeguards",
    "dpa_expires",
    "soc2_expires",
    "source",
  ]);
  for (const r of inv.records) {
    const safeguards = [
      ...r.safeguards.transforms,
      ...(r.safeguards.tls ? ["TLS (https)"] : []),
      ...(r.safeguards.secretCredential ? ["credential kept as a secret"] : []),
    ];
    out += csvLine([
      r.stack,
      r.integration,
      r.purpose.key,
      r.purpose.name,
      r.categories.map((c) => c.key).join("; "),
      r.categories.map((c) => c.name).join("; "),
      r.subjects.map((s) => s.key).join("; "),
      r.recipient.name,
      r.recipient.vendor,
      r.recipient.status,
      r.endpoint,
      r.transferRegion,
      r.residency?.join("; ") ?? "",
      safeguards.join("; "),
      r.safeguards.dpaExpires ?? "",
      r.safeguards.soc2Expires ?? "",
      r.source,
    ]);
  }
  return out;
}

export function formatInventoryJson(inv: Inventory): string {
  return `${JSON.stringify(inv, null, 2)}\n`;
}
