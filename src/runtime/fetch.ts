import { Destinations, filterBody } from "./destinations.ts";
import type { Guards } from "./guard.ts";

type Fetch = typeof globalThis.fetch;

/**
 * A fetch that only reaches declared destinations: a request to an origin no declared integration
 * names is refused (the promise rejects with a GuardError before anything is sent), and a JSON
 * body sent to a declared destination leaves filtered by that integration's guard.
 *
 * Redirects are not followed (`redirect: "error"`): one could take the request, body and all, to
 * a host nobody declared. With `redirect: "manual"` the caller follows them, through this fetch.
 */
export function guardFetch(guards: Guards, fetchImpl: Fetch = globalThis.fetch.bind(globalThis)): Fetch {
  const destinations = new Destinations(guards);
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const redirect: "manual" | "error" = request.redirect === "manual" ? "manual" : "error";
    if (request.body === null) {
      destinations.route(url);
      return fetchImpl(new Request(request, { redirect }), passThrough(init));
    }
    const guard = destinations.routeBody(url);
    const body = filterBody(guard, await request.text());
    const headers = new Headers(request.headers);
    headers.delete("content-length");
    return fetchImpl(new Request(request, { body, headers, redirect }), passThrough(init));
  };
}

/** Options a runtime's fetch takes beyond the Request (Node's `dispatcher`), kept as given. */
function passThrough(init: RequestInit | undefined): RequestInit | undefined {
  if (!init || !("dispatcher" in init)) return undefined;
  return { dispatcher: (init as { dispatcher: unknown }).dispatcher } as RequestInit;
}
