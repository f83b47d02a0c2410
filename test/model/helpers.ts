import type * as z from "zod";
import { errorMap, InputError, renderPath } from "../../src/model/index.ts";

/** `path: message` for every issue, with the loaders' error map, or [] when the data is valid. */
export function problems(schema: z.ZodType, data: unknown): string[] {
  const r = schema.safeParse(data, { error: errorMap });
  return r.success ? [] : r.error.issues.map((i) => `${renderPath(i.path)}: ${i.message}`);
}

/** The InputError a call throws (sync or async); fails the test when it throws nothing or something else. */
export async function inputError(run: () => unknown): Promise<InputError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError, nothing was thrown");
}

export const knownRules = [...Array.from({ length: 12 }, (_, i) => `VG${String(i + 1).padStart(3, "0")}`), "ACME001"];

export const fixture = (name: string) => `test/fixtures/model/${name}`;
