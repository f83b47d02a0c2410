import { EventEmitter } from "node:events";
import type { Dispatcher } from "undici-types";
import { Destinations, filterBody } from "./destinations.ts";
import type { Guards } from "./guard.ts";

/*
 * The guard as an undici dispatcher, for Node: pass it as `dispatcher` to Node's own fetch (which
 * is undici) or to undici's request(), or make it the global dispatcher. It sees every request
 * and every redirect hop on its way to the connection, whatever API made it.
 *
 * Written against the Dispatcher interface rather than the `undici` package: Node >= 18 ships
 * undici inside, and the guard only looks at a request's options and hands them on, so it works
 * with whichever undici the runtime has. It forwards to `inner`, by default the global dispatcher.
 */

const globalDispatcherKey = Symbol.for("undici.globalDispatcher.1");
type DispatchHandler = Parameters<Dispatcher["dispatch"]>[1];

function withoutContentLength(headers: Dispatcher.DispatchOptions["headers"]): Dispatcher.DispatchOptions["headers"] {
  if (headers == null) return headers;
  const isLength = (name: unknown) => String(name).toLowerCase() === "content-length";
  if (Array.isArray(headers)) {
    // Flat [name, value, name, value, ...] or [[name, value], ...].
    if (headers.length && Array.isArray(headers[0])) return (headers as unknown as [string, string][]).filter(([n]) => !isLength(n)) as never;
    const out: string[] = [];
    for (let i = 0; i + 1 < headers.length; i += 2) if (!isLength(headers[i])) out.push(headers[i] as string, headers[i + 1] as string);
    return out;
  }
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === "function") {
    return [...(headers as Iterable<[string, string]>)].filter(([n]) => !isLength(n)) as never;
  }
  return Object.fromEntries(Object.entries(headers).filter(([n]) => !isLength(n))) as never;
}

async function bodyText(body: NonNullable<Dispatcher.DispatchOptions["body"]>): Promise<string> {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function" || typeof (body as Iterable<unknown>)[Symbol.iterator] === "function") {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<unknown>) {
      chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : (chunk as Uint8Array));
    }
    return new TextDecoder().decode(Buffer.concat(chunks));
  }
  throw new Error("a request body the guard cannot read (FormData or another non-JSON form)");
}

export class GuardDispatcher extends EventEmitter {
  private readonly destinations: Destinations;
  private readonly inner: Dispatcher | undefined;

  constructor(guards: Guards, inner?: Dispatcher) {
    super();
    this.inner = inner;
    this.destinations = new Destinations(guards);
  }

  private target(): Dispatcher {
    const d = this.inner ?? ((globalThis as Record<symbol, unknown>)[globalDispatcherKey] as Dispatcher | undefined);
    if (!d) throw new Error("no undici dispatcher to forward to: pass one to guardDispatcher()");
    return d;
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: DispatchHandler): boolean {
    // Throwing here refuses the request before a connection is made; fetch rejects with it.
    const url = new URL(options.path, options.origin);
    const body = options.body;
    if (body == null || (typeof body === "string" && body.length === 0)) {
      this.destinations.route(url);
      return this.target().dispatch(options, handler);
    }
    const guard = this.destinations.routeBody(url);
    // The body is read and filtered before its first byte is handed on: a body the guard refuses
    // fails the request before any of it is written (the request line and headers may have gone
    // to the declared origin by then; they carry no payload).
    const filtered = (async function* () {
      yield new TextEncoder().encode(filterBody(guard, await bodyText(body)));
    })();
    return this.target().dispatch({ ...options, body: filtered as never, headers: withoutContentLength(options.headers) }, handler);
  }

  close(): Promise<void> {
    return this.inner ? this.inner.close() : Promise.resolve();
  }

  destroy(err?: Error | null): Promise<void> {
    return this.inner ? this.inner.destroy(err ?? null) : Promise.resolve();
  }
}

/**
 * An undici dispatcher that refuses requests to undeclared origins and filters JSON bodies sent
 * to declared destinations (see Destinations). It implements what fetch and undici's request()
 * call (dispatch, close, destroy), and is typed as a Dispatcher so it can be passed where one is
 * expected.
 */
export function guardDispatcher(guards: Guards, inner?: Dispatcher): Dispatcher {
  return new GuardDispatcher(guards, inner) as unknown as Dispatcher;
}
