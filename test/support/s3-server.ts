import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { packageRoot, toolsDir } from "../../src/paths.ts";

/*
 * A real S3-compatible server for tests and benchmarks: moto in server mode (installed by
 * scripts/setup.sh into the tool cache), on 127.0.0.1 and an ephemeral port so that runs at the
 * same time never share one. Credentials are moto's dummies, set in this process's environment
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
  const python = join(toolsDir(), "s3-server", "bin", "python");
  if (!existsSync(python)) throw new Error(`the local S3 server is not installed (${python} is missing): run npm run setup`);
  Object.assign(process.env, S3_ENV);
  const child = spawn(python, [join(packageRoot, "test/support/s3_server.py")], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`the S3 server did not start within 120 s: ${stderr}`)), 120_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the S3 server exited with ${code}: ${stderr}`));
    });
  });
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
      const exited = new Promise((r) => child.once("exit", r));
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
