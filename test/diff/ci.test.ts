import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCommentBody, DEFAULT_BOT, findOwnComment, main as commentMain, marker, MAX_BODY, pullRequestNumber, upsertComment, type Fetch, type IssueComment } from "../../scripts/ci/comment.ts";
import { canDecrypt } from "../../scripts/ci/lib.ts";
import { EMPTY_PLAN, planArgs, planSide } from "../../scripts/ci/plan-side.ts";
import { buildReport } from "../../scripts/ci/report.ts";
import { packageRoot } from "../../src/paths.ts";
import { projectBundleCache } from "../../src/policy/compiled-bundle.ts";
import { EXAMPLE_REGISTRY, EXAMPLE_RULES } from "../../scripts/example.ts";

const work = mkdtempSync(join(tmpdir(), "vendorgate-ci-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const TOKEN = "ghs_faketoken0123456789";

/** An in-memory GitHub: issue comments of one pull request, and a log of the calls made. */
function fakeGitHub(initial: IssueComment[], opts: { status?: number } = {}) {
  const comments = initial.map((c) => ({ ...c }));
  const calls: { method: string; url: string; body?: string; auth?: string }[] = [];
  let nextId = 1000;
  const respond = (status: number, data: unknown) => ({ ok: status < 300, status, json: async () => data, text: async () => JSON.stringify(data) });
  const fetch: Fetch = async (url, init) => {
    calls.push({ method: init.method, url, ...(init.body !== undefined ? { body: init.body } : {}), auth: init.headers.Authorization });
    if (opts.status) return respond(opts.status, { message: "Resource not accessible by integration" });
    const u = new URL(url);
    if (init.method === "GET") {
      const page = Number(u.searchParams.get("page"));
      const per = Number(u.searchParams.get("per_page"));
      return respond(200, comments.slice((page - 1) * per, page * per));
    }
    if (init.method === "PATCH") {
      const id = Number(u.pathname.split("/").at(-1));
      const c = comments.find((x) => x.id === id)!;
      c.body = (JSON.parse(init.body!) as { body: string }).body;
      return respond(200, c);
    }
    const created = { id: nextId++, body: (JSON.parse(init.body!) as { body: string }).body, user: { login: DEFAULT_BOT, type: "Bot" } };
    comments.push(created);
    return respond(201, created);
  };
  return { fetch, comments, calls };
}

const bot = (id: number, body: string): IssueComment => ({ id, body, user: { login: DEFAULT_BOT, type: "Bot" } });
const human = (id: number, body: string): IssueComment => ({ id, body, user: { login: "alice", type: "User" } });

describe("the comment body", () => {
  it("starts with the stack's hidden marker, then the diff", () => {
    const body = buildCommentBody({ stack: "prod", diff: "## ✅ vendorgate: this change passes\n", runUrl: "https://github.com/o/r/actions/runs/1" });
    expect(body.startsWith("<!-- vendorgate:pr-comment stack=prod -->\n")).toBe(true);
    expect(body).toContain("## ✅ vendorgate: this change passes");
    expect(body).toContain("[run](https://github.com/o/r/actions/runs/1)");
  });

  it("says why when the head could not be planned, and shows notes", () => {
    const body = buildCommentBody({ stack: "dev", failure: "the head could not be planned: vendorgate: input error", notes: ["the base has no vendorgate", ""] });
    expect(body).toContain("## ⚠️ vendorgate could not plan this change (stack `dev`): blocked");
    expect(body).toContain("> **Note:** the base has no vendorgate");
    expect(body.match(/Note:/g)).toHaveLength(1);
  });

  it("stays within GitHub's limit, cut at a line, with the chart's fence closed", () => {
    const diff = `## ❌ blocked\n\n\`\`\`mermaid\nflowchart LR\n${"  a -->|\"user.name\"| b\n".repeat(5000)}\`\`\`\n`;
    const body = buildCommentBody({ stack: "prod", diff });
    expect(body.length).toBeLessThanOrEqual(MAX_BODY);
    expect(body.startsWith(marker("prod"))).toBe(true);
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(body).toContain("(truncated: the full diff is in the job summary)");
  });

  it("refuses a stack name that could break out of the marker", () => {
    expect(() => marker("prod --> <script>")).toThrow(/cannot go into a comment marker/);
  });
});

describe("finding our comment", () => {
  it("picks the workflow's own comment for this stack, never a person's or another stack's", () => {
    const comments = [
      human(1, `${marker("prod")}\nquoting the bot`),
      bot(2, `${marker("dev")}\n...`),
      bot(3, "an unrelated bot comment"),
      bot(5, `${marker("prod")}\nsecond`),
      bot(4, `${marker("prod")}\nfirst`),
    ];
    expect(findOwnComment(comments, marker("prod"))?.id).toBe(4);
    expect(findOwnComment(comments, marker("dev"))?.id).toBe(2);
    expect(findOwnComment(comments, marker("staging"))).toBeUndefined();
    expect(findOwnComment([human(1, marker("prod"))], marker("prod"))).toBeUndefined();
  });
});

describe("upsertComment (GitHub API through an injected fetch)", () => {
  const base = { token: TOKEN, repository: "acme/shop", issue: 7, marker: marker("prod") };

  it("creates the comment the first time", async () => {
    const gh = fakeGitHub([human(1, "LGTM")]);
    const r = await upsertComment({ ...base, fetch: gh.fetch, body: `${marker("prod")}\nv1` });
    expect(r.action).toBe("created");
    expect(gh.calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual(["GET /repos/acme/shop/issues/7/comments", "POST /repos/acme/shop/issues/7/comments"]);
    expect(gh.calls.every((c) => c.auth === `Bearer ${TOKEN}`)).toBe(true);
  });

  it("updates it in place on the next push, past the first page of comments", async () => {
    const chatter = Array.from({ length: 150 }, (_, i) => human(i + 1, `comment ${i}`));
    const gh = fakeGitHub([...chatter, bot(500, `${marker("prod")}\nv1`)]);
    const r = await upsertComment({ ...base, fetch: gh.fetch, body: `${marker("prod")}\nv2` });
    expect(r).toEqual({ action: "updated", id: 500 });
    expect(gh.calls.filter((c) => c.method === "GET")).toHaveLength(2);
    expect(gh.calls.at(-1)?.method).toBe("PATCH");
    expect(gh.comments.filter((c) => (c.body ?? "").startsWith(marker("prod")))).toHaveLength(1);
    expect(gh.comments.find((c) => c.id === 500)?.body).toBe(`${marker("prod")}\nv2`);
  });

  it("does not write an unchanged comment again", async () => {
    const gh = fakeGitHub([bot(9, `${marker("prod")}\nsame`)]);
    await upsertComment({ ...base, fetch: gh.fetch, body: `${marker("prod")}\nsame` });
    expect(gh.calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("reports GitHub's refusal with the status and without the token", async () => {
    const gh = fakeGitHub([], { status: 403 });
    const err = await upsertComment({ ...base, fetch: gh.fetch, body: "x" }).catch((e: Error) => e);
    expect(String(err)).toMatch(/403 Resource not accessible by integration/);
    expect(String(err)).not.toContain(TOKEN);
  });
});

describe("comment.ts main", () => {
  const event = join(work, "event.json");
  writeFileSync(event, JSON.stringify({ pull_request: { number: 42 } }));
  const body = join(work, "body.md");
  writeFileSync(body, `${marker("dev")}\nhello\n`);

  it("reads the pull request from the event and comments", async () => {
    const gh = fakeGitHub([]);
    let out = "";
    const code = await commentMain(["--body", body, "--stack", "dev"], { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "acme/shop", GITHUB_EVENT_PATH: event }, gh.fetch, (s) => (out += s));
    expect(code).toBe(0);
    expect(gh.calls.at(-1)?.url).toBe("https://api.github.com/repos/acme/shop/issues/42/comments");
    expect(out).toMatch(/comment 1000 created/);
  });

  it("warns and passes on a read-only token (forks): the verdict is decided elsewhere", async () => {
    const gh = fakeGitHub([], { status: 403 });
    let out = "";
    const code = await commentMain(["--body", body, "--stack", "dev"], { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "acme/shop", GITHUB_EVENT_PATH: event }, gh.fetch, (s) => (out += s));
    expect(code).toBe(0);
    expect(out).toMatch(/^::warning title=vendorgate::GitHub API GET .* 403/);
    expect(out).not.toContain(TOKEN);
  });

  it("does nothing outside a pull request", async () => {
    const gh = fakeGitHub([]);
    expect(await commentMain(["--body", body, "--stack", "dev"], {}, gh.fetch, () => {})).toBe(0);
    expect(gh.calls).toEqual([]);
    expect(pullRequestNumber(JSON.stringify({ push: {} }))).toBeUndefined();
  });
});

describe("plan-side.ts", () => {
  const ok = (stdout: string, status = 0) => ({ status, stdout, stderr: "" });

  it("decrypts secure config only when the runner has a passphrase", () => {
    expect(canDecrypt({})).toBe(false);
    expect(canDecrypt({ PULUMI_CONFIG_PASSPHRASE: "" })).toBe(false);
    expect(planArgs("dev", "json", {})).toEqual(["plan", "--project", ".", "--stack", "dev", "--format", "json", "--no-decrypt"]);
    expect(planArgs("dev", "json", { PULUMI_CONFIG_PASSPHRASE: "p" })).not.toContain("--no-decrypt");
  });

  it("compares with an empty plan when the base cannot be planned, and says so", () => {
    const json = join(work, "base.json");
    const r = planSide({ dir: packageRoot, stack: "dev", json, side: "base" }, {}, () => ({ status: 2, stdout: "", stderr: "error: unknown command 'plan'\n" }));
    expect(r).toEqual({ code: 0, note: "the base could not be planned (error: unknown command 'plan'); compared with nothing shared" });
    expect(JSON.parse(readFileSync(json, "utf8"))).toEqual(EMPTY_PLAN);
    const none = planSide({ dir: work, stack: "dev", json, side: "base" }, {});
    expect(none.note).toMatch(/has no vendorgate/);
  });

  it("blocks when the head cannot be planned (fail closed)", () => {
    const r = planSide({ dir: packageRoot, stack: "dev", json: join(work, "head.json"), side: "head" }, {}, () => ({ status: 2, stdout: "", stderr: "vendorgate: input error\n" }));
    expect(r).toEqual({ code: 2, note: "the head could not be planned: vendorgate: input error" });
  });

  it("blocks when the JSON and SARIF plans disagree", () => {
    let n = 0;
    const r = planSide({ dir: packageRoot, stack: "dev", json: join(work, "h.json"), sarif: join(work, "h.sarif"), side: "head" }, {}, () => ok("{}", n++ === 0 ? 0 : 1));
    expect(r.code).toBe(2);
  });
});

describe("report.ts", () => {
  it("puts the diff under the marker with the head's verdict", () => {
    const r = buildReport({ stack: "prod", base: "b.json", head: "h.json", headCode: 1, notes: [], dir: packageRoot }, () => ({ status: 1, stdout: "## ❌ vendorgate: this change would be blocked\n", stderr: "" }));
    expect(r.code).toBe(1);
    expect(r.body.startsWith(marker("prod"))).toBe(true);
    expect(r.body).toContain("this change would be blocked");
  });

  it("fails closed when the diff and the plan disagree or the diff fails", () => {
    expect(buildReport({ stack: "prod", base: "b", head: "h", headCode: 0, notes: [], dir: packageRoot }, () => ({ status: 1, stdout: "x", stderr: "" })).code).toBe(2);
    const failed = buildReport({ stack: "prod", base: "b", head: "h", headCode: 0, notes: [], dir: packageRoot }, () => ({ status: 2, stdout: "", stderr: "vendorgate: input error\n" }));
    expect(failed.code).toBe(2);
    expect(failed.body).toContain("the diff failed: vendorgate: input error");
  });

  it("says the head could not be planned without running a diff", () => {
    let ran = false;
    const r = buildReport({ stack: "dev", base: "b", head: "h", headCode: 2, notes: ["the head could not be planned: boom"], dir: packageRoot }, () => {
      ran = true;
      return { status: 0, stdout: "", stderr: "" };
    });
    expect(ran).toBe(false);
    expect(r.body).toContain("could not plan this change");
    expect(r.body).toContain("the head could not be planned: boom");
  });
});

describe("the workflow and the action", () => {
  type Step = { name?: string; uses?: string; run?: string; shell?: string; env?: Record<string, string>; if?: string; with?: Record<string, string> };
  const action = parse(readFileSync(join(packageRoot, "action.yml"), "utf8")) as { runs: { using: string; steps: Step[] } };
  const workflow = parse(readFileSync(join(packageRoot, ".github/workflows/vendorgate.yml"), "utf8")) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, { steps: Step[] }>;
  };

  it("runs on pull requests with the permissions the steps need, and uses the action", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write", "security-events": "write" });
    expect(workflow.jobs.gate!.steps.map((s) => s.uses)).toEqual(["actions/checkout@v4", "./"]);
  });

  it("is a composite action whose scripts exist, each step with a shell", () => {
    expect(action.runs.using).toBe("composite");
    const scripts = action.runs.steps.flatMap((s) => [...(s.run ?? "").matchAll(/scripts\/ci\/[\w-]+\.(?:ts|sh)/g)].map((m) => m[0]));
    expect(new Set(scripts)).toEqual(new Set(["scripts/ci/checkout-base.sh", "scripts/ci/build-project.sh", "scripts/ci/plan-side.ts", "scripts/ci/report.ts", "scripts/ci/comment.ts"]));
    for (const s of scripts) expect(existsSync(join(packageRoot, s)), s).toBe(true);
    for (const step of action.runs.steps.filter((s) => s.run)) expect(step.shell, step.name).toBe("bash");
  });

  it("never pastes an expression into shell text (values reach scripts through env)", () => {
    for (const step of action.runs.steps.filter((s) => s.run)) expect(step.run, step.name).not.toMatch(/\$\{\{/);
  });

  it("installs opa only when the project needs it, and builds the project's bundle before planning either side", () => {
    const names = action.runs.steps.map((s) => s.name ?? s.uses ?? "");
    const opa = action.runs.steps.find((s) => s.uses?.startsWith("open-policy-agent/setup-opa@"));
    expect(opa?.if).toBe("steps.opa.outputs.needed == 'true'");
    expect(opa?.with).toEqual({ version: "${{ inputs.opa-version }}" });
    expect(names.indexOf("Build the project's policy bundle")).toBeGreaterThan(names.indexOf("Set up vendorgate (base)"));
    expect(names.indexOf("Build the project's policy bundle")).toBeLessThan(names.indexOf("Plan the base"));
  });

  it("uploads the head's SARIF under a category per stack", () => {
    const upload = action.runs.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"));
    expect(upload?.with).toEqual({ sarif_file: "${{ runner.temp }}/vendorgate-head.sarif", category: "vendorgate-${{ inputs.stack }}" });
  });
});

describe("build-project.sh (the action's build steps, run as the runner runs them)", () => {
  // A user's repository: the project in infra/, vendorgate installed in its node_modules (linked to
  // this checkout), one custom rule, and a program sending employee data to the US.
  const repo = join(work, "custom-rules-repo");
  const project = join(repo, "infra");
  const cacheBefore = new Set<string>();
  const outputFile = join(work, "github-output");
  const step = (...args: string[]) =>
    spawnSync("bash", [join(packageRoot, "scripts/ci/build-project.sh"), ...args], { cwd: repo, encoding: "utf8", env: { ...process.env, GITHUB_OUTPUT: outputFile } });
  const plan = () => planSide({ dir: repo, project: "infra", stack: "dev", json: join(work, "custom-plan.json"), side: "head" }, { ...process.env, GITHUB_OUTPUT: "" });

  beforeAll(() => {
    for (const d of existsSync(projectBundleCache()) ? readdirSync(projectBundleCache()) : []) cacheBefore.add(d);
    mkdirSync(join(project, "rules"), { recursive: true });
    mkdirSync(join(repo, "node_modules", "@pulumi"), { recursive: true });
    symlinkSync(packageRoot, join(repo, "node_modules", "vendorgate"));
    symlinkSync(join(packageRoot, "node_modules", "@pulumi", "pulumi"), join(repo, "node_modules", "@pulumi", "pulumi"));
    writeFileSync(join(repo, "package.json"), JSON.stringify({ name: "acme-infra", private: true, type: "module" }));
    writeFileSync(join(project, "Pulumi.yaml"), "name: infra\nruntime: nodejs\nmain: index.ts\n");
    writeFileSync(join(project, "Pulumi.dev.yaml"), "config: {}\n");
    writeFileSync(join(project, "vendorgate.yaml"), "apiVersion: vendorgate/v1\nregistry: vendors.yaml\ncustomRules: rules\n");
    writeFileSync(join(project, "vendors.yaml"), readFileSync(EXAMPLE_REGISTRY, "utf8"));
    cpSync(EXAMPLE_RULES, join(project, "rules"), { recursive: true });
    // A rule of this run's own: a bundle built by an earlier run must not stand in for the build.
    const rule = join(project, "rules", "employee-data-eu-only", "employee_data_eu_only.rego");
    writeFileSync(rule, `${readFileSync(rule, "utf8")}\n# ci test ${process.pid}-${Date.now()}\n`);
    writeFileSync(
      join(project, "index.ts"),
      `import { Integration } from "vendorgate";
export default function program(): void {
  new Integration("it-helpdesk", {
    vendor: "zendesk",
    purpose: "essential.service.operations.support",
    subjects: ["employee"],
    destination: { url: "https://acme.zendesk.com/api/v2/tickets", region: "us" },
    fields: [{ path: "requester.email", category: "user.contact.email" }],
  });
}
`,
    );
  });
  afterAll(() => {
    for (const d of readdirSync(projectBundleCache())) if (!cacheBefore.has(d)) rmSync(join(projectBundleCache(), d), { recursive: true, force: true });
  });

  it("says opa is needed for a project with custom rules, and not in vendorgate's own repository", () => {
    writeFileSync(outputFile, "");
    expect(step("needs-opa", "infra", ".").status).toBe(0);
    expect(step("needs-opa", "examples/shop", packageRoot).status).toBe(0);
    expect(readFileSync(outputFile, "utf8")).toBe("needed=true\nneeded=false\n");
  });

  it("without the build the plan exits 2 (fail closed); after it, the custom rule judges the plan", () => {
    const before = plan();
    expect(before.code).toBe(2);
    expect(before.note).toMatch(/vendorgate build/);
    const built = step("build", "infra", ".", "head");
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/1 custom rule \(ACME001\)/);
    expect(plan().code).toBe(1);
    const doc = JSON.parse(readFileSync(join(work, "custom-plan.json"), "utf8")) as { violations: { rule: string; integration: string }[] };
    expect(doc.violations.filter((v) => v.rule === "ACME001").map((v) => v.integration)).toEqual(["it-helpdesk"]);
  }, 120_000);

  it("annotates a build that fails and leaves the verdict to the plan, which fails closed", () => {
    const broken = join(project, "rules", "broken");
    mkdirSync(broken);
    writeFileSync(join(broken, "broken.rego"), "package vendorgate.custom.broken\n\nviolation contains x if {\n");
    try {
      const r = step("build", "infra", ".", "head");
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^::error title=vendorgate::vendorgate build failed on the head: /m);
      expect(plan().code).toBe(2);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("the steps end to end, locally", () => {
  it("plans both sides, writes the comment with the diff, posts it once and updates it in place", async () => {
    // No passphrase, as on a fork: secure config stays encrypted and the verdict is still complete.
    const env = { ...process.env, PULUMI_CONFIG_PASSPHRASE: "", GITHUB_OUTPUT: "", GITHUB_STEP_SUMMARY: "" };
    // The repository's own workflow gates the example project (its vendorgate.yaml names ACME001).
    const project = "examples/shop";
    const base = planSide({ dir: packageRoot, project, stack: "dev", json: join(work, "e2e-base.json"), side: "base" }, env);
    const head = planSide({ dir: packageRoot, project, stack: "prod", json: join(work, "e2e-head.json"), sarif: join(work, "e2e-head.sarif"), side: "head" }, env);
    expect([base.code, head.code]).toEqual([0, 1]);
    expect((JSON.parse(readFileSync(join(work, "e2e-head.sarif"), "utf8")) as { version: string }).version).toBe("2.1.0");

    const report = buildReport({ stack: "prod", base: join(work, "e2e-base.json"), head: join(work, "e2e-head.json"), headCode: head.code, notes: [], dir: packageRoot, project });
    expect(report.code).toBe(1);
    expect(report.body).toContain("this change would be blocked");
    expect(report.body).toContain("```mermaid");
    writeFileSync(join(work, "e2e-comment.md"), report.body);

    const gh = fakeGitHub([human(1, "please review")]);
    const event = join(work, "e2e-event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { number: 3 } }));
    const ghEnv = { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: "acme/shop", GITHUB_EVENT_PATH: event };
    for (let push = 0; push < 2; push++) await commentMain(["--body", join(work, "e2e-comment.md"), "--stack", "prod"], ghEnv, gh.fetch, () => {});
    expect(gh.comments.filter((c) => c.user?.login === DEFAULT_BOT)).toHaveLength(1);
    expect(gh.comments.at(-1)?.body).toBe(report.body);
  }, 120_000);
});
