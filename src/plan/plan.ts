import { relative } from "node:path";
import type { PolicyContext } from "../policy/context.ts";
import { locateExceptionFindings, withStackEnforcement } from "../policy/context.ts";
import { UsageError } from "../errors.ts";
import * as pulumi from "@pulumi/pulumi";
import { constructionSites, type ConstructionSite } from "../components/integration.ts";
import { INTEGRATION_TYPE } from "../model/declaration.ts";
import type { DeclaredIntegration, DeclaredStack, EgressResource } from "../engine/normalize.ts";
import type { Report, Violation } from "../engine/violation.ts";
import { API_VERSION } from "../model/index.ts";
import { readStackPolicy } from "../policy/stack.ts";
import type { PolicySummary } from "../policy/summary.ts";
import type { ProjectInfo } from "../pulumi/project.ts";
import { runIsolated, type ProgramLimits } from "../runner/runner.ts";
import { summarize } from "../engine/summarize.ts";
import { remoteChildren, unjudgedComponents, type RemoteComponentLevel } from "../stack/remote-components.ts";
import { judgeStack, listEgress, type StackVerdict } from "../stack/judge-stack.ts";
import type { StackResource } from "../stack/resource.ts";
import { displayUrl } from "../model/url.ts";
import { loadStackConfig } from "./config.ts";
import { decodeProperties } from "./decode.ts";
import { MOCK_ACCOUNT, ProgramError, ROOT_STACK_TYPE, runUnderMocks, type RecordedResource } from "./mocks.ts";

/*
 * `vendorgate plan`: the project's program, run under mocks with the stack's config, reduced to
 * the StackResources the policy pack would see, and judged by the same judgeStack. The program
 * learns it runs under plan from the config key `vendorgate:plan` ("true"), so it can add
 * resources whose provider plugin a real preview on this machine would lack (the example stack's
 * AWS pipeline).
 */

/** Config key plan sets for the program; see examples/shop/index.ts for how the example uses it. */
export const PLAN_CONFIG_KEY = "vendorgate:plan";

/** The rule id under which plan reports what keeps it from judging (as the pack's gate policy does). */
export const GATE_RULE = "vendorgate-gate";

export interface PlanRequest {
  stack: string;
  decrypt: boolean;
  backend?: string;
  project: ProjectInfo;
  /** How a remote component plan cannot see into is reported (default advisory). */
  remoteComponents?: RemoteComponentLevel;
  limits?: Partial<ProgramLimits>;
  /** Where the program's own output goes (default: stderr, prefixed). */
  output?: (text: string) => void;
}

export interface PlanResult {
  stack: DeclaredStack;
  /** The program file, relative to the working directory (where locations point). */
  program: string;
  configFile: string;
  resources: StackResource[];
  verdict: StackVerdict;
  /** The verdict's violations plus one mandatory gate violation per resource that could not be judged. */
  report: Report;
  /** Every declaration, disabled ones included (as a manifest lists them). */
  declarations: DeclaredIntegration[];
  egress: EgressResource[];
  /** Secure config values were not decrypted: the program saw placeholders. */
  placeholders: boolean;
  /** The policy that judged, the stack's own enforcement included. */
  policy: PolicySummary;
  /** Why not (for the verdict to say). */
  notDecrypted?: string;
  /** process.exit(0) calls the program made (which ended nothing). */
  exitCalls: number[];
}

function toStackResource(r: RecordedResource): StackResource {
  // A component's registered outputs are what the engine hands a policy (the declaration).
  const raw = r.type === INTEGRATION_TYPE || (!r.custom && r.outputs) ? (r.outputs ?? {}) : r.inputs;
  return { urn: r.urn, type: r.type, name: r.name, parent: r.parent, props: decodeProperties(raw) };
}

/**
 * The stack's own AWS accounts: the one the mocks stand in for, and those the stack's aws provider
 * config allows (aws:allowedAccountIds). A destination in any other account is egress.
 */
function ownAccounts(config: Record<string, string>): string[] {
  const out = new Set([MOCK_ACCOUNT]);
  const allowed = config["aws:allowedAccountIds"];
  if (allowed !== undefined) {
    try {
      const ids: unknown = JSON.parse(allowed);
      if (Array.isArray(ids)) for (const id of ids) if (typeof id === "string" && /^\d{12}$/.test(id)) out.add(id);
    } catch {
      // not a list: the provider itself refuses it
    }
  }
  return [...out].sort();
}

