/*
 * The Pulumi program of the secret-hygiene test (canary.test.ts): every credential it passes
 * carries the canary, from the stack's encrypted config (a token, and another in the query of a
 * secret URL) and as a stack output. With `vg-canary:leak: true` it also passes two the gate must
 * name (VG011) without printing: one in plain text, one a pulumi.secret() literal, which is in the
 * repository all the same. These are not real keys.
 */
import * as pulumi from "@pulumi/pulumi";
import { Integration, type IntegrationArgs } from "vendorgate";

export const CANARY = "vg-canary-7f3a9c";

const flow = (url: pulumi.Input<string> = "https://api-eu.mixpanel.com/track"): Omit<IntegrationArgs, "credentials"> => ({
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url, region: "eu" },
  fields: [
    { path: "properties.distinct_id", category: "user.unique_id", transform: "pseudonymize" },
    { path: "properties.$os", category: "user.device" },
  ],
});

export default function program(): Record<string, unknown> {
  const cfg = new pulumi.Config();
  const token = cfg.requireSecret("token");
  const urlToken = cfg.requireSecret("urlToken");
  new Integration("from-config", { ...flow(), credentials: { value: token } });
  new Integration("secret-url", { ...flow(pulumi.interpolate`https://api-eu.mixpanel.com/track?token=${urlToken}`), credentials: { value: urlToken } });
  if (cfg.getBoolean("leak")) {
    new Integration("plain-literal", { ...flow(), credentials: { value: `${CANARY}-plain` } });
    new Integration("secret-literal", { ...flow(), credentials: { value: pulumi.secret(`${CANARY}-program`) } });
  }
  return { token };
}
