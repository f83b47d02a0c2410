import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, connect, type AddressInfo } from "node:net";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { toolsDir } from "../../src/paths.ts";

/*
 * A real S3-compatible server for tests and benchmarks: gofakes3 (built from the Go module proxy
 * by scripts/setup.sh into the tool cache), in memory, on 127.0.0.1 and a free port so that runs at
 * the same time never share one. The credentials are dummies, set in this process's environment
 * so that the AWS SDK's standard chain (and the Pulumi CLI started from here) finds them.
 */

export interface S3Server {
  endpoint: string;
  client: S3Client;
  /** The Pulumi backend URL of a bucket and prefix on this server. */
  url(bucket: string, prefix?: string): string;
  createBucket(bucket: string): Promise<void>;
  put(bucket: string, key: string, body: string | Buffer): Promise<void>;
  stop(): Promise<void>;
}

export const S3_ENV = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing", AWS_REGION: "us-east-1" };

export async function startS3Server(): Promise<S3Server> {
  const bin = join(toolsDir(), "bin", "gofakes3");
  if (!existsSync(bin)) throw new Error(`the local S3 server is not installed (${bin} is missing): run npm run setup`);
  Object.assign(process.env, S3_ENV);
  // gofakes3 takes a fixed address: ask the kernel for a free port, then hand it over. Its log
  // (a line per object) is switched off: a parent blocked in spawnSync would not drain the pipe.
  const port = await freePort();
  const child = spawn(bin, ["-backend", "memory", "-host", `127.0.0.1:${port}`, "-quiet"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the S3 server exited with ${code}: ${stderr}`))));
  exited.catch(() => {});
  await Promise.race([listening(port, 30_000), exited]);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  return {
    endpoint,
    client,
    url: (bucket, prefix) => `s3://${bucket}${prefix ? `/${prefix}` : ""}?region=us-east-1&endpoint=${encodeURIComponent(endpoint)}&use_path_style=true`,
    createBucket: async (bucket) => void (await client.send(new CreateBucketCommand({ Bucket: bucket }))),
    put: async (bucket, key, body) => void (await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))),
    stop: async () => {
      client.destroy();
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the port accepts a connection. */
async function listening(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, "127.0.0.1", () => {
        sock.destroy();
        resolve(true);
      });
      sock.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the S3 server did not listen on 127.0.0.1:${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
