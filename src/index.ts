// The package entry: what a Pulumi program imports (`import { Integration } from "vendorgate"`).
export { Integration } from "./components/integration.ts";
export { INTEGRATION_TYPE } from "./model/declaration.ts";
export type { IntegrationArgs, IntegrationField, IntegrationDeclaration } from "./components/integration.ts";
export type { DataCategory, DataSubject, DataUse, Transform } from "./model/index.ts";
