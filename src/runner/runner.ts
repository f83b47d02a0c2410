import { existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { extname, join, relative } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors.ts";
import { packageCacheDir } from "../paths.ts";
import type { ConstructionSite } from "../components/integration.ts";
import type { RecordedResource } from "../plan/mocks.ts";
import { entryModuleKind, type ProjectInfo } from "../pulumi/project.ts";
import { hostMessage, type HostInit, type HostMessage, type SourceLocation } from "./protocol.ts";

/*
 * Runs a Pulumi program in a process of its own (host.ts) and takes back only its resource
 * registrations, over a channel this side bounds in time, bytes and count. The program cannot
 * reach the verdict: its output goes to stderr, prefixed, and its exit code is not read for
 * anything but an error message.
 */

export interface ProgramLimits {
  /** Wall-clock time for the whole run. */
  timeoutMs: number;
  /** Bytes over the channel. */
  maxBytes: number;
  /** One message's bytes. */
  maxMessageBytes: number;
  /** Resources registered. */
  maxResources: number;
  /** The program's own output shown on stderr; the rest is dropped. */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: ProgramLimits = {
  timeoutMs: 120_000,
  maxBytes: 256 * 1024 * 1024,
  maxMessageBytes: 32 * 1024 * 1024,
  maxResources: 100_000,
  maxOutputBytes: 1024 * 1024,
};

/** The program could not be run to the end (it threw, exited, or hit a limit): exit 2, nothing judged. */
export class ProgramFailure extends UsageError {}

export interface ProgramRun {
  stack: string;
  config: Record<string, string>;
  secretKeys: readonly string[];
}

export interface IsolatedRunOptions {
  limits?: Partial<ProgramLimits>;
  /** Where the program's own output goes (default: vendorgate's stderr, each line prefixed). */
  output?: (text: string) => void;
  mode?: HostInit["mode"];
  /** serve mode: called with the language server's port once it listens. */
  onListening?: (port: number) => void;
  /** serve mode: resolves when the caller is done with the server. */
  until?: Promise<unknown>;
}

export interface IsolatedRun {
  resources: RecordedResource[];
  sites: Map<string, ConstructionSite>;
  /** Exit codes the program asked for (0 only: any other fails the run). */
  exitCalls: number[];
}

// From the sources, host.ts sits beside this file. In the built package this code is bundled into
// dist/cli.js or a shared chunk under dist/chunks/, while host.js is an entry of its own under
// dist/runner/. Looked up when a program runs, not when the CLI starts.
function hostScript(): string {
  const self = fileURLToPath(import.meta.url);
  const beside = join(self, "..", `host${extname(self)}`);
  return [beside, join(self, "..", "runner", "host.js"), join(self, "..", "..", "runner", "host.js")].find((f) => existsSync(f)) ?? beside;
}

/** The TypeScript loader (tsx): ESM and CommonJS, extensionless and directory imports, tsconfig paths. */
const loader = (): string => import.meta.resolve("tsx");

// The program needs no credentials of ours: under mocks nothing reaches a cloud, and config
// secrets were decrypted here and handed over.
const WITHHELD_ENV = ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_ACCESS_TOKEN", "NODE_OPTIONS"];

/** The program host's environment: ours, less what the program must not see. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of WITHHELD_ENV) delete env[k];
  if (process.env.PULUMI_NODEJS_TSCONFIG_PATH) env.TSX_TSCONFIG_PATH = process.env.PULUMI_NODEJS_TSCONFIG_PATH;
  // V8's compiled code of the SDKs (@pulumi/aws is thousands of modules), kept between runs, in
  // vendorgate's own cache: in a shared temporary folder another local user could plant code that
  // changes what the program reports.
  env.NODE_COMPILE_CACHE ??= join(packageCacheDir(), "program-host");
  return env;
}

/** Control characters other than tab and newline could rewrite what the terminal shows. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const printable = (s: string): string => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, "");

function where(root: string, at: SourceLocation | undefined): string {
  if (!at) return "";
  const shown = relative(process.cwd(), join(root, at.file)) || at.file;
  return `${shown}:${at.line}:${at.column}: `;
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

export function runIsolated(project: ProjectInfo, run: ProgramRun, opts: IsolatedRunOptions = {}): Promise<IsolatedRun> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const mainShown = relative(process.cwd(), project.main) || project.main;
  const init: HostInit = {
    mode: opts.mode ?? "plan",
    root: project.root,
    main: project.main,
    moduleKind: project.moduleKind ?? entryModuleKind(project.main),
    project: project.name,
    stack: run.stack,
    config: run.config,
    secretKeys: [...run.secretKeys],
  };
  const output = opts.output ?? ((s: string) => void process.stderr.write(s));

  return new Promise<IsolatedRun>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", loader(), hostScript()], {
      cwd: project.root,
      env: childEnv(),
      stdio: ["pipe", "pipe", "pipe", "pipe"],
    });
    const resources: RecordedResource[] = [];
    const sites = new Map<string, ConstructionSite>();
    const exitCalls: number[] = [];
    let failure: Error | undefined;
    let done = false;
    let settled = false;
    let bytes = 0;
    // The unfinished message's pieces: joined once its newline arrives, so a large resource costs
    // one copy rather than one per chunk.
    let pending: Buffer[] = [];
    let pendingBytes = 0;

    const stop = (err: Error) => {
      failure ??= err;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(() => stop(new ProgramFailure(`${mainShown}: the program did not finish within ${seconds(limits.timeoutMs)}`)), limits.timeoutMs);
    timer.unref?.();

    const onMessage = (msg: HostMessage) => {
      switch (msg.t) {
        case "resource": {
          if (resources.length >= limits.maxResources) return stop(new ProgramFailure(`${mainShown}: the program registered more than ${limits.maxResources} resources, the most vendorgate judges in one run`));
          const { t: _t, ...r } = msg;
          resources.push({ ...r, parent: r.parent, outputs: r.outputs });
          return;
        }
        case "site":
          sites.set(msg.name, { file: join(project.root, msg.at.file.startsWith("/") ? relative(project.root, msg.at.file) : msg.at.file), line: msg.at.line, column: msg.at.column });
          return;
        case "exit":
          exitCalls.push(msg.code);
          return;
        case "listening":
          opts.onListening?.(msg.port);
          return;
        case "done":
          done = true;
          return;
        case "error":
          return stop(new ProgramFailure(`${where(project.root, msg.at)}the program failed under plan's mocks: ${printable(msg.message).slice(0, 4000)}`));
      }
    };

    const channel = child.stdio[3] as Readable;
    channel.on("data", (chunk: Buffer) => {
      if (failure) return;
      bytes += chunk.length;
      if (bytes > limits.maxBytes) return stop(new ProgramFailure(`${mainShown}: the program sent more than ${limits.maxBytes} bytes of resources, the most vendorgate reads in one run`));
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0 && !failure; nl = chunk.indexOf(10, start)) {
        pending.push(chunk.subarray(start, nl));
        const line = Buffer.concat(pending).toString("utf8");
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
        let parsed;
        try {
          parsed = hostMessage.safeParse(JSON.parse(line));
        } catch {
          parsed = undefined;
        }
        if (!parsed?.success) return stop(new ProgramFailure(`${mainShown}: the program's process sent a message vendorgate does not accept`));
        onMessage(parsed.data);
      }
      if (failure || start === chunk.length) return;
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > limits.maxMessageBytes) stop(new ProgramFailure(`${mainShown}: one resource's inputs pass ${limits.maxMessageBytes} bytes, the most vendorgate reads`));
    });

    let shown = 0;
    const relay = (chunk: Buffer) => {
      if (shown >= limits.maxOutputBytes) return;
      const text = chunk.toString("utf8").slice(0, limits.maxOutputBytes - shown);
      shown += text.length;
      const lines = printable(text).replace(/\n$/, "").split("\n");
      output(lines.map((l) => `program: ${l}\n`).join("") + (shown >= limits.maxOutputBytes ? "program: [further output not shown]\n" : ""));
    };
    child.stdout.on("data", relay);
    child.stderr.on("data", relay);
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(init));

    if (opts.until) void opts.until.finally(() => child.kill("SIGKILL"));

    child.on("error", (err) => stop(new ProgramFailure(`${mainShown}: cannot start the program's process: ${err.message}`)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      if (failure) return reject(failure);
      if (done || (init.mode === "serve" && opts.until)) return resolve({ resources, sites, exitCalls });
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      // With nothing left to run, Node ends a process whose awaited promise never settles (13 for
      // a top-level await).
      const hint = code === 13 || code === 0 ? ": a promise it returned or awaited never settled" : "";
      reject(new ProgramFailure(`${mainShown}: the program's process ended before the program finished (${how})${hint}`));
    });
  });
}
