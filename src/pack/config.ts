/** The policy that carries the pack's config and reports anything that stops judging. */
export const GATE_POLICY = "vendorgate-gate";

/** Config of the gate policy: what `vendorgate preview` writes for each run. */
export interface GateConfig {
  /** The project's vendorgate.yaml, absolute; the pack reads registry and exceptions from it unless given below. */
  configFile?: string;
  registry?: string;
  exceptions?: string;
  now?: string;
  residency?: string[];
  /** The stack's own AWS account ids: a destination in any other account is egress. */
  accounts?: string[];
  /** Per-rule levels (rule id -> level), applied inside the policy as for `check --config`. */
  enforcement?: Record<string, "mandatory" | "advisory" | "disabled">;
}
