/*
 * The one URL parser for egress destinations. WHATWG URL (Node's, and the browsers') decides, and
 * anything that other parsers (curl, Python's urllib, the AWS SDKs) could read as another host is
 * refused rather than guessed: `https://api.mixpanel.com\@evil.com/` is mixpanel.com to WHATWG and
 * evil.com to curl. So is any host text that WHATWG had to rewrite (percent escapes, full-width
 * dots, numeric IPv4 forms, non-ASCII), a user:password part, an empty label, and a port WHATWG
 * itself rejects (99999). A non-default port parses; whether the vendor uses it is the policy's call.
 */

export interface ParsedUrl {
  /** Lower case, without the colon. */
  scheme: string;
  /** Lower case, without a trailing dot. */
  host: string;
  /** An explicit port other than the scheme's default; absent otherwise. */
  port?: number;
}

export type UrlParse = { ok: true; value: ParsedUrl } | { ok: false; reason: string };

// The authority as written: after "scheme://", up to the first "/", "?" or "#".
const AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;

export function parseUrl(text: string): UrlParse {
  return parse(text).result;
}

/**
 * parseUrl and credentialParams of the same text with one WHATWG parse: the policy input needs
 * both for every destination, and constructing a URL is most of what either costs.
 */
export function parseDestinationUrl(text: string): { parsed: UrlParse; credentialParams: string[] } {
  const { result, url } = parse(text);
  return { parsed: result, credentialParams: url ? paramsOf(url) : credentialParams(text) };
}

function parse(text: string): { result: UrlParse; url?: URL } {
  const refuse = (reason: string, url?: URL) => ({ result: { ok: false, reason } as UrlParse, ...(url ? { url } : {}) });
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
  if (/[\u0000-\u0020\u007f]/.test(text)) return refuse("it contains whitespace or a control character, which URL parsers strip or split on differently");
  if (text.includes("\\")) return refuse("it contains a backslash, which some parsers read as a path and others as part of the host");
  const m = AUTHORITY.exec(text);
  if (!m) return refuse("expected an absolute URL such as https://api.vendor.example/track");
  const authority = m[2]!;
  if (authority.includes("@")) return refuse("it carries a user:password@ part, which hides the real host from readers");
  if (/[^\u0021-\u007e]/.test(authority)) return refuse("its host contains non-ASCII characters (such as a full-width dot); write the host in ASCII (punycode)");
  if (authority.includes("%")) return refuse("its host contains percent escapes, which parsers decode differently");
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return refuse("it is not a valid URL (a port above 65535, a malformed host, ...)");
  }
  const scheme = u.protocol.replace(/:$/, "").toLowerCase();
  const host = u.hostname.toLowerCase();
  if (host === "") return refuse("it has no host", u);
  // The host as written must be the host WHATWG found: otherwise it rewrote it (0x7f.1, 127.1).
  const written = authority.replace(/:\d*$/, "").toLowerCase();
  if (written !== host) return refuse("its host is written in a form parsers normalise differently; write it as it resolves", u);
  const bare = host.endsWith(".") ? host.slice(0, -1) : host;
  if (!host.startsWith("[") && bare.split(".").some((label) => label === "")) return refuse("its host has an empty label (two dots in a row, or a leading dot)", u);
  return { result: { ok: true, value: { scheme, host: bare, ...(u.port !== "" ? { port: Number(u.port) } : {}) } }, url: u };
}

/** What outputs may print of a non-secret URL: scheme, host and port. A path or query may carry a token. */
export function displayUrl(text: string): string {
  const parsed = parseUrl(text);
  // A redacted secret stays as the marker it is; anything else unparsable is not repeated.
  if (!parsed.ok) return text === "[secret]" ? text : "(an unparsable URL)";
  const { scheme, host, port } = parsed.value;
  return `${scheme}://${host}${port !== undefined ? `:${port}` : ""}`;
}

// Query parameter names that carry credentials by convention (webhook tokens, signed URLs, keys).
const CREDENTIAL_PARAM = /^(?:.*[_-])?(?:token|key|apikey|secret|password|passwd|pwd|sig|signature|auth|authorization|credential|credentials|access[_-]?key|client[_-]?secret|session|code)$/i;

/** The names of query parameters that look like credentials, sorted; empty when none or unparsable. */
export function credentialParams(text: string): string[] {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return [];
  }
  return paramsOf(u);
}

function paramsOf(u: URL): string[] {
  if (u.search === "") return [];
  const names = new Set<string>();
  for (const [name, value] of u.searchParams) if (value !== "" && CREDENTIAL_PARAM.test(name)) names.add(name);
  return [...names].sort();
}
