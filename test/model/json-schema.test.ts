import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { fixture } from "./helpers.ts";

// The JSON Schemas are for editors and outside tools; they must accept what vendorgate accepts
// (structurally: taxonomy keys and rule ids are only checked for form there).
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true, strictTypes: false }));
const validator = (name: string) => ajv.compile(JSON.parse(readFileSync(`schemas/${name}.schema.json`, "utf8")));
const load = (name: string) => parse(readFileSync(fixture(name), "utf8"));

describe("JSON Schemas agree with the zod schemas", () => {
  const manifest = validator("manifest");
  const registry = validator("registry");
  const exceptions = validator("exceptions");
  const project = validator("vendorgate");

  it("accept the valid fixtures and the shipped data", () => {
    for (const [validate, name] of [
      [manifest, "manifest-valid.yaml"],
      [manifest, "manifest-valid.json"],
      [registry, "registry-valid.yaml"],
      [exceptions, "exceptions-valid.yaml"],
    ] as const) {
      expect(validate(load(name)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    expect(registry(parse(readFileSync("examples/shop/policy/vendors.yaml", "utf8"))), JSON.stringify(registry.errors)).toBe(true);
    expect(project(parse(readFileSync("examples/shop/vendorgate.yaml", "utf8"))), JSON.stringify(project.errors)).toBe(true);
  });

  it("reject structural mistakes", () => {
    const m = load("manifest-valid.json");
    m.integrations[0].fields[0].trnsform = "hash";
    expect(manifest(m)).toBe(false);
    expect(manifest({ ...load("manifest-valid.json"), apiVersion: "vendorgate/v2" })).toBe(false);
    const r = load("registry-valid.yaml");
    r.vendors.mixpanel.assurance.dpa.expires = "30/06/2027";
    expect(registry(r)).toBe(false);
    expect(project({ apiVersion: "vendorgate/v1", registry: "vendors.yaml", policy: { enforcement: { VG009: "warn" } } })).toBe(false);
    expect(exceptions({ exceptions: [{ id: "x", rule: "VG004" }] })).toBe(false);
  });

  it("accept registry-added keys, which an enum would have rejected", () => {
    const m = load("manifest-valid.json");
    m.integrations[0].fields[0].category = "user.contact.loyalty_id";
    expect(manifest(m)).toBe(true);
    m.integrations[0].fields[0].category = "User Contact";
    expect(manifest(m)).toBe(false);
  });
});
