import { describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { judge } from "../../src/engine/judge.ts";
import { normalizeRegistry } from "../../src/engine/normalize.ts";
import type { DeclaredException, DeclaredIntegration, DeclaredRegistry, DeclaredStack } from "../../src/engine/normalize.ts";
import type { SourceLocation as ViolationLocation } from "../../src/engine/violation.ts";
import { type LoadedExceptions, type LoadedManifest, type LoadedRegistry, loadManifest, loadRegistry, type SourceLocation } from "../../src/model/index.ts";
import { fixture } from "./helpers.ts";

// The engine takes structural input types so that it does not depend on the model. These
// assignments are the contract: tsc fails here when either side changes shape (the ones prefixed
// with _ are checked by tsc alone).
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
