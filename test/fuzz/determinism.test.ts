import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { formats, type ReportContext } from "../../src/report/index.ts";
import { caseArb, type FuzzCase } from "./arbitraries.ts";
import { fuzzRuns, fuzzSeed, fuzzTimeout, judgeCase } from "./harness.ts";

/*
 * SPEC section 4: the same inputs give byte-identical output. "The same inputs" includes the same
 * declarations written in another order: nobody reorders a manifest, the registry or the
 * exceptions file expecting a different verdict, and CI diffs reports byte for byte. The JSON
 * format is the one scripts parse, so it is the one held to bytes here.
 */

let engine: Engine;
let ctx: ReportContext;
beforeAll(async () => {
  engine = await Engine.load();
  ctx = { catalogue: engine.catalogue, tool: { name: "vendorgate", version: "0" } };
});

type Draw = fc.GeneratorValue;

function shuffle<T>(xs: readonly T[], draw: Draw): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = draw(fc.nat, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The same case with every unordered collection in a fresh order. */
function reorder(c: FuzzCase, draw: Draw): FuzzCase {
  const vendorKeys = shuffle(Object.keys(c.registry.vendors), draw);
  const enforcementKeys = shuffle(Object.keys(c.enforcement), draw);
  return {
    ...c,
    registry: {
      ...c.registry,
      vendors: Object.fromEntries(vendorKeys.map((k) => [k, c.registry.vendors[k]!])),
    },
    integrations: shuffle(c.integrations, draw).map((i) => ({ ...i, fields: shuffle(i.fields, draw) })),
    resources: shuffle(c.resources, draw),
    exceptions: shuffle(c.exceptions, draw),
    enforcement: Object.fromEntries(enforcementKeys.map((k) => [k, c.enforcement[k]!])),
  };
}

const render = (c: FuzzCase): string => formats.json(judgeCase(engine, c), ctx);

const options = { numRuns: fuzzRuns, ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }) };

describe("deterministic JSON report", () => {
  it(
    `judging the same case twice gives the same bytes (${fuzzRuns} cases)`,
    () => {
      fc.assert(
        fc.property(caseArb, caseArb, (c, other) => {
          // One engine, another registry and request judged in between: nothing from one
          // evaluation may leak into the next.
          const first = render(c);
          render(other);
          expect(render(c)).toBe(first);
        }),
        options,
      );
    },
    fuzzTimeout(fuzzRuns),
  );

  it(
    `reordering integrations, fields, vendors, resources, exceptions and overrides changes no byte (${fuzzRuns} cases)`,
    () => {
      fc.assert(
        fc.property(caseArb, fc.gen(), (c, draw) => {
          expect(render(reorder(c, draw))).toBe(render(c));
        }),
        options,
      );
    },
    fuzzTimeout(fuzzRuns),
  );
});
