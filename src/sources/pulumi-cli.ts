import { execFile } from "node:child_process";
import pLimit from "p-limit";
import { findTool } from "../paths.ts";
import { cmp } from "../text/order.ts";
import { FlowInterner, readCheckpoint, type Snapshot } from "./checkpoint.ts";
import type { BackendContents } from "./diy-backend.ts";
import { BackendError } from "./errors.ts";
import { Progress, type ProgressSink } from "./progress.ts";

/*
 * Pulumi Cloud (or any backend the Pulumi CLI can reach), read through the Pulumi CLI itself with
 * the user's own login: `pulumi stack ls --all --json` for the stacks, `pulumi stack export` for
 * each one's current state, and `pulumi stack history --json` with `pulumi stack export
 * --version N` for its history. No secret is decrypted (no --show-secrets): secret values stay
 * ciphertext and are shown as [secret].
 *
 * Pulumi Cloud itself cannot be reached from where vendorgate is tested; these same commands are
 * tested against a diy backend, where `stack export --version` is refused by the CLI (exposure
 * then fails closed with the CLI's reason).
 */

export interface CliOptions {
  url: string;
  history: boolean;
  /** CLI processes at once (default 4). */
  concurrency?: number;
  progress?: ProgressSink | false;
  env?: NodeJS.ProcessEnv;
}

interface StackListEntry {
  name: string;
}

interface HistoryEntry {
  version: number;
}

export async function readViaPulumiCli(opts: CliOptions): Promise<BackendContents> {
  const pulumi = findTool("pulumi");
  if (!pulumi) throw new BackendError(`backend ${opts.url}: reading it needs the Pulumi CLI, and none was found on PATH`);
  const env = { ...(opts.env ?? process.env), PULUMI_BACKEND_URL: opts.url, PULUMI_SKIP_UPDATE_CHECK: "1" };
  const run = (args: string[]): Promise<string> =>
    new Promise((res, rej) => {
      execFile(pulumi, [...args, "--non-interactive"], { env, maxBuffer: 1 << 30, encoding: "utf8" }, (err, stdout, stderr) => {
        if (!err) return res(stdout);
        // The CLI's own error line says why (not logged in, no such stack, not supported).
        const why = stderr.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("error:")).join("; ") || stderr.trim().split("\n").at(-1) || err.message;
        rej(new BackendError(`backend ${opts.url}: pulumi ${args.slice(0, 2).join(" ")} failed: ${why.replace(/^error:\s*/, "")}`));
      });
    });
  const json = async <T>(args: string[]): Promise<T> => {
    const text = await run(args);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new BackendError(`backend ${opts.url}: pulumi ${args.slice(0, 2).join(" ")} did not print JSON`);
    }
  };

  const stacks = (await json<StackListEntry[]>(["stack", "ls", "--all", "--json"])).map((s) => s.name).sort(cmp);
  const progress = opts.progress === false ? undefined : (opts.progress ?? new Progress({ label: opts.url }));
  progress?.total(stacks.length);
  const limit = pLimit(opts.concurrency ?? 4);
  const interner = new FlowInterner();
  const warnings: string[] = [];
  let unreadable = 0;

  const snapshot = async (full: string, kind: Snapshot["kind"], version?: number): Promise<Snapshot | undefined> => {
    const args = ["stack", "export", "--stack", full, ...(version === undefined ? [] : ["--version", String(version)])];
    const where = `${opts.url}/${full}${version === undefined ? "" : `@v${version}`}`;
    const parsed = readCheckpoint(await json<unknown>(args), where, warnings, interner);
    if (typeof parsed === "string") {
      unreadable++;
      warnings.push(`${where}: cannot read checkpoint: ${parsed}`);
      return undefined;
    }
    // Fully qualified names are org/project/stack; the project is the middle part.
    const parts = full.split("/");
    return { project: parts.length >= 3 ? parts.at(-2)! : "", stack: parts.at(-1)!, file: where, kind, time: parsed.time, flows: parsed.flows };
  };

  try {
    const per = await Promise.all(
      stacks.map(async (full) => {
        const state = await limit(() => snapshot(full, "state"));
        let history: (Snapshot | undefined)[] = [];
        if (opts.history) {
          const versions = await limit(() => json<HistoryEntry[]>(["stack", "history", "--stack", full, "--json"]));
          history = await Promise.all(versions.map((v) => limit(() => snapshot(full, "history", v.version))));
        }
        progress?.tick();
        const h = history.filter((x): x is Snapshot => x !== undefined).sort((a, b) => cmp(a.time ?? "", b.time ?? "") || cmp(a.file, b.file));
        return [...(state ? [state] : []), ...h];
      }),
    );
    warnings.sort(cmp);
    return { label: opts.url, snapshots: per.flat(), warnings, unreadable };
  } catch (err) {
    limit.clearQueue();
    throw err;
  } finally {
    progress?.finish();
  }
}
