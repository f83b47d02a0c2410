// One stack policy that looks at nothing: a preview with this pack costs what the engine's
// Analyzer protocol and the policy runtime cost, without vendorgate's evaluation.
import { PolicyPack } from "@pulumi/policy";

new PolicyPack("vendorgate-bench-null", {
  policies: [{ name: "nothing", description: "does nothing", enforcementLevel: "advisory", validateStack: () => {} }],
});
