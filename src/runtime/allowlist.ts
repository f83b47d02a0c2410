import { ALLOWLIST_KIND, ALLOWLIST_SCHEMA_VERSION, pathProblem, sources, transforms, verdicts, type AllowlistSource, type Transform, type Verdict } from "./format.ts";

/*
 * The guard's own check of an allow-list. The shape is defined by the zod schema in
 * src/model/allowlist.ts (and its generated JSON Schema); this repeats it by hand so that the
 * run-time guard carries no validation library into a browser bundle. A property test holds the
 * two to the same answers.
 */

export interface AllowlistField {
  path: string;
  category: string;
  transform: Transform;
}

export interface AllowlistIntegration {
  name: string;
  vendor: string;
  verdict: Verdict;
  destination: { url: string };
  fields: AllowlistField[];
}

export interface Allowlist {
  kind: typeof ALLOWLIST_KIND;
  schemaVersion: typeof ALLOWLIST_SCHEMA_VERSION;
  source: AllowlistSource;
  stack?: string;
  policy?: { bundleDigest: string };
  verdict: Verdict;
  integrations: AllowlistIntegration[];
}

/** An allow-list the guard will not enforce: malformed, of another version, or blocked by the gate. */
export class AllowlistError extends Error {
  override name = "AllowlistError";
}

const namePattern = /^[a-z0-9][a-z0-9-]*$/;
const categoryPattern = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*$/;
const digestPattern = /^sha256:[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function fail(at: string, what: string): never {
  throw new AllowlistError(`allow-list ${at}: ${what}`);
}

function onlyKeys(o: Obj, at: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const k of required) if (!Object.hasOwn(o, k)) fail(at, `missing "${k}"`);
  for (const k of Object.keys(o)) if (!required.includes(k) && !optional.includes(k)) fail(at, `unknown property "${k}"`);
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], at: string): T {
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) fail(at, `expected one of ${allowed.join(", ")}`);
  return v as T;
}

function matching(v: unknown, pattern: RegExp, at: string, what: string): string {
  if (typeof v !== "string" || !pattern.test(v)) fail(at, `expected ${what}`);
  return v;
}

function destinationUrl(v: unknown, at: string): string {
  if (typeof v !== "string") fail(at, "expected a URL");
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    fail(at, "expected a URL");
  }
  if (!url.hostname) fail(at, "expected a URL with a host");
  if (url.username || url.password) fail(at, "the URL carries credentials");
  return v;
}

function field(v: unknown, at: string): AllowlistField {
  if (!isObj(v)) fail(at, "expected an object");
  onlyKeys(v, at, ["path", "category", "transform"]);
  if (typeof v.path !== "string") fail(`${at}.path`, "expected a string");
  const problem = pathProblem(v.path);
  if (problem) fail(`${at}.path`, problem);
  return {
    path: v.path,
    category: matching(v.category, categoryPattern, `${at}.category`, "a data category key"),
    transform: oneOf(v.transform, transforms, `${at}.transform`),
  };
}

function integration(v: unknown, at: string): AllowlistIntegration {
  if (!isObj(v)) fail(at, "expected an object");
  onlyKeys(v, at, ["name", "vendor", "verdict", "destination", "fields"]);
  const dest = v.destination;
  if (!isObj(dest)) fail(`${at}.destination`, "expected an object");
  onlyKeys(dest, `${at}.destination`, ["url"]);
  if (!Array.isArray(v.fields)) fail(`${at}.fields`, "expected an array");
  const fields = v.fields.map((f, n) => field(f, `${at}.fields[${n}]`));
  const paths = new Set<string>();
  fields.forEach((f, n) => {
    if (paths.has(f.path)) fail(`${at}.fields[${n}].path`, `duplicate field path "${f.path}"`);
    paths.add(f.path);
  });
  return {
    name: matching(v.name, namePattern, `${at}.name`, "an integration name"),
    vendor: matching(v.vendor, namePattern, `${at}.vendor`, "a vendor key"),
    verdict: oneOf(v.verdict, verdicts, `${at}.verdict`),
    destination: { url: destinationUrl(dest.url, `${at}.destination.url`) },
    fields,
  };
}

/**
 * The allow-list as the guard will use it: a structural copy (later changes to the caller's
 * object change nothing), or an AllowlistError naming the place that is wrong. Accepts the
 * document or its JSON text.
 */
export function parseAllowlist(input: unknown): Allowlist {
  let doc = input;
  if (typeof doc === "string") {
    try {
      doc = JSON.parse(doc) as unknown;
    } catch {
      fail("text", "is not JSON");
    }
  }
  if (!isObj(doc)) fail("document", "expected an object");
  if (doc.kind !== ALLOWLIST_KIND) fail("kind", `expected "${ALLOWLIST_KIND}" (is this an allow-list written by \`vendorgate allowlist\`?)`);
  if (doc.schemaVersion !== ALLOWLIST_SCHEMA_VERSION) {
    fail("schemaVersion", `expected ${ALLOWLIST_SCHEMA_VERSION}; this guard does not know what another version means`);
  }
  onlyKeys(doc, "document", ["kind", "schemaVersion", "source", "verdict", "integrations"], ["stack", "policy"]);
  const source = oneOf(doc.source, sources, "source");
  let policy: Allowlist["policy"];
  if (doc.policy !== undefined) {
    if (!isObj(doc.policy)) fail("policy", "expected an object");
    onlyKeys(doc.policy, "policy", ["bundleDigest"]);
    policy = { bundleDigest: matching(doc.policy.bundleDigest, digestPattern, "policy.bundleDigest", "sha256:<64 hex digits>") };
  } else if (source !== "deploy") {
    fail("policy", "missing: a judged allow-list names the policy bundle that judged it");
  }
  if (doc.stack !== undefined && (typeof doc.stack !== "string" || doc.stack.length === 0)) fail("stack", "expected a stack name");
  if (!Array.isArray(doc.integrations)) fail("integrations", "expected an array");
  const integrations = doc.integrations.map((i, n) => integration(i, `integrations[${n}]`));
  const names = new Set<string>();
  integrations.forEach((i, n) => {
    if (names.has(i.name)) fail(`integrations[${n}].name`, `duplicate integration "${i.name}"`);
    names.add(i.name);
  });
  return {
    kind: ALLOWLIST_KIND,
    schemaVersion: ALLOWLIST_SCHEMA_VERSION,
    source,
    ...(doc.stack !== undefined ? { stack: doc.stack as string } : {}),
    ...(policy ? { policy } : {}),
    verdict: oneOf(doc.verdict, verdicts, "verdict"),
    integrations,
  };
}
