export { UsageError } from "../errors.ts";
