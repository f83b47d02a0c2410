import { nameOf, parentOf, type Taxonomy, type TaxonomyKind } from "../../model/index.ts";

/*
 * Words for people who are not privacy engineers: a notification letter says "email address",
 * not "user.contact.email" nor fideslang's "User Contact Email". Keys listed here read better
 * in a letter than their taxonomy name; every other key (the registry's own additions included)
 * falls back to its taxonomy name, lightly cleaned.
 */
const plainCategories: Readonly<Record<string, string>> = {
  "user.account.username": "username",
  "user.behavior": "how you use our product",
  "user.behavior.browsing_history": "browsing history (such as the page that referred you)",
  "user.contact.address": "postal address",
  "user.contact.email": "email address",
  "user.contact.organization": "organization",
  "user.contact.phone_number": "phone number",
  "user.device": "device information (such as operating system and browser)",
  "user.device.cookie_id": "cookie identifier",
  "user.device.device_id": "device identifier",
  "user.device.ip_address": "IP address",
  "user.location": "location",
  "user.location.imprecise": "approximate location (such as city or region)",
  "user.location.precise": "precise location",
  "user.name": "name",
  "user.name.first": "first name",
  "user.name.last": "last name",
  "user.unique_id": "user ID",
  "user.unique_id.pseudonymous": "pseudonymous user ID",
};

const plainSubjects: Readonly<Record<string, string>> = {
  customer: "customers",
  employee: "employees",
  prospect: "prospective customers",
};

/** Lower-case except acronyms and the first letter decided by the caller. */
function soften(name: string): string {
  return name
    .replace(/^User Contact /, "")
    .replace(/^User /, "")
    .replace(/ Subject /, " ")
    .split(" ")
    .map((w) => (/^[A-Z0-9]{2,}$/.test(w) ? w : w.toLowerCase()))
    .join(" ");
}

export function plainName(taxonomy: Taxonomy, kind: TaxonomyKind, key: string): string {
  if (kind === "categories" && plainCategories[key]) return plainCategories[key];
  if (kind === "subjects" && plainSubjects[key]) return plainSubjects[key];
  const name = nameOf(taxonomy, kind, key);
  if (name !== undefined) return soften(name);
  // A key no longer in the taxonomy (history outlives renames): name it by its nearest known parent.
  for (let p = parentOf(key); p !== undefined; p = parentOf(p)) {
    const parentName = nameOf(taxonomy, kind, p);
    if (parentName !== undefined) return `${soften(parentName)} (${key})`;
  }
  return key;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const transformWords: Readonly<Record<string, string>> = {
  hash: "hashed",
  pseudonymize: "pseudonymised",
  truncate: "truncated",
  generalize: "generalised",
};

/** "pseudonymised", "partly hashed", or undefined when sent as is. */
export function transformPhrase(transforms: readonly string[]): string | undefined {
  const applied = transforms.filter((t) => t !== "none");
  if (applied.length === 0) return undefined;
  const words = [...new Set(applied.map((t) => transformWords[t] ?? t))].sort().join(" or ");
  return applied.length === transforms.length ? words : `partly ${words}`;
}
