/*
 * The shop's analytics sender: application code, not part of the Pulumi program. It is written
 * the way the incident's was: identify() copies the user profile (name, email, organization ID)
 * into every event. The guard built from the stack's allow-list (`vendorgate allowlist`, or the
 * product-analytics Integration's `allowlist` output) sees to it that only what the gate approved
 * reaches Mixpanel, with distinct_id pseudonymised under the application's key.
 */
import { createGuards, guardFetch, type DropReport } from "vendorgate/runtime";

export interface User {
  id: string;
  name: string;
  email: string;
  orgId: string;
}

export interface AnalyticsOptions {
  /** The allow-list (JSON text), e.g. from an environment variable the stack sets. */
  allowlist: string;
  /** The pseudonymization key: the application's secret, never the vendor's. */
  pseudonymKey: string;
  /** The Mixpanel project token (sent as the basic-auth user, not in the event). */
  token: string;
  /** What the guard dropped, as counts per path: for a metric or a log line, never values. */
  onDrop?: (report: DropReport) => void;
  /** The transport under the guard (a test points it at a local endpoint). */
  fetch?: typeof globalThis.fetch;
}

export function createAnalytics(opts: AnalyticsOptions) {
  const guards = createGuards(opts.allowlist, {
    key: opts.pseudonymKey,
    integrations: ["product-analytics"],
    ...(opts.onDrop ? { onDrop: opts.onDrop } : {}),
  });
  const send = guardFetch(guards, opts.fetch);
  const endpoint = guards.for("product-analytics").destination.href;
  const authorization = `Basic ${btoa(`${opts.token}:`)}`;
  let profile: Record<string, string> = {};

  return {
    /** Mixpanel's identify(), as the incident had it: the whole profile goes into every event. */
    identify(user: User): void {
      profile = { distinct_id: user.id, $name: user.name, $email: user.email, org_id: user.orgId };
    },
    async track(event: string, properties: Record<string, unknown> = {}): Promise<void> {
      const res = await send(endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify([{ event, properties: { ...properties, ...profile } }]),
      });
      if (!res.ok) throw new Error(`Mixpanel answered ${res.status}`);
    },
  };
}
