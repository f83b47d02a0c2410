import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { compactVerify, decodeProtectedHeader, importSPKI } from "jose";
import { extract } from "tar-stream";
import { parse as parseYaml } from "yaml";
import { PolicyFault } from "../engine/errors.ts";
import { sha256Digest } from "../model/index.ts";

/*
 * The organisation's policy as one OPA bundle (`opa build -b … --signing-key …`): registry,
 * exceptions and custom rules that no pull request can edit. vendorgate.yaml names it by URL or
 * path together with its sha256 digest and security's public key; nothing in it is used before
 * the digest and the signature (a JWT in .signatures.json over every file's hash, as OPA writes
 * and checks it) are verified. Any doubt is a policy fault: the deploy is blocked, never judged
 * with a policy that might not be security's.
 */

export interface BundleReference {
  /** http(s) URL of the bundle, or… */
  url?: string | undefined;
  /** …a path to it (relative to vendorgate.yaml's folder). */
  path?: string | undefined;
  /** sha256 of the .tar.gz as served: `sha256:<64 hex>` or the bare hex. */
  digest: string;
  /** Security's public key (SPKI): the PEM text itself, or a PEM file relative to vendorgate.yaml's folder. */
  publicKey: string;
}

export interface VerifiedBundle {
  /** Where it came from, as vendorgate.yaml names it. */
  source: string;
  /** `sha256:<hex>` of the bundle as fetched. */
  digest: string;
  /** The signing key id the JWT names (OPA's `keyid`, default "default"). */
  keyId: string | undefined;
  /** The bundle's data document (data.json): `registry`, `exceptions`. */
  data: Record<string, unknown>;
  /** Every file of the bundle by its name inside it, signatures and manifest left out. */
  files: ReadonlyMap<string, Buffer>;
}

/** Bounds on what a bundle may hold, so a hostile server cannot exhaust memory. */
export const bundleLimits = { maxBytes: 32 << 20, maxFiles: 10_000 } as const;

