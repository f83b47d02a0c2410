import type * as PulumiSdk from "@pulumi/pulumi";

/** The @pulumi/pulumi module a program uses (the user's own copy under plan's child process). */
export type PulumiModule = typeof PulumiSdk;

/*
 * Runs a Pulumi program in this process against Pulumi's mock monitor: no engine, no provider
 * plugin, no cloud credentials. The mocks answer every resource with its own inputs (plus the
 * id, name and ARN a provider would fill in), and a hook on the monitor records what the program
 * sent: type, name, parent, inputs, and a component's registered outputs (for an Integration,
 * its declaration). MockResourceArgs carries no parent; the monitor's request does.
 */

export interface RecordedResource {
  /** The URN the engine would give it (the mock monitor's own URNs differ for the stack's children). */
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string | undefined;
  /** A multi-language component whose children a provider plugin would create (never under mocks). */
  remote: boolean;
  /** Property structs as sent to the engine (secret envelopes and unknowns still in place). */
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> | undefined;
}

export interface MockRun {
  project: string;
  stack: string;
  /** Config as the language host would pass it: `ns:key` -> string (objects as JSON). */
  config: Record<string, string>;
  secretKeys: readonly string[];
}

export const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
export const MOCK_ACCOUNT = "123456789012";

interface Struct {
  toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getRemote?(): boolean;
  getObject(): Struct | undefined;
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): Struct | undefined;
}
type Callback = (err: unknown, resp: { getUrn(): string } | undefined) => void;
interface MonitorLike {
  registerResource(req: RegisterRequest, cb: Callback): Promise<void> | void;
  registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, resp: unknown) => void): void;
}

/** The program failed (threw, or a resource could not be registered): nothing can be judged. */
export class ProgramError extends Error {
  override readonly name = "ProgramError";
}

// ARN shapes of the types vendorgate reasons about (an API destination's ARN is how a target or
// pipe is recognised as egress); anything else gets a generic, still well-formed ARN.
function arnFor(type: string, name: string, region: string): string {
  const at = `${region}:${MOCK_ACCOUNT}`;
  switch (type) {
    case "aws:cloudwatch/eventApiDestination:EventApiDestination":
      return `arn:aws:events:${at}:api-destination/${name}/mock`;
    case "aws:cloudwatch/eventConnection:EventConnection":
      return `arn:aws:events:${at}:connection/${name}/mock`;
    case "aws:cloudwatch/eventRule:EventRule":
      return `arn:aws:events:${at}:rule/${name}`;
    case "aws:cloudwatch/eventBus:EventBus":
      return `arn:aws:events:${at}:event-bus/${name}`;
    case "aws:iam/role:Role":
      return `arn:aws:iam::${MOCK_ACCOUNT}:role/${name}`;
    case "aws:sns/topic:Topic":
      return `arn:aws:sns:${at}:${name}`;
    case "aws:sqs/queue:Queue":
      return `arn:aws:sqs:${at}:${name}`;
    case "aws:lambda/function:Function":
      return `arn:aws:lambda:${at}:function:${name}`;
    case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
      return `arn:aws:firehose:${at}:deliverystream/${name}`;
    default: {
      const [pkg, mod = "", kind = ""] = type.split(":");
      const service = mod.split("/")[0] || pkg || "mock";
      return `arn:aws:${service}:${at}:${kind.toLowerCase()}/${name}`;
    }
  }
}

