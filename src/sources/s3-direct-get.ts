import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { S3Client } from "@aws-sdk/client-s3";
import { extendedEncodeURIComponent } from "@smithy/core/protocols";
import { SignatureV4 } from "@smithy/signature-v4";

/*
 * The plain case of reading an object, a GET answered 200, without the AWS SDK's per-request
 * machinery. Reading a fleet's history is thousands of small GetObjects, and the SDK allocates
 * about 190 KB of short-lived objects for each (its middleware copies the client's whole config
 * several times per request): most of a read's time and garbage went there.
 *
 * Everything that decides where and how to ask is still the SDK's: the bucket's URL comes from the
 * client's own endpoint rules (region, path style, FIPS, dual-stack, custom endpoints), the key is
 * escaped by the SDK's encoder, and the request is signed by the SDK's SigV4 signer with the
 * client's credential chain. Anything but a 200 (an error, a redirect to the bucket's region, a
 * throttle, a dropped connection) returns undefined, and the caller asks again through the SDK,
 * whose retries, redirects and error messages then apply. An answer that says the route itself is
 * wrong (a redirect, a refused signature) turns this path off for the rest of the read.
 */

interface Route {
  base: URL;
  signer: SignatureV4 | undefined;
  agent: HttpAgent | HttpsAgent;
}

/** Answers meaning this bucket is not to be asked this way: elsewhere, or not with this signature. */
const wrongRoute = (status: number) => (status >= 300 && status < 400) || status === 400 || status === 401 || status === 403;

export class DirectGet {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #anonymous: boolean;
  readonly #maxSockets: number;
  #route: Promise<Route | undefined> | undefined;
  #agent: HttpAgent | HttpsAgent | undefined;

  constructor(client: S3Client, opts: { bucket: string; anonymous: boolean; maxSockets: number }) {
    this.#client = client;
    this.#bucket = opts.bucket;
    this.#anonymous = opts.anonymous;
    this.#maxSockets = opts.maxSockets;
  }

  /** The object's body on a 200; undefined when the caller must read it through the SDK. */
  async get(key: string): Promise<IncomingMessage | undefined> {
    const route = await (this.#route ??= this.#resolve().catch(() => undefined));
    if (!route) return undefined;
    const { base, signer, agent } = route;
    const path = `${base.pathname.replace(/\/$/, "")}/${key.split("/").map(extendedEncodeURIComponent).join("/")}`;
    let headers: Record<string, string> = { host: base.host };
    if (signer) {
      const port = base.port ? { port: Number(base.port) } : {};
      try {
        headers = (await signer.sign({ method: "GET", protocol: base.protocol, hostname: base.hostname, ...port, path, query: {}, headers })).headers;
      } catch {
        // No credentials, or a provider that failed: the SDK's request says so in its own words.
        return undefined;
      }
    }
    const send = base.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = send({ protocol: base.protocol, hostname: base.hostname, port: base.port || undefined, path, method: "GET", headers, agent }, (res) => {
        if (res.statusCode === 200) return resolve(res);
        if (wrongRoute(res.statusCode ?? 0)) this.#route = Promise.resolve(undefined);
        res.resume();
        resolve(undefined);
      });
      req.once("error", () => resolve(undefined));
      req.end();
    });
  }

  async #resolve(): Promise<Route | undefined> {
    const config = this.#client.config;
    const endpoint = config.isCustomEndpoint && config.endpoint ? await config.endpoint() : undefined;
    const region = await config.region();
    const resolved = config.endpointProvider({
      Bucket: this.#bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      Accelerate: config.useAccelerateEndpoint,
      ForcePathStyle: config.forcePathStyle,
      ...(endpoint ? { Endpoint: `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ""}${endpoint.path}` } : {}),
    });
    const base = new URL(resolved.url);
    if (base.protocol !== "https:" && base.protocol !== "http:") return undefined;
    const agentOptions = { keepAlive: true, maxSockets: this.#maxSockets };
    this.#agent = base.protocol === "https:" ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    if (this.#anonymous) return { base, signer: undefined, agent: this.#agent };
    const scheme = (resolved.properties?.authSchemes as { name?: string; signingName?: string; signingRegion?: string }[] | undefined)?.[0];
    // Multi-region access points (SigV4a) and S3 Express sessions stay with the SDK.
    if (scheme && scheme.name !== "sigv4") return undefined;
    const signer = new SignatureV4({
      credentials: config.credentials,
      region: scheme?.signingRegion ?? region,
      service: scheme?.signingName ?? "s3",
      sha256: config.sha256,
      // S3 signs the path as sent, escaped once (the SDK's disableDoubleEncoding).
      uriEscapePath: false,
    });
    return { base, signer, agent: this.#agent };
  }

  destroy(): void {
    this.#agent?.destroy();
  }
}
