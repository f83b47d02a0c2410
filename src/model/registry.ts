import * as z from "zod";
import type { Transform } from "./integration.ts";
import { enforcementLevelSchema } from "./config.ts";
import { DEFAULT_MAX_EXCEPTION_LIFETIME_DAYS } from "./exceptions.ts";
import {
  always,
  apiVersionSchema,
  isoDateSchema,
  namePattern,
  nonEmptyString,
  regionSchema,
  ruleIdPattern,
  strictObject,
  taxonomyKeySchema,
} from "./primitives.ts";
import {
  covers,
  defaultTaxonomy,
  extendTaxonomyLeniently,
  extensionIssues,
  type Taxonomy,
  taxonomyKeyPattern,
} from "./taxonomy.ts";

export const vendorStatuses = ["approved", "under_review", "suspended", "prohibited"] as const;
export type VendorStatus = (typeof vendorStatuses)[number];

/** A host name: the endpoint host must equal one of these or be a subdomain. */
export const domainPattern = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

const hostName = z.string().regex(domainPattern, {
  error: (iss) => `expected a lowercase host name such as mixpanel.com, got ${JSON.stringify(iss.input)}`,
});

const taxonomyEntrySchema = strictObject({
  key: z.string().regex(taxonomyKeyPattern, {
    error: "expected a lowercase dotted key such as user.contact.loyalty_id",
  }),
  name: nonEmptyString.describe("Human-readable name, used in notification letters."),
});

