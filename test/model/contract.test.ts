import { describe, expect, it } from "vitest";
import type { DeclaredException, DeclaredIntegration, DeclaredRegistry, DeclaredStack } from "../../src/engine/normalize.ts";
import type { SourceLocation as ViolationLocation } from "../../src/engine/violation.ts";
import { type LoadedExceptions, type LoadedManifest, type LoadedRegistry, loadManifest, type SourceLocation } from "../../src/model/index.ts";
import { fixture } from "./helpers.ts";

// The engine takes structural input types so that it does not depend on the model. These
// assignments are the contract: tsc fails here when either side changes shape.
const integrations = (m: LoadedManifest): readonly DeclaredIntegration[] => m.manifest.integrations;
const stack = (m: LoadedManifest): DeclaredStack | undefined => m.manifest.stack;
const registry = (r: LoadedRegistry): DeclaredRegistry => r.registry;
const exceptions = (e: LoadedExceptions): readonly DeclaredException[] => e.exceptions;
const location = (l: SourceLocation): ViolationLocation => l;

describe("model → engine contract", () => {
  it("a loaded manifest's locations can be attached to violations as they are", async () => {
    const loaded = await loadManifest(fixture("manifest-valid.json"));
    expect(integrations(loaded)).toHaveLength(1);
    expect(stack(loaded)).toBeUndefined();
    expect(location(loaded.locations.get("product-analytics")!)).toEqual({ file: fixture("manifest-valid.json"), line: 4, column: 5 });
    expect([registry, exceptions].every((f) => typeof f === "function")).toBe(true);
  });
});
