import * as z from "zod";

/*
 * What the program's process may tell the judging process, one JSON object a line on its fd 3.
 * The program runs in that process too, so every message is untrusted: the parent validates each
 * one, bounds them (runner.ts), and takes nothing else from the child: not its output, not its
 * exit code.
 */

/** The child's side of the channel. */
export const CHANNEL_FD = 3;

export interface HostInit {
  mode: "plan" | "serve";
  root: string;
  main: string;
  moduleKind: "esm" | "cjs";
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

const location = z.object({ file: z.string().max(4096), line: z.number().int().nonnegative(), column: z.number().int().nonnegative() });

const json = z.record(z.string(), z.unknown());

export const hostMessage = z.discriminatedUnion("t", [
  z.object({
    t: z.literal("resource"),
    urn: z.string().max(65536),
    type: z.string().max(1024),
    name: z.string().max(65536),
    custom: z.boolean(),
    remote: z.boolean(),
    parent: z.string().max(65536).optional(),
    inputs: json,
    outputs: json.optional(),
  }),
  z.object({ t: z.literal("site"), name: z.string().max(65536), at: location }),
  z.object({ t: z.literal("exit"), code: z.number().int() }),
  z.object({ t: z.literal("listening"), port: z.number().int().min(1).max(65535) }),
  z.object({ t: z.literal("done") }),
  z.object({ t: z.literal("error"), message: z.string().max(65536), at: location.optional() }),
]);

export type HostMessage = z.infer<typeof hostMessage>;
export type SourceLocation = z.infer<typeof location>;
