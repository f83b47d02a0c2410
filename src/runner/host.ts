/*
 * The program's own process. The judging process starts it (runner.ts) with the TypeScript
 * loader, in the project's directory, and hands it the run on stdin. It loads the user's
 * @pulumi/pulumi (resolved from the project, as the program's own imports are), runs the program
 * as Pulumi's Node.js runtime would, and sends back only what the program registered. Nothing
 * here decides anything: the parent judges, writes the report and sets the exit code.
 */
import { readFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Grpc from "@grpc/grpc-js";
import { runUnderMocks, type PulumiModule } from "../plan/mocks.ts";
import { locateError } from "./locate.ts";
import { CHANNEL_FD, type HostInit, type HostMessage } from "./protocol.ts";

const send = (msg: HostMessage): void => {
  const buf = Buffer.from(JSON.stringify(msg) + "\n");
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(CHANNEL_FD, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
    }
  }
};

// The SDK records a stack trace for every promise it makes, to report leaks plan never reports;
// formatting them (through the loader's source maps) would be most of a large program's time. The
// program's own errors keep theirs: they name the line to fix.
const formatStack = Error.prepareStackTrace;
if (formatStack) {
  Error.prepareStackTrace = (err, trace) =>
    trace.some((site) => /[\\/]runtime[\\/]debuggable\.js$/.test(site.getFileName() ?? "")) ? "" : formatStack(err, trace);
}

// Kept before the program can replace them.
const exit = process.exit.bind(process);
const init = JSON.parse(readFileSync(0, "utf8")) as HostInit;

// The program may end its own process to cut the run short (and print a report of its own first).
// Ending it with 0 changes nothing: the run goes on, and what it registers is judged. Any other
// code is the program saying it failed.
process.exit = ((code?: number | string | null) => {
  const n = Number(code ?? process.exitCode ?? 0) || 0;
  send({ t: "exit", code: n });
  if (n !== 0) {
    send({ t: "error", message: `the program called process.exit(${n})` });
    exit(0);
  }
}) as typeof process.exit;

/** Loads the entry module and runs it as Pulumi's Node.js runtime does; resolves to the stack outputs. */
async function runProgram(): Promise<unknown> {
  let exported: unknown;
  if (init.moduleKind === "esm") {
    const ns = (await import(pathToFileURL(init.main).href)) as Record<string, unknown>;
    if (Object.getOwnPropertyDescriptor(ns, "default") !== undefined) {
      if (Object.keys(ns).length !== 1) throw new Error("expected the entry module to have either a default export or named exports but not both");
      exported = ns.default;
    } else exported = ns;
  } else {
    exported = createRequire(init.main)(init.main);
    // TypeScript's `export default` compiled to CommonJS: the default is the program.
    const mod = exported as Record<string, unknown> | null;
    if (mod && typeof mod === "object" && mod.__esModule === true && "default" in mod) {
      const named = Object.keys(mod).filter((k) => k !== "default" && k !== "__esModule");
      if (named.length === 0) exported = mod.default;
    }
  }
  // An exported function is the program: called inside the stack, its result becomes the outputs.
  return typeof exported === "function" ? await (exported as () => unknown)() : exported;
}

function fail(err: unknown): void {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const message = String((cause as Error)?.message ?? cause);
  const at = locateError(cause, init.root);
  send({ t: "error", message, ...(at ? { at } : {}) });
}

/**
 * serve: the Automation API's inline-program language server, for the pulumi CLI the judging
 * process drives (`--client`). The engine sends the run and the config; the program's
 * registrations go to the engine, and the policy results come from the engine's own event log.
 */
async function serve(pulumiDir: string): Promise<void> {
  const req = createRequire(join(pulumiDir, "package.json"));
  const grpc = req("@grpc/grpc-js") as typeof Grpc;
  const { LanguageServer } = req(join(pulumiDir, "automation", "server.js")) as { LanguageServer: new (program: () => Promise<unknown>) => object };
  const langrpc = req(join(pulumiDir, "proto", "language_grpc_pb.js")) as { LanguageRuntimeService: Grpc.ServiceDefinition };
  const runtime = req(join(pulumiDir, "runtime", "index.js")) as { grpcChannelOptions?: Record<string, unknown> };
  const server = new grpc.Server({ ...(runtime.grpcChannelOptions ?? {}) });
  server.addService(langrpc.LanguageRuntimeService, new LanguageServer(runProgram) as Grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  send({ t: "listening", port });
  // The judging process ends this process when the engine is done.
  await new Promise(() => setInterval(() => {}, 1 << 30));
}

async function main(): Promise<void> {
  if (init.mode === "serve") {
    const projectRequire = createRequire(join(init.root, "package.json"));
    return serve(dirname(projectRequire.resolve("@pulumi/pulumi/package.json")));
  }
  // The user's SDK: the one the program's `import "@pulumi/pulumi"` resolves to. Two copies in one
  // process would each keep their own (mock) monitor, and the program's resources would be lost.
  let pulumi: PulumiModule;
  try {
    pulumi = createRequire(join(init.root, "package.json"))("@pulumi/pulumi") as PulumiModule;
  } catch {
    throw new Error("@pulumi/pulumi is not installed where the project's program can import it (npm install in the project)");
  }
  const recorded = await runUnderMocks(pulumi, runProgram, init, { stackTraces: true });
  for (const r of recorded) send({ t: "resource", ...r });
  const sites = (globalThis as Record<symbol, unknown>)[Symbol.for("vendorgate.constructionSites")];
  if (sites instanceof Map) {
    for (const [name, at] of sites as Map<string, { file: string; line: number; column: number }>) send({ t: "site", name, at });
  }
  send({ t: "done" });
}

main().then(
  () => exit(0),
  (err: unknown) => {
    fail(err);
    exit(0);
  },
);
