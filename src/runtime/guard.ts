import { parseAllowlist, AllowlistError, type Allowlist, type AllowlistIntegration } from "./allowlist.ts";
import { MIN_KEY_BYTES, TransformSet, untransformable, type Scalar, type TransformFn } from "./transforms.ts";

/** A payload the guard will not let through as it is, in strict mode; or a request it refuses. */
export class GuardError extends Error {
  override name = "GuardError";
}

/**
 * What one filter call (or one guarded request) left out. Paths and counts only: a report must
 * never carry the values it kept from leaving.
 */
export interface DropReport {
  integration: string;
  /** Paths the allow-list does not declare, with how many values were dropped at each. */
  dropped: Record<string, number>;
  /**
   * Declared paths whose value the declared transform cannot apply to (say, `truncate` on an
   * object): dropped too, since sending them unchanged would break the declaration.
   */
  untransformable: Record<string, number>;
}

export interface GuardOptions {
  /**
   * The pseudonymization key (at least 16 bytes; a string counts as its UTF-8 bytes). Required
   * when any declared field is pseudonymized; keep it out of the vendor's reach, and stable, or
   * the same user gets a new pseudonym.
   */
  key?: string | Uint8Array;
  /** Throw a GuardError instead of dropping. The report still goes to onDrop first. */
  strict?: boolean;
  /** Called after a filter that dropped anything. */
  onDrop?: (report: DropReport) => void;
  /** Only these integrations: the others' hosts are refused as if undeclared. */
  integrations?: readonly string[];
  /** Characters a `truncate`d string keeps (default 3). */
  truncateLength?: number;
}

type Obj = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** Collects one filter call's drops; allocates nothing while nothing is dropped. */
class Tally {
  dropped: Map<string, number> | undefined;
  untransformable: Map<string, number> | undefined;
  drop(path: string): void {
    const d = (this.dropped ??= new Map());
    d.set(path, (d.get(path) ?? 0) + 1);
  }
  refuse(path: string): void {
    const d = (this.untransformable ??= new Map());
    d.set(path, (d.get(path) ?? 0) + 1);
  }
}

const record = (m: Map<string, number> | undefined): Record<string, number> => {
  const out: Record<string, number> = {};
  // defineProperty: a payload key "__proto__" must become a property, not a new prototype.
  if (m) for (const [k, v] of m) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
};

interface PathNode {
  children: Map<string, PathNode> | undefined;
  leaf: { transform: TransformFn | undefined } | undefined;
}

const skip = Symbol("skip");

/** A declared leaf's value, transformed: scalars and arrays of scalars only. */
function leafValue(v: unknown, fn: TransformFn | undefined): unknown {
  const t = typeof v;
  if (t === "string" || t === "number" || t === "boolean" || v === null) return fn ? fn(v as Scalar) : v;
  if (v === undefined) return skip;
  if (v instanceof Date) return leafValue(Number.isNaN(v.getTime()) ? null : v.toISOString(), fn);
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const r = leafValue(v[i], fn);
      if (r === untransformable || r === skip || Array.isArray(r)) return untransformable;
      out[i] = r;
    }
    return out;
  }
  return untransformable;
}

type Walk = (src: Obj, tally: Tally) => Obj;
type Step = (value: unknown, out: Obj, tally: Tally) => void;

/*
 * The allow-list compiled into closures, one per declared path segment, so a filter call is a
 * walk over the payload's own keys with one map lookup each: no string parsing and no eval.
 */
function compile(children: Map<string, PathNode>, prefix: string): Walk {
  const steps = new Map<string, Step>();
  for (const [segment, node] of children) {
    const path = prefix + segment;
    const sub = node.children ? compile(node.children, `${path}.`) : undefined;
    const fn = node.leaf?.transform;
    const isLeaf = node.leaf !== undefined;
    steps.set(segment, (value, out, tally) => {
      if (sub && isPlainObject(value)) {
        out[segment] = sub(value, tally);
      } else if (isLeaf) {
        const r = leafValue(value, fn);
        if (r === untransformable) tally.refuse(path);
        else if (r !== skip) out[segment] = r;
      } else if (value !== undefined) {
        // A declared parent that holds no object: nothing under it was declared as this.
        tally.drop(path);
      }
    });
  }
  // Paths of undeclared keys, so a key dropped from every event is not concatenated every time.
  const droppedPaths = new Map<string, string>();
  const droppedPath = (key: string) => {
    let path = droppedPaths.get(key);
    if (path === undefined) {
      path = prefix + key;
      if (droppedPaths.size < 256) droppedPaths.set(key, path);
    }
    return path;
  };
  return (src, tally) => {
    const out: Obj = {};
    const keys = Object.keys(src);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const step = steps.get(key);
      if (step === undefined) tally.drop(droppedPath(key));
      else step(src[key], out, tally);
    }
    return out;
  };
}

/** The guard of one integration: what its declaration lets leave, and nothing else. */
export class Guard {
  readonly integration: string;
  readonly destination: URL;
  private readonly walk: Walk;
  private readonly options: Pick<GuardOptions, "strict" | "onDrop">;

