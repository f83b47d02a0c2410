/*
 * The Pulumi program of the preview benchmark: one vendorgate Integration per declaration in the
 * JSON file named by VENDORGATE_BENCH_FLOWS (written by bench/preview.ts). Component resources
 * only: no provider plugin is needed, so the real engine previews it offline.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { Integration, type IntegrationArgs } from "../src/components/integration.ts";
import type { GeneratedManifest } from "./generate.ts";

export default function program(): Record<string, unknown> {
  const file = process.env.VENDORGATE_BENCH_FLOWS;
  if (!file) throw new Error("VENDORGATE_BENCH_FLOWS must name the declarations file");
  const flows = JSON.parse(readFileSync(file, "utf8")) as GeneratedManifest["integrations"];
  for (const f of flows) {
    const { name, credentials, ...rest } = f;
    const args = {
      ...rest,
      ...(credentials ? { credentials: { value: credentials.secret ? pulumi.secret("bench-token") : "bench-token" } } : {}),
    } as IntegrationArgs;
    new Integration(name, args);
  }
  return { integrations: flows.length };
}
