/*
 * The Pulumi program of the preview benchmark: one vendorgate Integration per declaration in the
 * JSON file named by VENDORGATE_BENCH_FLOWS (written by bench/preview.ts). Component resources
 * only: no provider plugin is needed, so the real engine previews it offline. It uses the built
 * package, as a user's program does.
 */
import { readFileSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { Integration, type IntegrationArgs } from "vendorgate";
import type { GeneratedManifest } from "./generate.ts";

export default function program(): Record<string, unknown> {
  const file = process.env.VENDORGATE_BENCH_FLOWS;
  if (!file) throw new Error("VENDORGATE_BENCH_FLOWS must name the declarations file");
  const flows = JSON.parse(readFileSync(file, "utf8")) as GeneratedManifest["integrations"];
  // A secret credential comes from the stack's encrypted config (VG011 passes it); a plain one is
  // a plain value, which VG011 reports, as the generated mix intends.
  const config = new pulumi.Config();
  let token: pulumi.Output<string> | undefined;
  for (const f of flows) {
    const { name, credentials, ...rest } = f;
    const value = credentials === undefined ? undefined : credentials.secret ? (token ??= config.requireSecret("token")) : "bench-plain-credential";
    const args = { ...rest, ...(value === undefined ? {} : { credentials: { value } }) } as IntegrationArgs;
    new Integration(name, args);
  }
  return { integrations: flows.length };
}
