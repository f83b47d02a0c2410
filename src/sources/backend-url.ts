import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { packageRoot } from "../paths.ts";
import { BackendError } from "./errors.ts";

/*
 * Pulumi's own backend URLs, so that the incident commands read the state the organisation's
 * deploys write: `file://` (the diy backend on disk), `s3://bucket/prefix?region=…&endpoint=…`
 * (the diy backend in S3 or an S3-compatible store) and `https://` (Pulumi Cloud, read through
 * the Pulumi CLI). A plain path is taken as a directory, as `--backend <dir>` always was.
 */

export type BackendSpec =
  | { kind: "file"; url: string; dir: string }
  | {
      kind: "s3";
      url: string;
      bucket: string;
      /** Key prefix ending in "/", or "" for the bucket's root. */
      prefix: string;
      region?: string;
      endpoint?: string;
      profile?: string;
      pathStyle: boolean;
      anonymous: boolean;
    }
  | { kind: "cloud"; url: string };

/** Where the URL came from, so an error can say which setting to fix. */
export interface BackendSetting {
  value: string;
  /** e.g. "--backend", "vendorgate.yaml (backend)", "PULUMI_BACKEND_URL". */
  from: string;
  /** Relative file:// URLs and paths resolve against this directory. */
  baseDir: string;
}

// gocloud.dev's s3blob and AWS URL parameters (the ones Pulumi's diy backend passes through).
// Read here: region, endpoint, profile, path style, https, anonymous; the rest only shape writes.
const S3_IGNORED = new Set(["awssdk", "ssetype", "kmskeyid", "accelerate", "dualstack", "fips", "rate_limiter_capacity", "request_checksum_calculation", "response_checksum_validation", "hostname_immutable"]);

function bool(name: string, value: string, setting: BackendSetting): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new BackendError(`${setting.from}: ${name}=${value} in ${redactUrl(setting.value)} is not a boolean`);
}

/** The URL without credentials a user may have put in it (user:password@host). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1[redacted]@");
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? homedir() + p.slice(1) : p;
}

export function parseBackendUrl(setting: BackendSetting): BackendSpec {
  const raw = setting.value.trim();
  if (raw === "") throw new BackendError(`${setting.from}: empty backend URL`);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    const dir = resolve(setting.baseDir, expandHome(raw));
    return { kind: "file", url: `file://${dir}`, dir };
  }
  if (scheme === "file") {
    // Pulumi takes file://~ for the home directory and file://<path> (relative or absolute).
    const path = decodeURIComponent(raw.slice("file://".length).replace(/[?#].*$/, ""));
    if (path === "") throw new BackendError(`${setting.from}: ${raw} names no directory`);
    const dir = isAbsolute(path) ? path : resolve(setting.baseDir, expandHome(path));
    return { kind: "file", url: `file://${dir}`, dir };
  }
  if (scheme === "s3") return parseS3(raw, setting);
  if (scheme === "https" || scheme === "http") return { kind: "cloud", url: redactUrl(raw).replace(/\/+$/, "") };
  throw new BackendError(
    `${setting.from}: backend ${redactUrl(raw)}: vendorgate reads file://, s3:// (S3 and S3-compatible stores) and Pulumi Cloud (https://), not ${scheme}://`,
  );
}

function parseS3(raw: string, setting: BackendSetting): BackendSpec {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BackendError(`${setting.from}: ${redactUrl(raw)} is not a valid s3:// URL`);
  }
  if (u.username || u.password) throw new BackendError(`${setting.from}: put S3 credentials in the AWS credential chain, not in the backend URL`);
  const bucket = u.hostname;
  if (!bucket) throw new BackendError(`${setting.from}: ${redactUrl(raw)} names no bucket`);
  const path = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, "");
  const spec: Extract<BackendSpec, { kind: "s3" }> = { kind: "s3", url: `s3://${bucket}${path ? `/${path}` : ""}`, bucket, prefix: path ? `${path}/` : "", pathStyle: false, anonymous: false };
  let https = true;
  for (const [key, value] of u.searchParams) {
    if (key === "region") spec.region = value;
    else if (key === "endpoint") spec.endpoint = value;
    else if (key === "profile") spec.profile = value;
    else if (key === "use_path_style" || key === "s3ForcePathStyle") spec.pathStyle = bool(key, value, setting);
    else if (key === "disable_https" || key === "disableSSL") https = !bool(key, value, setting);
    else if (key === "anonymous") spec.anonymous = bool(key, value, setting);
    else if (key === "role") throw new BackendError(`${setting.from}: role= in the backend URL is not supported; assume the role in the AWS credential chain (AWS_PROFILE with role_arn)`);
    else if (!S3_IGNORED.has(key)) throw new BackendError(`${setting.from}: unknown parameter "${key}" in ${redactUrl(raw)}`);
  }
  if (spec.endpoint !== undefined && !/^[a-z]+:\/\//i.test(spec.endpoint)) spec.endpoint = `${https ? "https" : "http"}://${spec.endpoint}`;
  const query = [...(spec.region ? [`region=${spec.region}`] : []), ...(spec.endpoint ? [`endpoint=${spec.endpoint}`] : [])];
  if (query.length) spec.url += `?${query.join("&")}`;
  return spec;
}

/**
 * The backend to read and where that choice came from: --backend, then the project's
 * vendorgate.yaml, then the backend the Pulumi CLI is pointed at (PULUMI_BACKEND_URL), then
 * VENDORGATE_BACKEND. `undefined` when none is set: the caller decides what that means.
 */
export function chooseBackend(opts: { flag?: string; config?: { url: string; file: string; dir: string }; cwd?: string; env?: NodeJS.ProcessEnv }): BackendSetting | undefined {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  if (opts.flag !== undefined) return { value: opts.flag, from: "--backend", baseDir: cwd };
  if (opts.config) return { value: opts.config.url, from: `${opts.config.file} (backend)`, baseDir: opts.config.dir };
  if (env.PULUMI_BACKEND_URL) return { value: env.PULUMI_BACKEND_URL, from: "PULUMI_BACKEND_URL", baseDir: cwd };
  if (env.VENDORGATE_BACKEND) return { value: env.VENDORGATE_BACKEND, from: "VENDORGATE_BACKEND", baseDir: cwd };
  return undefined;
}

/** The directory `vendorgate preview|up` deploy to when nothing else is set. */
export const defaultBackendDir = (): string => resolve(packageRoot, ".vendorgate", "backend");
