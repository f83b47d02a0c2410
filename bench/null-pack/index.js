// Stack policies that look at nothing: a preview with this pack costs what the engine's Analyzer
// protocol and the policy runtime cost, without vendorgate's evaluation. VENDORGATE_BENCH_POLICIES
// sets how many (default 1): the policy SDK hands every stack policy its own deserialised copy of
// every resource, so that cost grows with the number of policies times the number of resources.
import { PolicyPack } from "@pulumi/policy";

const count = Math.max(1, Number(process.env.VENDORGATE_BENCH_POLICIES ?? 1) || 1);
const policies = Array.from({ length: count }, (_, i) => ({
  name: `nothing-${i + 1}`,
  description: "does nothing",
  enforcementLevel: "advisory",
  validateStack: () => {},
}));

new PolicyPack("vendorgate-bench-null", { policies });
