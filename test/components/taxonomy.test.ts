// Issue 17: the Integration component checked categories against fideslang alone, so a key the
// registry adds under `taxonomy:` (which `check` and the gate accept) failed the program at
// construction. It now checks against the registry its project's vendorgate.yaml names.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Integration, type IntegrationArgs } from "../../src/components/integration.ts";
import type { DataCategory } from "../../src/model/index.ts";
import { packageRoot } from "../../src/paths.ts";
import { judge } from "../plan/helpers.ts";

const scratch = mkdtempSync(join(tmpdir(), "vendorgate-component-taxonomy-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => void delete process.env.VENDORGATE_CONFIG_FILE);

/** A vendorgate.yaml naming the test registry that adds user.contact.loyalty_id. */
function projectWithExtendedRegistry(): string {
  const file = join(scratch, "vendorgate.yaml");
  writeFileSync(file, `apiVersion: vendorgate/v1\nregistry: ${JSON.stringify(join(packageRoot, "test/fixtures/model/registry-valid.yaml"))}\n`);
  return file;
}

const loyalty = (category: string): IntegrationArgs => ({
  vendor: "mixpanel",
  purpose: "analytics.reporting",
  subjects: ["customer"],
  destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
  fields: [{ path: "card", category: category as DataCategory }],
});

/** The program's error, or undefined when every Integration was constructed. */
async function constructionError(category: string): Promise<string | undefined> {
  return judge(() => new Integration("loyalty", loyalty(category))).then(
    () => undefined,
    (err: unknown) => String((err as Error).message),
  );
}

describe("Integration categories", () => {
  it("accept a key the project's registry adds to the taxonomy", async () => {
    process.env.VENDORGATE_CONFIG_FILE = projectWithExtendedRegistry();
    expect(await constructionError("user.contact.loyalty_id")).toBeUndefined();
  });

  it("still refuse a key neither fideslang nor the registry has, naming the resource", async () => {
    process.env.VENDORGATE_CONFIG_FILE = projectWithExtendedRegistry();
    expect(await constructionError("user.contact.loyalty_idd")).toMatch(/Integration "loyalty" is not a valid declaration: fields\[0\]\.category/);
  });

  it("refuse the registry's key where the project's registry does not add it", async () => {
    expect(await constructionError("user.contact.loyalty_id")).toMatch(/Integration "loyalty" is not a valid declaration: fields\[0\]\.category/);
  });
});
