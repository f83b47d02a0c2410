/*
 * vendorgate/runtime: what the gate approved is what leaves at run time. No Pulumi, no policy
 * engine, no Node built-ins: it runs in browsers and in Node >= 18. The undici dispatcher, which
 * is Node's, is vendorgate/runtime/undici.
 */
export { AllowlistError, parseAllowlist, type Allowlist, type AllowlistField, type AllowlistIntegration } from "./allowlist.ts";
export { ALLOWLIST_KIND, ALLOWLIST_SCHEMA_VERSION, type AllowlistSource, type Transform, type Verdict } from "./format.ts";
export { createGuards, Guard, GuardError, Guards, type DropReport, type GuardOptions } from "./guard.ts";
export { guardFetch } from "./fetch.ts";
