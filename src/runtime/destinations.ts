import { GuardError, type Guard, type Guards } from "./guard.ts";

/*
 * Where a request may go. A request is refused unless its origin (scheme, host, port) is that of
 * a declared integration's destination: plain http to a host declared as https is refused too.
 * A request carrying a body must go to a declared destination (origin and path), whose guard
 * filters the body; a body to any other path of a declared host is refused, as is a body that is
 * not JSON. Query strings are not inspected.
 */

const normalPath = (p: string) => (p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p);

export class Destinations {
  private readonly origins = new Set<string>();
  private readonly byEndpoint = new Map<string, Guard>();

  constructor(guards: Guards) {
    for (const guard of guards.all) {
      const d = guard.destination;
      this.origins.add(d.origin);
      const endpoint = d.origin + normalPath(d.pathname);
      const other = this.byEndpoint.get(endpoint);
      if (other) {
        throw new GuardError(
          `integrations "${other.integration}" and "${guard.integration}" declare the same destination ${endpoint}: a request to it cannot be told apart; create guards for one of them (options.integrations)`,
        );
      }
      this.byEndpoint.set(endpoint, guard);
    }
  }

  /** The guard whose declared destination `url` is; throws when no declared integration names its origin. */
  route(url: URL): Guard | undefined {
    if (!this.origins.has(url.origin)) {
      throw new GuardError(`refused a request to ${url.origin}: no declared integration sends data there`);
    }
    return this.byEndpoint.get(url.origin + normalPath(url.pathname));
  }

  /** route() for a request with a body: the body must go to a declared destination. */
  routeBody(url: URL): Guard {
    const guard = this.route(url);
    if (!guard) throw new GuardError(`refused a request body to ${url.origin}${url.pathname}: no declared integration's destination is this path`);
    return guard;
  }
}

/**
 * A JSON body filtered by the destination's guard: an object as one payload, an array (a batch)
 * payload by payload. Anything else is refused: the guard cannot vouch for what it cannot read.
 */
export function filterBody(guard: Guard, text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new GuardError(`refused a request body to ${guard.integration}'s destination: it is not JSON, so the guard cannot tell what it holds`);
  }
  if (Array.isArray(body)) return JSON.stringify(guard.filterAll(body as object[]));
  if (typeof body === "object" && body !== null) return JSON.stringify(guard.filter(body));
  throw new GuardError(`refused a request body to ${guard.integration}'s destination: expected a JSON object or array`);
}
