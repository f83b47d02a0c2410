/**
 * A fault in the policy itself (missing or corrupt bundle, a trap, a malformed result). It is never
 * a pass: `check` exits 2 with the reason and the policy pack reports it as a mandatory violation.
 */
export class PolicyFault extends Error {
  override readonly name = "PolicyFault";
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
  }
}
