// The user's project: vendorgate.yaml (found by walking up, paths relative to it) and its Pulumi project.
export * from "./load.ts";
export { findUp } from "./find-up.ts";
export { pulumiProjectDir } from "./pulumi-project.ts";
