import type { Readable } from "node:stream";
import { GetObjectCommand, paginateListObjectsV2, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { BackendSpec } from "./backend-url.ts";
import { BackendError } from "./errors.ts";
import { DirectGet } from "./s3-direct-get.ts";
import { type ObjectStore, reason, type StoredObject } from "./object-store.ts";

type S3Spec = Extract<BackendSpec, { kind: "s3" }>;

/**
 * Pulumi's diy backend in S3 or an S3-compatible store, read with the AWS SDK. Credentials come
 * from AWS's standard chain (environment, shared config and profiles, SSO, web identity,
 * container and instance roles), as for the Pulumi CLI itself; vendorgate never takes them from
 * its own files. Objects are fetched by a direct GET that the SDK routes and signs (see
 * s3-direct-get.ts), and through the SDK itself whenever that GET is not answered 200.
 */
export class S3Store implements ObjectStore {
  readonly label: string;
  readonly #client: S3Client;
  readonly #spec: S3Spec;
  readonly #direct: DirectGet;

  constructor(spec: S3Spec, opts: { maxSockets?: number } = {}) {
    this.#spec = spec;
    this.label = spec.url;
    const config: S3ClientConfig = {
      region: spec.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
      forcePathStyle: spec.pathStyle,
      followRegionRedirects: true,
      maxAttempts: 4,
      // One GetObject per checkpoint, thousands per read, and no middleware added between them:
      // resolving the SDK's middleware stack once per command type instead of once per request
      // is a sixth less garbage per object, and less for the collector to grow its heap by.
      cacheMiddleware: true,
      requestHandler: { httpsAgent: { maxSockets: opts.maxSockets ?? 64 }, httpAgent: { maxSockets: opts.maxSockets ?? 64 } },
      ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
      ...(spec.profile ? { profile: spec.profile } : {}),
      ...(spec.anonymous ? { signer: { sign: async (request) => request } } : {}),
    };
    this.#client = new S3Client(config);
    this.#direct = new DirectGet(this.#client, { bucket: spec.bucket, anonymous: spec.anonymous, maxSockets: opts.maxSockets ?? 64 });
  }

  async listPulumiKeys(): Promise<StoredObject[]> {
    const keys: StoredObject[] = [];
    const prefix = `${this.#spec.prefix}.pulumi/`;
    try {
      for await (const page of paginateListObjectsV2({ client: this.#client, pageSize: 1000 }, { Bucket: this.#spec.bucket, Prefix: prefix })) {
        for (const o of page.Contents ?? []) if (o.Key) keys.push({ key: o.Key.slice(this.#spec.prefix.length), size: o.Size ?? 0 });
      }
    } catch (err) {
      throw new BackendError(`backend ${this.label} cannot be listed: ${reason(err)}`);
    }
    if (keys.length === 0) {
      throw new BackendError(`backend ${this.label} holds no Pulumi state (nothing under ${prefix || ".pulumi/"} in bucket ${this.#spec.bucket}): check the bucket and prefix, or pass --no-state`);
    }
    return keys;
  }

  async open(key: string): Promise<Readable> {
    const direct = await this.#direct.get(this.#spec.prefix + key);
    if (direct) return direct;
    try {
      const r = await this.#client.send(new GetObjectCommand({ Bucket: this.#spec.bucket, Key: this.#spec.prefix + key }));
      return r.Body as Readable;
    } catch (err) {
      throw new BackendError(`backend ${this.label}: cannot read ${key}: ${reason(err)}`);
    }
  }

  display(key: string): string {
    return `s3://${this.#spec.bucket}/${this.#spec.prefix}${key}`;
  }

  destroy(): void {
    this.#client.destroy();
    this.#direct.destroy();
  }
}
