// The direct GET that reads checkpoints without the AWS SDK's per-request machinery: its requests
// are signed as SigV4 defines them (checked by aws4, an independent implementation, since the
// local S3 server checks no signature), it asks for the same path the SDK asks for, and anything
// but a 200 leaves the object to the SDK.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { text } from "node:stream/consumers";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import aws4 from "aws4";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseBackendUrl } from "../../src/sources/backend-url.ts";
import { DirectGet } from "../../src/sources/s3-direct-get.ts";
import { S3Store } from "../../src/sources/s3-store.ts";

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

interface Seen {
  path: string;
  headers: IncomingMessage["headers"];
  fromSdk: boolean;
}

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
/** The status the server answers a request with; 200 carries the path as the body. */
let answer: (req: Seen) => number = () => 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    // The SDK marks each of its requests with an invocation id; the direct path sends none.
    const s = { path: req.url ?? "", headers: req.headers, fromSdk: req.headers["amz-sdk-invocation-id"] !== undefined };
    seen.push(s);
    const status = answer(s);
    res.writeHead(status, { "content-type": status === 200 ? "application/json" : "application/xml" });
    res.end(status === 200 ? JSON.stringify({ path: s.path }) : `<Error><Code>${status === 404 ? "NoSuchKey" : "AccessDenied"}</Code><Message>answered ${status}</Message></Error>`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  seen = [];
  answer = () => 200;
});

const client = () => new S3Client({ region: "eu-west-1", endpoint, forcePathStyle: true, credentials: CREDENTIALS, maxAttempts: 1 });

/** Runs `body` with a client and direct GETs made from it (`direct()`), destroying them all after. */
async function withDirect(anonymous: boolean, body: (c: S3Client, direct: () => DirectGet) => Promise<void>): Promise<void> {
  const c = client();
  const made: DirectGet[] = [];
  try {
    await body(c, () => {
      made.push(new DirectGet(c, { bucket: "state", anonymous, maxSockets: 4 }));
      return made.at(-1)!;
    });
  } finally {
    for (const d of made) d.destroy();
    c.destroy();
  }
}

/** The Authorization header aws4 computes for the request as the server received it. */
function expectedAuthorization(s: Seen): string {
  const signed = aws4.sign(
    {
      host: s.headers.host!,
      path: s.path,
      method: "GET",
      service: "s3",
      region: "eu-west-1",
      headers: { "X-Amz-Date": String(s.headers["x-amz-date"]), "X-Amz-Content-Sha256": String(s.headers["x-amz-content-sha256"]) },
    },
    CREDENTIALS,
  );
  return String(signed.headers!.Authorization);
}

describe("the direct GET of a checkpoint", () => {
  const keys = [
    "org/.pulumi/history/shop/prod/prod-1767225600000000000.checkpoint.json.gz",
    "team a/.pulumi/stacks/proj+x/é~!'()*;=@$,&.json",
  ];

  it("signs the request as SigV4 defines it, and asks for the very path the SDK asks for, escaping included", async () => {
    await withDirect(false, async (c, make) => {
      const direct = make();
      for (const key of keys) {
        const body = await direct.get(key);
        expect(body).toBeDefined();
        expect(JSON.parse(await text(body!))).toEqual({ path: seen.at(-1)!.path });
        await c.send(new GetObjectCommand({ Bucket: "state", Key: key }));
        const [mine, sdk] = seen.slice(-2) as [Seen, Seen];
        expect(mine.fromSdk).toBe(false);
        expect(sdk.fromSdk).toBe(true);
        // The SDK adds ?x-id=GetObject, a marker S3 ignores.
        expect(mine.path).toBe(sdk.path.replace(/\?x-id=GetObject$/, ""));
        expect(mine.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, /);
        expect(mine.headers.authorization).toBe(expectedAuthorization(mine));
      }
    });
  });

  it("leaves a missing object to the SDK and goes on; a refused signature or a redirect turns the direct path off", async () => {
    await withDirect(false, async (_c, make) => {
      const direct = make();
      answer = (s) => (s.path.endsWith("/gone.json") ? 404 : 200);
      expect(await direct.get("gone.json")).toBeUndefined();
      const body = await direct.get("here.json");
      expect(body).toBeDefined();
      body!.resume();
      for (const status of [403, 301]) {
        const off = make();
        answer = () => status;
        expect(await off.get("a.json")).toBeUndefined();
        answer = () => 200;
        const before = seen.length;
        expect(await off.get("b.json")).toBeUndefined();
        expect(seen.length).toBe(before);
      }
    });
  });

  it("sends no signature for an anonymous backend", async () => {
    await withDirect(true, async (_c, make) => {
      (await make().get("open.json"))!.resume();
      expect(seen.at(-1)!.headers.authorization).toBeUndefined();
    });
  });
});

describe("S3Store over the direct GET", () => {
  const store = () => {
    const spec = parseBackendUrl({ value: `s3://state/org?region=eu-west-1&endpoint=${encodeURIComponent(endpoint)}&use_path_style=true`, from: "test", baseDir: "." });
    if (spec.kind !== "s3") throw new Error("not an s3 backend");
    return new S3Store(spec);
  };

  it("reads through the SDK what the direct GET was refused, and only the first object asks twice", async () => {
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    answer = (s) => (s.fromSdk ? 200 : 403);
    const s = store();
    try {
      for (const key of [".pulumi/stacks/a.json", ".pulumi/stacks/b.json"]) {
        const { path } = JSON.parse(await text(await s.open(key))) as { path: string };
        expect(path.split("?")[0]).toBe(`/state/org/${key}`);
      }
      expect(seen.map((x) => x.fromSdk)).toEqual([false, true, true]);
    } finally {
      s.destroy();
    }
  });

  it("says what the SDK says when an object cannot be read", async () => {
    answer = () => 404;
    const s = store();
    try {
      await expect(s.open(".pulumi/stacks/missing.json")).rejects.toThrow(/backend s3:\/\/state\/org\?.*: cannot read \.pulumi\/stacks\/missing\.json: .*answered 404|NoSuchKey/);
    } finally {
      s.destroy();
    }
  });
});
