import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Engine } from "../../src/engine/engine.ts";
import { judge } from "../../src/engine/judge.ts";
import { normalizeRegistry } from "../../src/engine/normalize.ts";
import type { Report } from "../../src/engine/violation.ts";
import { referenceJudge, tupleKeys } from "../reference/model.ts";
import type { FuzzCase } from "./arbitraries.ts";

/** `npm test` keeps the run short; `npm run test:fuzz` raises it through the environment. */
export const fuzzRuns = Number(process.env.VENDORGATE_FUZZ_RUNS ?? 1000);

/** Set it to replay a run reported by fast-check (with the path it prints, if any). */
export const fuzzSeed = process.env.VENDORGATE_FUZZ_SEED === undefined ? undefined : Number(process.env.VENDORGATE_FUZZ_SEED);

/** Generous per-case budget: a WASM evaluation takes well under a millisecond, shrinking many. */
export const fuzzTimeout = (runs: number): number => 60_000 + runs * 20;

export function judgeCase(engine: Engine, c: FuzzCase): Report {
  engine.setRegistry(normalizeRegistry(c.registry));
  return judge(engine, {
    now: c.now,
    stack: c.stack,
    integrations: c.integrations,
    resources: c.resources,
    exceptions: c.exceptions,
    enforcement: c.enforcement,
  });
}

// Custom rules (a project's own, such as the example's ACME001) are outside the reference model.
const builtIn = /^VG\d{3}$/;

export function wasmTuples(engine: Engine, c: FuzzCase): string[] {
  return tupleKeys(judgeCase(engine, c).violations.filter((v) => builtIn.test(v.rule)));
}

export function modelTuples(c: FuzzCase): string[] {
  return tupleKeys(referenceJudge(c));
}

/** What each side reports that the other does not, counting duplicates; empty when they agree. */
export function disagreement(engine: Engine, c: FuzzCase): string {
  const wasm = wasmTuples(engine, c);
  const model = modelTuples(c);
  const minus = (xs: string[], ys: string[]) => {
    const rest = [...ys];
    return xs.filter((x) => {
      const at = rest.indexOf(x);
      if (at < 0) return true;
      rest.splice(at, 1);
      return false;
    });
  };
  const lines = [
    ...minus(wasm, model).map((t) => `  only WASM:  ${t}`),
    ...minus(model, wasm).map((t) => `  only model: ${t}`),
  ];
  return lines.length === 0 ? "" : `[rule, integration, field, resource, severity, waivedBy]\n${lines.join("\n")}`;
}

export const fixtureDir = fileURLToPath(new URL("../fixtures/fuzz/", import.meta.url));

/**
 * A replayable case. `knownPolicyBug` marks a disagreement where the SPEC sides with the model and
 * the Rego still has to be fixed: the replay then expects the comparison to fail, and starts
 * failing (as it should) once the policy is corrected and the mark is removed.
 */
export interface Fixture {
  /** Why the case is kept, for the ones a person wrote or renamed. */
  note?: string;
  seed?: number;
  path?: string | null;
  knownPolicyBug?: string;
  case: FuzzCase;
}

export function readFixtures(): { file: string; fixture: Fixture }[] {
  return readdirSync(fixtureDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, fixture: JSON.parse(readFileSync(fixtureDir + file, "utf8")) as Fixture }));
}

/** Writes a shrunk counterexample unless the same case is already kept; returns the file name. */
export function writeCounterexample(seed: number, path: string | null, c: FuzzCase): string {
  const body = JSON.stringify(c);
  const known = readFixtures().find(({ fixture }) => JSON.stringify(fixture.case) === body);
  if (known) return known.file;
  const file = `counterexample-${seed}.json`;
  const fixture: Fixture = { seed, path, case: c };
  writeFileSync(fixtureDir + file, `${JSON.stringify(fixture, null, 2)}\n`);
  return file;
}
