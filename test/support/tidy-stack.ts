import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { INTEGRATION_TYPE } from "../../src/model/declaration.ts";
import { packageRoot } from "../../src/paths.ts";

/*
 * The case where a stack file's own enforcement must judge deployed state: security's registry
 * makes VG002 advisory, and project shop's prod stack has one Integration to vendor tidy in its
 * current state, in a file backend laid out as the engine writes one.
 */

/** The incident fixtures' review registry with VG002 made advisory; `edit` changes the text first. */
export function advisoryVg002Registry(edit: (text: string) => string = (t) => t): string {
  const text = readFileSync(join(packageRoot, "test/fixtures/incident/review.registry.yaml"), "utf8");
  return edit(text).replace("prohibitedCategories:", "policy:\n  enforcement: { VG002: advisory }\nprohibitedCategories:");
}

/** backend/ under `dir`: project shop, stack prod, its state holding the tidy Integration. */
export function writeTidyProdBackend(dir: string): string {
  const outputs = {
    name: "tidy",
    vendor: "tidy",
    purpose: "analytics.reporting",
    subjects: ["customer"],
    enabled: true,
    destination: { url: "https://api.tidy.example/e", region: "eu" },
    fields: [{ path: "browser", category: "user.device", transform: "none" }],
  };
  const resource = { urn: `urn:pulumi:prod::shop::${INTEGRATION_TYPE}::tidy`, type: INTEGRATION_TYPE, custom: false, outputs };
  const state = { version: 3, checkpoint: { stack: "organization/shop/prod", latest: { resources: [resource] } } };
  const backend = join(dir, "backend");
  mkdirSync(join(backend, ".pulumi", "stacks", "shop"), { recursive: true });
  writeFileSync(join(backend, ".pulumi", "meta.yaml"), "version: 1\n");
  writeFileSync(join(backend, ".pulumi", "stacks", "shop", "prod.json"), JSON.stringify(state));
  return backend;
}
