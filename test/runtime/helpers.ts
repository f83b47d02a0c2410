import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { AllowlistIntegration } from "../../src/runtime/index.ts";

export const digest = `sha256:${"ab".repeat(32)}`;
export const key = "test-pseudonym-key-0123456789";

/** A judged allow-list around the given integrations. */
export function allowlist(integrations: AllowlistIntegration[], verdict: "pass" | "blocked" = "pass") {
  return { kind: "vendorgate/allowlist", schemaVersion: 1, source: "plan", stack: "dev", policy: { bundleDigest: digest }, verdict, integrations };
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A vendor endpoint on 127.0.0.1 (ephemeral port) that records every request it receives. */
export async function vendorServer(): Promise<{ server: Server; origin: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.setHeader("content-type", "application/json");
      res.end('{"status":1}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every leaf path of a JSON value (object keys joined with dots; arrays are leaves). */
export function leafPaths(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) out.push(...leafPaths(v, prefix ? `${prefix}.${k}` : k));
  return out.length ? out : [prefix];
}
