import * as pulumi from "@pulumi/pulumi";
import type { DataCategory, DataSubject, DataUse, Transform } from "../model/index.ts";
import { validateDeclaration } from "./validate.ts";

export const INTEGRATION_TYPE = "vendorgate:index:Integration";

export interface IntegrationField {
  /** Where the value sits in the outbound payload, e.g. `properties.$os`. */
  path: string;
  category: DataCategory;
  transform?: Transform;
}

export interface IntegrationArgs {
  /** Key of the vendor in the registry (policies/data/vendors.yaml). */
  vendor: string;
  purpose: DataUse;
  subjects: DataSubject[];
  /** false = the flow is switched off but kept for audit; it is not judged. Default true. */
  enabled?: boolean;
  destination: { url: pulumi.Input<string>; region: string };
  /**
   * The vendor credential. Only whether it is a Pulumi secret is recorded (VG011); the value is
   * never part of the declaration, the state or any report.
   */
  credentials?: { value: pulumi.Input<string> };
  /** Every field that leaves, and nothing else. */
  fields: IntegrationField[];
}

/** The declaration as the policy sees it: what the component records as its outputs. */
export interface IntegrationDeclaration {
  name: string;
  vendor: string;
  purpose: string;
  subjects: string[];
  enabled: boolean;
  destination: { url: string; region: string };
  credentials?: { secret: boolean };
  fields: { path: string; category: string; transform: string }[];
}

/**
 * One outbound data flow. Construction validates the declaration against the schema and the
 * taxonomy (a bad value fails at once, naming the resource); the policy pack judges the recorded
 * declaration against the vendor registry at preview time.
 */
export class Integration extends pulumi.ComponentResource {
  /** The declared destination URL, for the resources that carry the flow. */
  readonly url: pulumi.Output<string>;
  readonly fields: readonly IntegrationField[];

  constructor(name: string, args: IntegrationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(INTEGRATION_TYPE, name, {}, opts);
    validateDeclaration(this, name, args);
    this.url = pulumi.output(args.destination.url);
    this.fields = args.fields;
    const credentials = args.credentials
      ? { secret: pulumi.isSecret(pulumi.output(args.credentials.value)) }
      : undefined;
    const declaration = {
      name,
      vendor: args.vendor,
      purpose: args.purpose,
      subjects: args.subjects,
      enabled: args.enabled ?? true,
      destination: { url: args.destination.url, region: args.destination.region },
      ...(credentials ? { credentials } : {}),
      fields: args.fields.map((f) => ({ path: f.path, category: f.category, transform: f.transform ?? "none" })),
    };
    // Outputs, not inputs: the engine hands a stack policy the recorded outputs, and the state
    // then keeps each flow's declaration for audit and for `vendorgate exposure`.
    this.registerOutputs(declaration);
  }
}