function mocksFor(region: string): PulumiSdk.runtime.Mocks {
  return {
    newResource(args) {
      if (!args.custom) return { id: undefined, state: {} };
      const inputs = (args.inputs ?? {}) as Record<string, unknown>;
      // A preview leaves outputs the mock does not return unknown; these are the ones programs
      // commonly pass on (rule.name to a target, role.arn to a policy).
      return {
        id: `${args.name}-id`,
        state: { ...inputs, name: inputs.name ?? args.name, arn: inputs.arn ?? arnFor(args.type, args.name, region), id: `${args.name}-id` },
      };
    },
    call(args) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: MOCK_ACCOUNT, arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/vendorgate-plan`, userId: "vendorgate-plan", id: MOCK_ACCOUNT };
        case "aws:index/getRegion:getRegion":
          return { name: region, region, id: region };
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
          // Programs index into these (`names[0]`); an empty answer would fail them, not judge them.
          const names = ["a", "b", "c"].map((z) => `${region}${z}`);
          return { names, zoneIds: names.map((_, i) => `use1-az${i + 1}`), id: region };
        }
        case "aws:ec2/getAmi:getAmi":
          return { ...(args.inputs as Record<string, unknown>), id: "ami-0123456789abcdef0", imageId: "ami-0123456789abcdef0" };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        default:
          return args.inputs as Record<string, unknown>;
      }
    },
  };
}

function engineUrns(records: Map<string, Omit<RecordedResource, "urn" | "parent"> & { parentMock: string }>, run: MockRun) {
  const real = new Map<string, string>();
  const resolve = (mockUrn: string, depth = 0): string => {
    const known = real.get(mockUrn);
    if (known) return known;
    const r = records.get(mockUrn);
    if (!r || depth > 1000) return mockUrn;
    const parent = r.parentMock ? records.get(r.parentMock) : undefined;
    // The engine leaves the root stack out of its children's type chain; the mock monitor does not.
    const chain = parent && parent.type !== ROOT_STACK_TYPE ? `${resolve(r.parentMock, depth + 1).split("::")[2]}$` : "";
    const urn = `urn:pulumi:${run.stack}::${run.project}::${chain}${r.type}::${r.name}`;
    real.set(mockUrn, urn);
    return urn;
  };
  return resolve;
}

/**
 * Runs `program` under mocks and returns every resource it registered, sorted by URN. Throws
 * ProgramError when the program (or any registration) fails.
 */
export async function runUnderMocks(pulumi: PulumiModule, program: () => Promise<unknown>, run: MockRun, opts: { stackTraces?: boolean } = {}): Promise<RecordedResource[]> {
  // The AWS provider refuses to start without a region; under mocks any will do, and a stack that
  // names none (Pulumi.yaml's template defaults are not config) gets the provider's usual one.
  const region = run.config["aws:region"] ?? "us-east-1";
  const config = run.config["aws:region"] ? run.config : { ...run.config, "aws:region": region };
  // preview = true: values the mocks cannot know stay unknown, and plan says so instead of guessing.
  await pulumi.runtime.setMocks(mocksFor(region), run.project, run.stack, true, "organization");
  pulumi.runtime.setAllConfig(config, [...run.secretKeys]);

  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const records = new Map<string, Omit<RecordedResource, "urn" | "parent"> & { parentMock: string }>();
  const failures: string[] = [];
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) =>
    register(req, (err, resp) => {
      if (err) failures.push(`${req.getType()} ${req.getName()}: ${(err as Error)?.message ?? String(err)}`);
      else if (resp && records.has(resp.getUrn())) {
        // The engine refuses a second resource with the same URN; the mock monitor would silently
        // keep only one, and the other's flow would go unjudged.
        failures.push(`duplicate resource URN ${resp.getUrn()} (${req.getType()} ${req.getName()})`);
      } else if (resp) {
        records.set(resp.getUrn(), {
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          remote: req.getRemote?.() === true,
          parentMock: req.getParent(),
          inputs: req.getObject()?.toJavaScript() ?? {},
          outputs: undefined,
        });
      }
      cb(err, resp);
    });
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    const r = records.get(req.getUrn());
    if (r) r.outputs = req.getOutputs()?.toJavaScript() ?? {};
    registerOutputs(req, cb);
  };

  // A failed registration rejects promises nobody awaits; in a CLI that would end the process
  // with a stack trace instead of a verdict. The handler stays until every RPC has drained, even
  // after the program failed, so nothing of this run surfaces in a later one.
  const unhandled: string[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push((reason as Error)?.message ?? String(reason));
  process.on("unhandledRejection", onUnhandled);
  let programError: unknown;
  // The SDK records a stack trace for every promise it makes, to report leaks it finds at exit;
  // formatting them was half of plan's time on a large program, and plan reports no leaks.
  const stackTraceLimit = Error.stackTraceLimit;
  // The caller that needs the program's own stack traces (to name the user's line) keeps them and
  // makes the SDK's cheap instead (see runner/host.ts).
  if (!opts.stackTraces) Error.stackTraceLimit = 0;
  try {
    try {
      await pulumi.runtime.runInPulumiStack(async () => (await program()) as PulumiSdk.Inputs | undefined);
    } catch (err) {
      programError = err;
    }
    try {
      await pulumi.runtime.disconnect();
    } catch (err) {
      unhandled.push((err as Error)?.message ?? String(err));
    }
    // Let rejections raised by the last registrations reach the handler before it goes.
    await new Promise((r) => setImmediate(r));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
    process.off("unhandledRejection", onUnhandled);
  }
  // The program's own error says what went wrong; the rejections it caused downstream only repeat it.
  if (programError !== undefined) throw new ProgramError((programError as Error)?.message ?? String(programError), { cause: programError });
  const problems = [...new Set([...failures, ...unhandled])];
  if (problems.length > 0) throw new ProgramError(problems.join("; "));

  const urnOf = engineUrns(records, run);
  const out: RecordedResource[] = [];
  for (const [mockUrn, r] of records) {
    out.push({
      urn: urnOf(mockUrn),
      type: r.type,
      name: r.name,
      custom: r.custom,
      remote: r.remote,
      parent: r.parentMock ? urnOf(r.parentMock) : undefined,
      inputs: r.inputs,
      outputs: r.outputs,
    });
  }
  return out.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}
