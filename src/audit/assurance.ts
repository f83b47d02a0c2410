import { daysBetween } from "../text/output.ts";

/*
 * Where a vendor's DPA or SOC 2 report stands on a date, for review and the HTML report, which
 * speak of every vendor (the engine judges only vendors a flow sends to). The window is VG009's,
 * read from its METADATA; test/audit/assurance.test.ts holds these states to VG009's verdicts.
 */

export interface AssuranceState {
  expires?: string;
  /** Days from `now` to expiry; negative once expired. */
  daysLeft?: number;
  state: "missing" | "expired" | "expiring" | "valid";
}

/** `warningDays`: VG009's window (assuranceWarningDays of the bundle that judges). */
export function assuranceState(expires: string | undefined, now: string, warningDays: number): AssuranceState {
  if (expires === undefined) return { state: "missing" };
  const daysLeft = daysBetween(now, expires);
  return { expires, daysLeft, state: daysLeft < 0 ? "expired" : daysLeft <= warningDays ? "expiring" : "valid" };
}