  constructor(declared: AllowlistIntegration, transforms: TransformSet, options: Pick<GuardOptions, "strict" | "onDrop">) {
    this.options = options;
    this.integration = declared.name;
    this.destination = new URL(declared.destination.url);
    const root = new Map<string, PathNode>();
    for (const field of declared.fields) {
      let level = root;
      const segments = field.path.split(".");
      segments.forEach((segment, i) => {
        let node = level.get(segment);
        if (!node) level.set(segment, (node = { children: undefined, leaf: undefined }));
        if (i === segments.length - 1) node.leaf = { transform: transforms.for(field.transform, field.category) };
        else level = node.children ??= new Map();
      });
    }
    this.walk = compile(root, "");
  }

  /**
   * A copy of `payload` holding only the declared paths, each with its declared transform
   * applied. Drops go to onDrop as counts per path; in strict mode any drop throws instead.
   */
  filter<T extends object>(payload: T): Partial<T> {
    const tally = new Tally();
    const out = this.walkOne(payload, tally);
    if (tally.dropped || tally.untransformable) this.report(tally);
    return out as Partial<T>;
  }

  /** filter() for each payload of a batch (as vendors' batch endpoints take), with one report. */
  filterAll(payloads: readonly object[]): object[] {
    const tally = new Tally();
    const out = payloads.map((p) => this.walkOne(p, tally));
    if (tally.dropped || tally.untransformable) this.report(tally);
    return out;
  }

  private walkOne(payload: unknown, tally: Tally): Obj {
    if (!isPlainObject(payload)) throw new GuardError(`${this.integration}: expected an object payload, got ${Array.isArray(payload) ? "an array" : typeof payload}`);
    return this.walk(payload, tally);
  }

  private report(tally: Tally): void {
    const report: DropReport = {
      integration: this.integration,
      dropped: record(tally.dropped),
      untransformable: record(tally.untransformable),
    };
    this.options.onDrop?.(report);
    if (this.options.strict) {
      const paths = [...Object.keys(report.dropped).map((p) => `${p} (not declared)`), ...Object.keys(report.untransformable).map((p) => `${p} (cannot be transformed as declared)`)];
      throw new GuardError(`${this.integration}: payload holds what the allow-list does not let leave: ${paths.join(", ")}`);
    }
  }
}

/** The allow-list made enforceable: a guard per integration, and the hosts they may reach. */
export class Guards {
  readonly allowlist: Allowlist;
  private readonly guards = new Map<string, Guard>();

  constructor(allowlist: Allowlist, options: GuardOptions) {
    this.allowlist = allowlist;
    const wanted = options.integrations;
    const chosen = allowlist.integrations.filter((i) => !wanted || wanted.includes(i.name));
    for (const name of wanted ?? []) {
      if (!allowlist.integrations.some((i) => i.name === name)) throw new AllowlistError(`allow-list declares no integration "${name}"`);
    }
    const key = typeof options.key === "string" ? new TextEncoder().encode(options.key) : options.key;
    if (key !== undefined && key.length < MIN_KEY_BYTES) {
      throw new GuardError(`the pseudonymization key has ${key.length} bytes; at least ${MIN_KEY_BYTES} are needed (a short key can be guessed)`);
    }
    const needsKey = chosen.filter((i) => i.fields.some((f) => f.transform === "pseudonymize"));
    if (needsKey.length && !key) {
      throw new GuardError(`${needsKey.map((i) => i.name).join(", ")} pseudonymize fields: pass the pseudonymization key as options.key`);
    }
    const transforms = new TransformSet({ key, truncateLength: options.truncateLength ?? 3 });
    for (const i of chosen) {
      if (i.verdict !== "pass") throw new AllowlistError(`the gate blocked integration "${i.name}" (verdict ${i.verdict}); its data may not leave`);
      this.guards.set(i.name, new Guard(i, transforms, options));
    }
  }

  /** The guard of one declared integration; an undeclared name throws. */
  for(integration: string): Guard {
    const guard = this.guards.get(integration);
    if (!guard) throw new GuardError(`no guard for "${integration}": the allow-list declares ${[...this.guards.keys()].join(", ") || "no integration"}`);
    return guard;
  }

  get all(): readonly Guard[] {
    return [...this.guards.values()];
  }
}

/**
 * Guards for every integration of an allow-list (the document or its JSON text). Refuses an
 * allow-list that is malformed, of an unknown version, or that the gate blocked.
 */
export function createGuards(allowlist: unknown, options: GuardOptions = {}): Guards {
  const doc = parseAllowlist(allowlist);
  if (doc.verdict !== "pass") {
    throw new AllowlistError(
      `the gate blocked this allow-list (verdict ${doc.verdict}${doc.stack ? `, stack ${doc.stack}` : ""}): nothing it declares may leave until a deploy passes`,
    );
  }
  return new Guards(doc, options);
}
