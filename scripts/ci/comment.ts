import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { warning, type Env } from "./lib.ts";

/*
 * CI step: keeps one vendorgate comment per stack on a pull request, updated in place on every
 * push instead of piling up. The comment is found by a hidden marker at the start of its body,
 * and only among comments the workflow's own account wrote: a person quoting the marker must
 * never have their comment overwritten.
 *
 *   node scripts/ci/comment.ts --body <file> --stack <name>
 *   env: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL (optional)
 */

/** GitHub refuses longer comment bodies. */
export const MAX_BODY = 65_536;
export const DEFAULT_BOT = "github-actions[bot]";

export function marker(stack: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(stack)) throw new Error(`stack name ${JSON.stringify(stack)} cannot go into a comment marker`);
  return `<!-- vendorgate:pr-comment stack=${stack} -->`;
}

export interface CommentInput {
  stack: string;
  /** `vendorgate diff --format markdown` of base and head, or undefined when there is none. */
  diff?: string | undefined;
  /** Why a side could not be planned, shown above the diff. */
  notes?: readonly string[];
  /** Set when the head could not be planned: the change is blocked and the comment says why. */
  failure?: string | undefined;
  runUrl?: string | undefined;
}

/** The comment: marker first (how it is found again), then the verdict and the diff, within GitHub's limit. */
export function buildCommentBody(input: CommentInput): string {
  const head = [marker(input.stack)];
  const notes = (input.notes ?? []).filter((n) => n !== "").map((n) => `> **Note:** ${n.replace(/\r?\n/g, " ")}`);
  const footer = [`<sub>vendorgate, stack \`${input.stack}\`${input.runUrl ? ` · [run](${input.runUrl})` : ""}</sub>`];
  let main: string;
  if (input.failure !== undefined) {
    main = `## ⚠️ vendorgate could not plan this change (stack \`${input.stack}\`): blocked\n\n${input.failure.replace(/\r?\n/g, " ")}\n`;
  } else {
    main = input.diff ?? "";
  }
  const assemble = (body: string) => [...head, "", ...(notes.length ? [...notes, ""] : []), body.trimEnd(), "", ...footer, ""].join("\n");
  let body = assemble(main);
  if (body.length > MAX_BODY) {
    const cut = "\n\n… (truncated: the full diff is in the job summary)\n";
    const room = MAX_BODY - (assemble("").length + cut.length);
    // Cut at a line boundary so a table row or the chart's fence is not left half-written.
    const kept = main.slice(0, Math.max(0, room));
    const atLine = kept.lastIndexOf("\n");
    const fenceOpen = (kept.slice(0, atLine).match(/^```/gm) ?? []).length % 2 === 1;
    body = assemble(`${kept.slice(0, atLine)}${fenceOpen ? "\n```" : ""}${cut}`);
  }
  return body;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  user?: { login?: string; type?: string } | null;
}

/** The oldest comment by `login` whose body starts with the marker. */
export function findOwnComment(comments: readonly IssueComment[], mark: string, login = DEFAULT_BOT): IssueComment | undefined {
  return [...comments].sort((a, b) => a.id - b.id).find((c) => c.user?.login === login && (c.body ?? "").trimStart().startsWith(mark));
}

export interface FetchResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}
export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<FetchResponse>;

export class GitHubError extends Error {
  override readonly name = "GitHubError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export interface UpsertOptions {
  fetch: Fetch;
  token: string;
  repository: string;
  issue: number;
  body: string;
  marker: string;
  apiUrl?: string;
  login?: string;
}

export async function upsertComment(o: UpsertOptions): Promise<{ action: "created" | "updated"; id: number }> {
  const api = (o.apiUrl ?? "https://api.github.com").replace(/\/$/, "");
  const headers = {
    Accept: "application/vnd.github+json",
    Authorization: `Bearer ${o.token}`,
    "X-GitHub-Api-Version": "2022-11-28",
    "Content-Type": "application/json",
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await o.fetch(`${api}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    if (!res.ok) {
      // GitHub's message only: the request carried the token, the response does not.
      const why = await res
        .json()
        .then((j) => String((j as { message?: unknown }).message ?? ""))
        .catch(() => "");
      throw new GitHubError(res.status, `GitHub API ${method} ${path}: ${res.status}${why ? ` ${why}` : ""}`);
    }
    return res.json();
  };

  const comments: IssueComment[] = [];
  for (let page = 1; ; page++) {
    const batch = (await call("GET", `/repos/${o.repository}/issues/${o.issue}/comments?per_page=100&page=${page}`)) as IssueComment[];
    if (!Array.isArray(batch)) throw new GitHubError(0, "GitHub API returned something other than a list of comments");
    comments.push(...batch);
    if (batch.length < 100) break;
  }
  const existing = findOwnComment(comments, o.marker, o.login);
  if (existing) {
    if (existing.body === o.body) return { action: "updated", id: existing.id };
    await call("PATCH", `/repos/${o.repository}/issues/comments/${existing.id}`, { body: o.body });
    return { action: "updated", id: existing.id };
  }
  const created = (await call("POST", `/repos/${o.repository}/issues/${o.issue}/comments`, { body: o.body })) as { id: number };
  return { action: "created", id: created.id };
}

/** The pull request number from the event payload the runner wrote. */
export function pullRequestNumber(eventJson: string): number | undefined {
  const event = JSON.parse(eventJson) as { pull_request?: { number?: unknown }; number?: unknown };
  const n = event.pull_request?.number ?? event.number;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
}

export async function main(argv: string[], env: Env, fetchImpl: Fetch, write: (s: string) => void): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { body: { type: "string" }, stack: { type: "string" }, login: { type: "string" } } });
  if (!values.body || !values.stack) {
    write("usage: comment.ts --body <file> --stack <name> [--login <bot login>]\n");
    return 2;
  }
  const issue = env.GITHUB_EVENT_PATH ? pullRequestNumber(readFileSync(env.GITHUB_EVENT_PATH, "utf8")) : undefined;
  if (!env.GITHUB_TOKEN || !env.GITHUB_REPOSITORY || issue === undefined) {
    write(warning("not a pull request run with a token: the comment is in the job summary only"));
    return 0;
  }
  try {
    const r = await upsertComment({
      fetch: fetchImpl,
      token: env.GITHUB_TOKEN,
      repository: env.GITHUB_REPOSITORY,
      issue,
      body: readFileSync(values.body, "utf8"),
      marker: marker(values.stack),
      ...(env.GITHUB_API_URL ? { apiUrl: env.GITHUB_API_URL } : {}),
      ...(values.login ? { login: values.login } : {}),
    });
    write(`vendorgate: comment ${r.id} ${r.action}\n`);
    return 0;
  } catch (err) {
    // A pull request from a fork gets a read-only token: the verdict stands, only the comment is lost.
    if (err instanceof GitHubError && (err.status === 403 || err.status === 404)) {
      write(warning(`${err.message} (a read-only token, as on pull requests from forks?); the comment is in the job summary`));
      return 0;
    }
    throw err;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2), process.env, globalThis.fetch as unknown as Fetch, (s) => process.stdout.write(s));
}
