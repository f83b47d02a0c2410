import { fieldSourceSchema } from "../model/integration.ts";

/*
 * The EventBridge input transformer that makes a flow's AWS pipeline send exactly the declared
 * fields: one input path per declared field, and a template that rebuilds the vendor's payload
 * from those values and nothing else. Without a transformer a target forwards the whole event,
 * so any field the application adds later would leave unreviewed.
 */

export interface TransformerField {
  /** Where the value sits in the outbound payload (the declaration's `path`). */
  path: string;
}

export interface InputTransformer {
  inputPaths: Record<string, string>;
  inputTemplate: string;
}

/** A problem with one declared field, named by its path, for the component's error message. */
export class TransformerError extends Error {
  override readonly name = "TransformerError";
}

// EventBridge evaluates only dot notation over letters, digits, "_", "-" and "/" (and array
// indices); a wildcard would forward an open-ended set of values, so it is refused too.
const EVENT_SEGMENT = /^[A-Za-z0-9_\-/]+$/;
// Template text cannot escape "<" or ">"; anything else is written as a JSON string.
const PAYLOAD_SEGMENT = /^[^<>.[\]]+$/;

/** Where a field is read from in the event when the program does not say: the same path under `detail`. */
export function defaultSource(path: string): string | undefined {
  const segments = path.split(".");
  return segments.every((s) => EVENT_SEGMENT.test(s)) ? `$.detail.${path}` : undefined;
}

type Tree = Map<string, Tree | string>;

/**
 * Builds the transformer for `fields`. `source` maps a declared path to the JSONPath it is read
 * from in the event (default `$.detail.<path>`). Throws TransformerError naming the field when a
 * path cannot be expressed: nothing is silently dropped or widened.
 */
export function buildInputTransformer(fields: readonly TransformerField[], source: Readonly<Record<string, string>> = {}): InputTransformer {
  if (fields.length === 0) throw new TransformerError("an EventBridge flow needs at least one declared field");
  // EventBridge's own limit; splitting a flow over two targets would hide half of it from review.
  if (fields.length > 100) throw new TransformerError(`EventBridge forwards at most 100 values per target; ${fields.length} fields are declared`);
  const declared = new Set(fields.map((f) => f.path));
  for (const key of Object.keys(source).sort()) {
    if (!declared.has(key)) throw new TransformerError(`eventBridge.source names ${JSON.stringify(key)}, which is not a declared field`);
  }

  const inputPaths: Record<string, string> = {};
  const root: Tree = new Map();
  fields.forEach((field, i) => {
    const from = (Object.hasOwn(source, field.path) ? source[field.path] : undefined) ?? defaultSource(field.path);
    if (from === undefined) {
      throw new TransformerError(
        `field ${field.path}: EventBridge paths allow only letters, digits, "_", "-" and "/" in each segment; ` +
          `say where the value sits in the event with eventBridge.source[${JSON.stringify(field.path)}]`,
      );
    }
    const checked = fieldSourceSchema.safeParse(from);
    if (!checked.success) throw new TransformerError(`eventBridge.source[${JSON.stringify(field.path)}]: ${checked.error.issues[0]!.message}`);
    // Variable names are positional: the declaration, not the event, decides what is sent.
    const variable = `f${i}`;
    inputPaths[variable] = from;
    insert(root, field.path, variable);
  });
  return { inputPaths, inputTemplate: render(root) };
}

function insert(root: Tree, path: string, variable: string): void {
  const segments = path.split(".");
  for (const s of segments) {
    if (!PAYLOAD_SEGMENT.test(s)) {
      throw new TransformerError(`field ${path}: a payload path is dot-separated keys without "<", ">", "[" or "]"; got segment ${JSON.stringify(s)}`);
    }
  }
  let node = root;
  segments.forEach((s, i) => {
    const last = i === segments.length - 1;
    const existing = node.get(s);
    if (last) {
      if (existing !== undefined) throw new TransformerError(`field ${path}: declared twice, or both as a value and as an object of other fields`);
      node.set(s, variable);
      return;
    }
    if (typeof existing === "string") throw new TransformerError(`field ${path}: ${segments.slice(0, i + 1).join(".")} is itself a declared field`);
    const child: Tree = existing ?? new Map();
    node.set(s, child);
    node = child;
  });
}

// Placeholders stay unquoted so EventBridge inserts each value as the JSON it was in the event.
function render(tree: Tree): string {
  const entries = [...tree].map(([k, v]) => `${JSON.stringify(k)}:${typeof v === "string" ? `<${v}>` : render(v)}`);
  return `{${entries.join(",")}}`;
}

/**
 * The payload paths a template sends, each with the input path that fills it: what a reviewer
 * (or a test) needs to see that the transformer forwards exactly the declaration.
 */
export function forwardedPaths(t: InputTransformer): Map<string, string> {
  const marker = "\u0001";
  const json = t.inputTemplate.replace(/<([A-Za-z0-9_]+)>/g, (_m, v: string) => JSON.stringify(`${marker}${v}`));
  const out = new Map<string, string>();
  const walk = (v: unknown, prefix: string): void => {
    if (typeof v === "string" && v.startsWith(marker)) {
      const from = t.inputPaths[v.slice(1)];
      if (from === undefined) throw new TransformerError(`template variable ${v.slice(1)} has no input path`);
      out.set(prefix, from);
    } else if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, child] of Object.entries(v)) walk(child, prefix ? `${prefix}.${k}` : k);
    } else {
      // A literal in the template is data too: it would leave without being declared.
      out.set(prefix, "(literal)");
    }
  };
  walk(JSON.parse(json), "");
  return out;
}