/** The registry's `taxonomy:` section: keys added under existing fideslang keys. */
export const taxonomyExtensionSchema = strictObject({
  dataCategories: z.array(taxonomyEntrySchema).optional(),
  dataUses: z.array(taxonomyEntrySchema).optional(),
  dataSubjects: z.array(taxonomyEntrySchema).optional(),
})
  .superRefine((ext, ctx) => {
    // Against the shipped defaults: an extension cannot build on itself from another registry.
    for (const issue of extensionIssues(defaultTaxonomy, ext)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  })
  .describe("Keys this organisation adds to the fideslang taxonomy; each hangs under an existing key.");

/** Transforms that make a category acceptable; `none` transforms nothing, so it is no such condition. */
export const acceptingTransforms = ["hash", "pseudonymize", "truncate", "generalize"] as const satisfies readonly Transform[];
const requiredTransformSchema = z.enum(acceptingTransforms, {
  error: (iss) =>
    iss.input === "none"
      ? `"none" is not a transform that makes a category acceptable (expected ${acceptingTransforms.join(", ")})`
      : undefined,
});

const cache = new WeakMap<Taxonomy, ReturnType<typeof build>>();

function build(taxonomy: Taxonomy) {
  const category = taxonomyKeySchema(taxonomy, "categories");
  const approval = strictObject({
    purpose: taxonomyKeySchema(taxonomy, "uses"),
    subjects: z.array(taxonomyKeySchema(taxonomy, "subjects")).min(1).optional().describe("Absent = any data subject."),
    categories: z.array(category).describe("Data categories approved for this purpose."),
    requireTransform: z
      .record(category, z.array(requiredTransformSchema).min(1))
      .optional()
      .describe("Category -> transforms that make it acceptable; a field of that category needs one of them."),
  }).superRefine((a: unknown, ctx) => {
    // A condition on a category the approval does not cover can never apply: almost surely a typo.
    if (typeof a !== "object" || a === null || !("requireTransform" in a) || !("categories" in a)) return;
    const { requireTransform, categories } = a;
    if (typeof requireTransform !== "object" || requireTransform === null || !Array.isArray(categories)) return;
    for (const key of Object.keys(requireTransform)) {
      if (!categories.some((c) => typeof c === "string" && covers(c, key))) {
        ctx.addIssue({
          code: "custom",
          path: ["requireTransform", key],
          message: `"${key}" is not covered by this approval's categories, so the requirement would never apply`,
          input: key,
          params: { at: "key" },
        });
      }
    }
  }, always);
  const vendor = strictObject({
    name: nonEmptyString,
    status: z.enum(vendorStatuses),
    statusReason: nonEmptyString.optional().describe("Why the status is what it is (written by `vendor suspend`)."),
    statusChanged: isoDateSchema.optional().describe("When the status last changed (YYYY-MM-DD)."),
    statusBy: nonEmptyString.optional().describe("Who changed the status."),
    domains: z
      .array(hostName)
      .default([])
      .describe("Endpoint hosts must equal one of these or be a subdomain."),
    hosts: z
      .array(hostName)
      .optional()
      .describe(
        "Exact endpoint hosts, for multi-tenant services where a subdomain is another customer's tenant (acme.zendesk.com): a host must equal one of these or match domains.",
      ),
    ports: z
      .array(z.number().int().min(1).max(65535))
      .optional()
      .describe("Ports other than the scheme's default that the vendor's endpoints use; any other explicit port is VG008."),
    accounts: z
      .array(z.string().regex(/^\d{12}$/, { error: (iss) => `expected a 12-digit AWS account id, got ${JSON.stringify(iss.input)}` }))
      .optional()
      .describe("AWS accounts of the vendor that the stack may deliver to (a bucket, bus or stream in the vendor's account)."),
    regionHosts: z
      .record(regionSchema, z.array(hostName).min(1))
      .optional()
      .describe("Hosts per region, where the vendor serves regions from distinct hosts: the declared destination.region must list the host."),
    regions: z.array(regionSchema),
    assurance: strictObject({
      dpa: strictObject({ expires: isoDateSchema }).optional(),
      soc2: strictObject({ expires: isoDateSchema }).optional(),
    }).default({}),
    approvals: z.array(approval).default([]),
  });
  return strictObject({
    apiVersion: apiVersionSchema,
    prohibitedCategories: z.array(category).describe("No vendor may receive these; no exception lifts it."),
    vendors: z.record(
      z.string().regex(namePattern, {
        error: (iss) => `expected a vendor key of lowercase letters, digits and dashes, got ${JSON.stringify(iss.input)}`,
      }),
      vendor,
    ),
    taxonomy: taxonomyExtensionSchema.optional(),
    policy: strictObject({
      enforcement: z
        .record(z.string().regex(ruleIdPattern, { error: "expected a rule id such as VG009" }), enforcementLevelSchema)
        .optional()
        .describe("Rule id -> mandatory | advisory | disabled for every project that uses this registry. VG006 is always mandatory."),
      maxExceptionLifetimeDays: z
        .number()
        .int()
        .min(1)
        .max(3650)
        .optional()
        .describe(`The longest an exception may run past the evaluation date, in days (default ${DEFAULT_MAX_EXCEPTION_LIFETIME_DAYS}).`),
    })
      .optional()
      .describe("Security's policy: enforcement levels and exception limits."),
  }).meta({ title: "vendorgate vendor registry", description: "Which vendors may receive which personal data, for what (the file vendorgate.yaml's `registry` names)." });
}

/**
 * The registry, with taxonomy keys checked against `taxonomy`: pass the registry's own effective
 * taxonomy ({@link registryTaxonomy}), since its `taxonomy:` section may add keys it uses.
 */
export function registrySchema(taxonomy: Taxonomy) {
  let s = cache.get(taxonomy);
  if (!s) cache.set(taxonomy, (s = build(taxonomy)));
  return s;
}

/**
 * The taxonomy a registry document declares: the defaults plus the well-formed keys of its
 * `taxonomy:` section. Lenient on purpose, so that the registry's other mistakes are still found
 * in the same pass; the section's own errors are reported by the schema.
 */
export function registryTaxonomy(data: unknown): Taxonomy {
  const ext = typeof data === "object" && data !== null ? (data as Record<string, unknown>).taxonomy : undefined;
  return extendTaxonomyLeniently(defaultTaxonomy, ext);
}

export type Registry = z.output<ReturnType<typeof registrySchema>>;
export type RegistryInput = z.input<ReturnType<typeof registrySchema>>;
export type Vendor = Registry["vendors"][string];
export type Approval = Vendor["approvals"][number];

/** A vendor's status and the record of its last change, the fields present only when set (for JSON output). */
export function vendorStatusRecord(v: Vendor): Pick<Vendor, "status" | "statusReason" | "statusChanged" | "statusBy"> {
  return {
    status: v.status,
    ...(v.statusReason ? { statusReason: v.statusReason } : {}),
    ...(v.statusChanged ? { statusChanged: v.statusChanged } : {}),
    ...(v.statusBy ? { statusBy: v.statusBy } : {}),
  };
}
export type TaxonomyExtensionInput = z.output<typeof taxonomyExtensionSchema>;