/** Asymmetric algorithms only: an HMAC "signature" would need the secret on every CI runner. */
const allowedAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
const hashAlgorithms: Record<string, string> = { "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

const SIGNATURES = ".signatures.json";
const MANIFEST = ".manifest";

function fault(source: string, why: string): PolicyFault {
  return new PolicyFault(`signed policy bundle ${source}: ${why}`);
}

/** The digest as `sha256:<hex>`, or undefined when it is not one. */
export function normalizeDigest(digest: string): string | undefined {
  const m = /^(?:sha256:)?([0-9a-f]{64})$/.exec(digest.trim().toLowerCase());
  return m ? `sha256:${m[1]}` : undefined;
}

/** Reads the bundle from its URL (a real HTTP GET, no cache) or path; `root` is vendorgate.yaml's folder. */
export async function fetchBundle(ref: BundleReference, root: string): Promise<{ source: string; bytes: Uint8Array }> {
  if (ref.url !== undefined) {
    const source = ref.url;
    let res: Response;
    try {
      res = await fetch(ref.url, { redirect: "error", signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw fault(source, `cannot be fetched (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message})`);
    }
    if (!res.ok) throw fault(source, `cannot be fetched (HTTP ${res.status})`);
    const length = Number(res.headers.get("content-length") ?? "0");
    if (length > bundleLimits.maxBytes) throw fault(source, `is ${length} bytes, over the limit of ${bundleLimits.maxBytes}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.byteLength > bundleLimits.maxBytes) throw fault(source, `is over the limit of ${bundleLimits.maxBytes} bytes`);
    return { source, bytes };
  }
  if (ref.path === undefined) throw fault("(none)", "vendorgate.yaml names neither a url nor a path");
  const path = isAbsolute(ref.path) ? ref.path : resolve(root, ref.path);
  try {
    return { source: ref.path, bytes: await readFile(path) };
  } catch (err) {
    throw fault(ref.path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** The files of a .tar.gz, by name without the leading "/"; only regular files, each once. */
async function untar(bytes: Uint8Array, source: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = extract();
  let total = 0;
  const done = new Promise<void>((resolveDone, reject) => {
    ex.on("entry", (header, stream, next) => {
      const name = header.name.replace(/^\.?\/+/, "");
      if (header.type === "directory") {
        stream.resume();
        stream.on("end", next);
        return;
      }
      if (header.type !== "file") {
        reject(fault(source, `holds ${header.type} ${name}: only regular files may be in a policy bundle`));
        stream.resume();
        return;
      }
      if (files.has(name)) {
        reject(fault(source, `holds ${name} twice`));
        stream.resume();
        return;
      }
      if (files.size >= bundleLimits.maxFiles) {
        reject(fault(source, `holds more than ${bundleLimits.maxFiles} files`));
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on("data", (data: unknown) => {
        const c = data as Buffer;
        total += c.length;
        if (total > bundleLimits.maxBytes) {
          reject(fault(source, `unpacks to more than ${bundleLimits.maxBytes} bytes`));
          stream.destroy();
          return;
        }
        chunks.push(c);
      });
      stream.on("end", () => {
        files.set(name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on("finish", () => resolveDone());
    ex.on("error", (err) => reject(fault(source, `is not a gzipped tar archive (${err.message})`)));
  });
  const gunzip = createGunzip();
  gunzip.on("error", (err) => ex.destroy(err));
  Readable.from([Buffer.from(bytes)]).pipe(gunzip).pipe(ex);
  await done;
  return files;
}

/** A JSON number kept as written: OPA hashes numbers by their text, not their value. */
class NumberText {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

function parseJsonKeepingNumbers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? new NumberText(context.source) : value,
  );
}

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Go's encoding/json for a string with HTML escaping off: JSON.stringify plus U+2028/U+2029. */
const goString = (s: string) => JSON.stringify(s).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/**
 * OPA's digest of a structured file (bundle/hash.go): objects with keys in byte order, arrays in
 * order, each primitive as Go's JSON encoder writes it. Whitespace and key order do not count.
 */
function walk(v: unknown, out: string[]): void {
  if (v instanceof NumberText) out.push(v.text);
  else if (Array.isArray(v)) {
    out.push("[");
    v.forEach((e, i) => {
      if (i > 0) out.push(",");
      walk(e, out);
    });
    out.push("]");
  } else if (v !== null && typeof v === "object") {
    out.push("{");
    Object.keys(v)
      .sort(utf8Order)
      .forEach((k, i) => {
        if (i > 0) out.push(",");
        out.push(goString(k), ":");
        walk((v as Record<string, unknown>)[k], out);
      });
    out.push("}");
  } else if (typeof v === "string") out.push(goString(v));
  else out.push(JSON.stringify(v ?? null));
}

const isStructured = (name: string) => {
  const base = name.split("/").at(-1);
  return base === "data.json" || base === "data.yaml" || base === MANIFEST || base === SIGNATURES;
};

function fileDigest(name: string, content: Buffer, algorithm: string): string {
  const h = createHash(algorithm);
  if (!isStructured(name)) return h.update(content).digest("hex");
  const text = content.toString("utf8");
  const value = name.endsWith(".yaml") ? (parseYaml(text) as unknown) : parseJsonKeepingNumbers(text);
  const parts: string[] = [];
  walk(value, parts);
  return h.update(parts.join("")).digest("hex");
}

interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

function signedFiles(payload: unknown, source: string): { files: SignedFile[]; keyId: string | undefined } {
  const p = payload as { files?: unknown; keyid?: unknown; scope?: unknown };
  if (!Array.isArray(p?.files)) throw fault(source, "the signature's payload lists no files");
  if (p.scope !== undefined && p.scope !== "") throw fault(source, `the signature is scoped to "${String(p.scope)}", which vendorgate does not accept`);
  const files = p.files.map((f: unknown) => {
    const x = f as Partial<SignedFile>;
    if (typeof x?.name !== "string" || typeof x.hash !== "string" || typeof x.algorithm !== "string") {
      throw fault(source, "the signature's payload has a malformed file entry");
    }
    return { name: x.name.replace(/^\/+/, ""), hash: x.hash.toLowerCase(), algorithm: x.algorithm };
  });
  return { files, keyId: typeof p.keyid === "string" ? p.keyid : undefined };
}

/**
 * Checks the digest, then the signature with `publicKeyPem`, then every file against the signed
 * list (no file unlisted, none missing, every hash equal), and returns the bundle's contents.
 */
export async function verifyBundle(bytes: Uint8Array, opts: { source: string; digest: string; publicKeyPem: string }): Promise<VerifiedBundle> {
  const { source } = opts;
  const expected = normalizeDigest(opts.digest);
  if (!expected) throw fault(source, `digest "${opts.digest}" is not a sha256 digest (sha256:<64 hex digits>)`);
  const actual = sha256Digest(bytes);
  if (actual !== expected) throw fault(source, `digest mismatch: vendorgate.yaml pins ${expected}, the bundle is ${actual}`);

  const files = await untar(bytes, source);
  const sigText = files.get(SIGNATURES);
  if (!sigText) throw fault(source, `is not signed (no ${SIGNATURES})`);
  let jwt: string;
  try {
    const sigs = (JSON.parse(sigText.toString("utf8")) as { signatures?: unknown }).signatures;
    if (!Array.isArray(sigs) || sigs.length !== 1 || typeof sigs[0] !== "string") throw new Error("expected exactly one signature");
    jwt = sigs[0];
  } catch (err) {
    throw fault(source, `${SIGNATURES} is malformed (${(err as Error).message})`);
  }

  let alg: string;
  try {
    alg = String(decodeProtectedHeader(jwt).alg);
  } catch {
    throw fault(source, "the signature is not a JWT");
  }
  if (!allowedAlgorithms.includes(alg)) throw fault(source, `the signature uses ${alg}; expected one of ${allowedAlgorithms.join(", ")}`);
  let key: Awaited<ReturnType<typeof importSPKI>>;
  try {
    key = await importSPKI(opts.publicKeyPem, alg);
  } catch (err) {
    throw fault(source, `the public key does not load for ${alg} (${(err as Error).message})`);
  }
  let payload: unknown;
  try {
    const verified = await compactVerify(jwt, key, { algorithms: [alg] });
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    throw fault(source, "the signature does not verify with security's public key (tampered, or signed with another key)");
  }

  const { files: signed, keyId } = signedFiles(payload, source);
  const listed = new Map(signed.map((f) => [f.name, f]));
  for (const [name, content] of files) {
    if (name === SIGNATURES) continue;
    const entry = listed.get(name);
    if (!entry) throw fault(source, `${name} is in the bundle but not in its signature`);
    const algorithm = hashAlgorithms[entry.algorithm];
    if (!algorithm) throw fault(source, `${name} is signed with hash ${entry.algorithm}; expected SHA-256, SHA-384 or SHA-512`);
    let digest: string;
    try {
      digest = fileDigest(name, content, algorithm);
    } catch (err) {
      throw fault(source, `${name} does not parse (${(err as Error).message})`);
    }
    if (digest !== entry.hash) throw fault(source, `${name} does not match its signed hash (tampered)`);
  }
  for (const name of listed.keys()) {
    if (!files.has(name)) throw fault(source, `${name} is signed but missing from the bundle`);
  }

  let data: Record<string, unknown> = {};
  const dataFile = files.get("data.json");
  if (dataFile) {
    const parsed: unknown = JSON.parse(dataFile.toString("utf8"));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw fault(source, "data.json is not an object");
    data = parsed as Record<string, unknown>;
  }
  const contents = new Map([...files].filter(([name]) => name !== SIGNATURES && name !== MANIFEST));
  return { source, digest: actual, keyId, data, files: contents };
}

/** A `publicKey` that is the PEM text itself rather than a path to it. */
export const isInlinePem = (value: string): boolean => value.trimStart().startsWith("-----BEGIN ");

/** Fetches, verifies and returns the bundle vendorgate.yaml references; `root` is that file's folder. */
export async function loadSignedBundle(ref: BundleReference, root: string): Promise<VerifiedBundle> {
  const { source, bytes } = await fetchBundle(ref, root);
  let publicKeyPem = ref.publicKey;
  if (!isInlinePem(ref.publicKey)) {
    const keyPath = isAbsolute(ref.publicKey) ? ref.publicKey : resolve(root, ref.publicKey);
    try {
      publicKeyPem = await readFile(keyPath, "utf8");
    } catch (err) {
      throw fault(source, `security's public key ${ref.publicKey} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return verifyBundle(bytes, { source, digest: ref.digest, publicKeyPem });
}

/**
 * The custom rule files of a verified bundle: every .rego under a `custom/` folder, by its path
 * from that folder. Other .rego files (a copy of vendorgate's own library, needed for `opa build`
 * to type-check the custom rules) are signed but never used: the core comes from the package.
 */
export function customRuleFiles(bundle: VerifiedBundle): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [name, content] of bundle.files) {
    const at = name.lastIndexOf("custom/");
    if (!name.endsWith(".rego") || name.endsWith("_test.rego") || at < 0 || (at > 0 && name[at - 1] !== "/")) continue;
    out.set(name.slice(at + "custom/".length), content);
  }
  return out;
}