function gateViolation(urn: string, message: string): Violation {
  return {
    rule: GATE_RULE,
    name: GATE_RULE,
    title: "vendorgate could not judge a resource",
    severity: "mandatory",
    integration: urn.split("::").at(-1) ?? urn,
    resource: urn,
    message,
    remediation:
      "Give the value at preview time (not computed during the deploy) and make the declaration valid; " +
      "until vendorgate can judge every resource, the stack is blocked.",
  };
}

export interface ProgramRun {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: readonly string[];
  residency?: readonly string[] | undefined;
  /** The program file as reports name it. */
  program: string;
  remoteComponents?: RemoteComponentLevel;
}

export type JudgedProgram = Omit<PlanResult, "configFile" | "placeholders" | "notDecrypted" | "exitCalls">;

/** Runs `program` in this process under mocks and judges what it declares (trusted, inline programs: tests). */
export async function judgeProgram(ctx: PolicyContext, program: () => Promise<unknown>, run: ProgramRun): Promise<JudgedProgram> {
  constructionSites.clear();
  let recorded: RecordedResource[];
  try {
    recorded = await runUnderMocks(pulumi, program, {
      project: run.project,
      stack: run.stack,
      config: { ...run.config, [PLAN_CONFIG_KEY]: "true" },
      secretKeys: run.secretKeys,
    });
  } catch (err) {
    if (err instanceof ProgramError) throw new UsageError(`${run.program}: the program failed under plan's mocks: ${err.message}`);
    throw err;
  }
  return judgeRecorded(ctx, recorded, constructionSites, run);
}

/** Judges what a program registered: the part of plan that runs in the judging process. */
export function judgeRecorded(ctx: PolicyContext, recorded: readonly RecordedResource[], sites: ReadonlyMap<string, ConstructionSite>, run: ProgramRun): JudgedProgram {
  const own = recorded.filter((r) => r.type !== ROOT_STACK_TYPE).map(toStackResource);
  const resources = [...own, ...remoteChildren(own, new Set(recorded.filter((r) => r.remote).map((r) => r.urn)))];
  const stack: DeclaredStack = { name: run.stack, ...(run.residency ? { residency: [...run.residency] } : {}) };
  const accounts = ownAccounts(run.config);
  const verdict = judgeStack(ctx, resources, { stack, ownAccounts: accounts });

  const unjudged = unjudgedComponents(recorded, run.remoteComponents ?? "advisory");
  const violations = [...verdict.report.violations, ...verdict.problems.map((p) => gateViolation(p.urn, p.message)), ...unjudged];
  for (const v of violations) {
    const site = sites.get(v.integration);
    if (site && !v.location) v.location = { file: relative(process.cwd(), site.file) || site.file, line: site.line, column: site.column };
  }
  locateExceptionFindings(ctx, violations);
  return {
    stack,
    program: run.program,
    resources,
    verdict,
    report: { violations, summary: summarize(violations) },
    policy: ctx.policy.summary,
    declarations: verdict.declarations,
    egress: listEgress(resources, accounts).egress.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0)),
  };
}

export async function planStack(ctx: PolicyContext, req: PlanRequest): Promise<PlanResult> {
  const project = req.project;
  const config = await loadStackConfig(project, req.stack, { decrypt: req.decrypt, ...(req.backend ? { backend: req.backend } : {}) });
  const stackPolicy = readStackPolicy(req.stack, config, ctx.project, ctx.engine.catalogue.map((r) => r.id));
  const run: ProgramRun = {
    project: project.name,
    stack: req.stack,
    config: { ...config.values, [PLAN_CONFIG_KEY]: "true" },
    secretKeys: config.secretKeys,
    residency: stackPolicy.residency,
    program: relative(process.cwd(), project.main) || project.main,
    ...(req.remoteComponents ? { remoteComponents: req.remoteComponents } : {}),
  };
  const isolated = await runIsolated(project, run, { ...(req.limits ? { limits: req.limits } : {}), ...(req.output ? { output: req.output } : {}) });
  const stackCtx = withStackEnforcement(ctx, stackPolicy.enforcement);
  const judged = judgeRecorded(stackCtx, isolated.resources, isolated.sites, run);
  return {
    ...judged,
    configFile: config.file,
    placeholders: config.placeholders,
    ...(config.notDecrypted ? { notDecrypted: config.notDecrypted } : {}),
    exitCalls: isolated.exitCalls,
  };
}

/** The declarations as a manifest (what `check --manifest` reads and `diff` compares). */
export function planManifest(plan: PlanResult): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    stack: plan.stack,
    // A URL's path or query may carry a token: outputs keep its scheme and host only.
    integrations: [...plan.declarations]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((i) => ({ ...i, destination: { ...i.destination, url: displayUrl(i.destination.url) } })),
  };
}
