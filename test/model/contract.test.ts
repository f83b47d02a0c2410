import { describe, expect, it } from "vitest";
import * as z from "zod";
import { Engine } from "../../src/engine/engine.ts";
import { judge } from "../../src/engine/judge.ts";
import { normalizeInput, normalizeIntegration, normalizeRegistry } from "../../src/engine/normalize.ts";
import type { DeclaredException, DeclaredIntegration, DeclaredRegistry, DeclaredStack } from "../../src/engine/normalize.ts";
import type { SourceLocation as ViolationLocation } from "../../src/engine/violation.ts";
import { type LoadedExceptions, type LoadedManifest, type LoadedRegistry, loadManifest, loadRegistry, type SourceLocation } from "../../src/model/index.ts";
import { integrationSchema } from "../../src/model/integration.ts";
import { defaultTaxonomy } from "../../src/model/taxonomy.ts";
import { fixture } from "./helpers.ts";

// The engine takes structural input types; the declaration's is derived from the model's zod
// schema (engine/normalize.ts), the others are written there. These assignments are the contract:
// tsc fails here when either side changes shape (the ones prefixed with _ are checked by tsc alone).
const integrations = (m: LoadedManifest): readonly DeclaredIntegration[] => m.manifest.integrations;
const stack = (m: LoadedManifest): DeclaredStack | undefined => m.manifest.stack;
const registry = (r: LoadedRegistry): DeclaredRegistry => r.registry;
const _exceptions = (e: LoadedExceptions): readonly DeclaredException[] => e.exceptions;
const location = (l: SourceLocation): ViolationLocation => l;

describe("model → engine contract", () => {
  it("a loaded manifest's locations can be attached to violations as they are", async () => {
    const loaded = await loadManifest(fixture("manifest-valid.json"));
    expect(integrations(loaded)).toHaveLength(1);
    expect(stack(loaded)).toBeUndefined();
    expect(location(loaded.locations.get("product-analytics")!)).toEqual({ file: fixture("manifest-valid.json"), line: 4, column: 5 });
  });

  it("a loaded registry and manifest are judged as they are: the registry's vendors are the ones consulted", async () => {
    const loadedRegistry = await loadRegistry(fixture("registry-valid.yaml"));
    const loaded = await loadManifest(fixture("manifest-valid.json"), loadedRegistry.taxonomy);
    const engine = await Engine.load();
    engine.setRegistry(normalizeRegistry(registry(loadedRegistry)));
    const request = (list: readonly DeclaredIntegration[]) => ({ now: "2026-11-29", integrations: list, exceptions: [], enforcement: {} });
    expect(judge(engine, request(integrations(loaded))).violations).toEqual([]);
    const unknown = integrations(loaded).map((i) => ({ ...i, vendor: "not-in-this-registry" }));
    expect(judge(engine, request(unknown)).violations.map((v) => [v.rule, v.integration])).toEqual([["VG001", "product-analytics"]]);
  });
});

// Every property the integration schema declares, as a path, read from the zod schema itself.
function schemaPaths(schema: z.ZodType, at: (string | number)[] = []): (string | number)[][] {
  const def = schema instanceof z.ZodOptional || schema instanceof z.ZodDefault ? (schema.def.innerType as z.ZodType) : schema;
  if (def instanceof z.ZodObject) return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, v]) => schemaPaths(v, [...at, k]));
  if (def instanceof z.ZodArray && def.element instanceof z.ZodObject) return schemaPaths(def.element as z.ZodType, [...at, 0]);
  return [at];
}
const get = (o: unknown, path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

describe("the declaration the engine reads is the schema's", () => {
  // One value for every property: a property the schema gains must be added here, and then reach the engine.
  const full: DeclaredIntegration = {
    name: "analytics",
    vendor: "mixpanel",
    purpose: "analytics.reporting",
    subjects: ["customer"],
    enabled: true,
    destination: { url: "https://api-eu.mixpanel.com/track", region: "eu" },
    credentials: { secret: true, source: "secret-config" },
    fields: [{ path: "properties.$os", category: "user.device", transform: "none", source: "$.detail.os" }],
  };
  const paths = schemaPaths(integrationSchema(defaultTaxonomy));

  it("the fixture sets every property the schema declares, and validates", () => {
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => get(full, p) === undefined)).toEqual([]);
    expect(integrationSchema(defaultTaxonomy).safeParse(full).success).toBe(true);
  });

  it("each property reaches the engine's input as declared; enabled decides whether it is judged", () => {
    const normalized = normalizeIntegration(full);
    expect(paths.filter((p) => p[0] !== "enabled" && JSON.stringify(get(normalized, p)) !== JSON.stringify(get(full, p)))).toEqual([]);
    const input = (enabled: boolean) => normalizeInput({ now: "2026-11-29", integrations: [{ ...full, enabled }], exceptions: [], enforcement: {} }).integrations.length;
    expect([input(true), input(false)]).toEqual([1, 0]);
  });
});
