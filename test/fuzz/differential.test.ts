import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Engine } from "../../src/engine/engine.ts";
import { caseArb } from "./arbitraries.ts";
import { disagreement, fuzzRuns, fuzzSeed, fuzzTimeout, modelTuples, readFixtures, wasmTuples, writeCounterexample } from "./harness.ts";

/*
 * The compiled policy and test/reference/model.ts are two readings of SPEC section 2; any case
 * where they disagree is a bug in one of them. Tuples leave messages out (the model does not write
 * prose) but keep multiplicity, so a reason that fires twice, or not at all, still shows.
 */

let engine: Engine;
// Loading compiles nothing when the bundle is fresh; one instance for the whole run keeps the
// per-case cost at setRegistry + evaluate, which is what the CLI does per manifest too.
beforeAll(async () => {
  engine = await Engine.load();
});

describe("WASM policy against the reference model", () => {
  it(
    `agrees on ${fuzzRuns} generated cases`,
    () => {
      const details = fc.check(
        fc.property(caseArb, (c) => {
          expect(wasmTuples(engine, c)).toEqual(modelTuples(c));
        }),
        { numRuns: fuzzRuns, ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }) },
      );
      if (details.failed && details.counterexample) {
        const [c] = details.counterexample;
        const file = writeCounterexample(details.seed, details.counterexamplePath, c);
        throw new Error(`${fc.defaultReportMessage(details)}\n${disagreement(engine, c)}\nshrunk case kept as test/fixtures/fuzz/${file}`);
      }
      if (details.failed) throw new Error(fc.defaultReportMessage(details));
    },
    fuzzTimeout(fuzzRuns),
  );

  describe("replays every kept case", () => {
    for (const { file, fixture } of readFixtures()) {
      const replay = fixture.knownPolicyBug === undefined ? it : it.fails;
      replay(file, () => {
        expect(wasmTuples(engine, fixture.case), disagreement(engine, fixture.case)).toEqual(modelTuples(fixture.case));
      });
    }
  });
});
