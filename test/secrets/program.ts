/*
 * The Pulumi program of the secret-hygiene test (canary.test.ts): every credential it passes
 * carries the canary, from the stack's encrypted config, from a pulumi.secret() in the program, in
 * the query of a secret URL, and as a stack output. With `vg-canary:leak: true` it also passes one
 * in plain text, which the gate must name (VG011) without printing. These are not real keys.
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
  new Integration("from-config", { ...flow(), credentials: { value: token } });
  new Integration("secret-literal", { ...flow(), credentials: { value: pulumi.secret(`${CANARY}-program`) } });
  new Integration("secret-url", {
    ...flow(pulumi.secret(`https://api-eu.mixpanel.com/track?token=${CANARY}-url`)),
    credentials: { value: pulumi.secret(`${CANARY}-url`) },
  });
  if (cfg.getBoolean("leak")) new Integration("plain-literal", { ...flow(), credentials: { value: `${CANARY}-plain` } });
  return { token };
}
