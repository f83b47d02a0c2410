import * as z from "zod";
import { enforcementLevelSchema } from "../model/config.ts";

/** The policy that carries the pack's config and reports anything that stops judging. */
export const GATE_POLICY = "vendorgate-gate";

/**
 * Config of the gate policy: what `vendorgate preview` writes for each run. One schema gives the
 * type preview writes, the JSON Schema the pack declares to Pulumi, and the check the pack runs
 * on what it is handed.
 */
export const gateConfigSchema = z.object({
  configFile: z.string().optional().describe("the project's vendorgate.yaml (absolute path); default: VENDORGATE_CONFIG_FILE"),
  registry: z.string().optional().describe("vendor registry (absolute path); default: vendorgate.yaml's"),
  exceptions: z.string().optional().describe("exceptions file (absolute path); default: vendorgate.yaml's"),
  now: z.string().optional().describe("evaluation date (ISO 8601); default: today"),
  residency: z.array(z.string()).optional().describe("regions this stack's data may go to"),
  accounts: z
    .array(z.string().regex(/^\d{12}$/))
    .optional()
    .describe("the stack's own AWS account ids; a destination in any other is egress"),
  enforcement: z.record(z.string(), enforcementLevelSchema).optional().describe('per-rule enforcement levels by rule id, e.g. {"VG009": "advisory"}'),
});

export type GateConfig = z.infer<typeof gateConfigSchema>;
