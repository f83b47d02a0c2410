/*
 * A resource of a Pulumi stack as the judge sees it: the policy pack (real engine) and `plan`
 * (mocks) both reduce what they see to this, and the egress readers read it.
 */

export interface StackResource {
  urn: string;
  type: string;
  name: string;
  parent?: string | undefined;
  /** Reading a value that is unknown until apply may throw (the policy SDK's unknown proxy). */
  props: Record<string, unknown>;
}

/** A value the judge needs that is unknown until apply: judging it would be a guess, so it blocks. */
export class UnknownValue extends Error {
  readonly input: string;
  constructor(input: string) {
    super(`${input} is not known until the deploy runs`);
    this.input = input;
  }
}
