import type { Violation } from "../engine/violation.ts";
import type { StackResource } from "./resource.ts";

/*
 * Remote (multi-language) components, such as @pulumi/awsx's and @pulumi/aws-apigateway's, create
 * their children inside a provider plugin. Under plan's mocks there is no plugin, so the children
 * never exist: what they would send is invisible unless it can be read from the component's own
 * inputs. Those that carry egress in their inputs are expanded here into the resources the plugin
 * would create, so the egress catalogue judges them like any other; every other remote component
 * is listed as not judged, never passed over in silence.
 */

export type RemoteComponentLevel = "advisory" | "mandatory";

export const REMOTE_COMPONENT_RULE = "vendorgate-remote-component";

export const REST_API_TYPE = "aws-apigateway:index:RestAPI";
const HTTP_INTEGRATION_TYPE = "aws:apigateway/integration:Integration";

type Props = Record<string, unknown>;

const isObject = (v: unknown): v is Props => v !== null && typeof v === "object" && !Array.isArray(v);

/** Reads props[key] without evaluating it: an unknown value stays a getter that throws when judged. */
function forward(from: Props, key: string): PropertyDescriptor {
  return { enumerable: true, get: () => from[key] };
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

const AWS_INTEGRATION = "x-amazon-apigateway-integration";

/** HTTP integrations of an OpenAPI document's operations: `paths.<path>.<method>.x-amazon-apigateway-integration`. */
function swaggerIntegrations(doc: unknown): { where: string; integration: Props }[] {
  const out: { where: string; integration: Props }[] = [];
  const paths = isObject(doc) ? safe(() => doc.paths) : undefined;
  if (!isObject(paths)) return out;
  for (const [path, ops] of Object.entries(paths)) {
    if (!isObject(ops)) continue;
    for (const [method, op] of Object.entries(ops)) {
      const integration = isObject(op) ? safe(() => op[AWS_INTEGRATION]) : undefined;
      if (isObject(integration)) out.push({ where: `${method.toUpperCase()} ${path}`, integration });
    }
  }
  return out;
}

/**
 * The HTTP integrations an aws-apigateway RestAPI's plugin would create: routes with an `http` or
 * `http_proxy` target, routes whose `data` is an OpenAPI operation, and the operations of a whole
 * `swaggerString`. Each keeps the component as parent, so an Integration above it owns it.
 */
function restApiChildren(r: StackResource): StackResource[] {
  const children: StackResource[] = [];
  const add = (where: string, props: Props) => {
    children.push({ urn: `${r.urn}$${HTTP_INTEGRATION_TYPE}::${r.name}:${where}`, type: HTTP_INTEGRATION_TYPE, name: `${r.name} ${where}`, parent: r.urn, props });
  };
  const fromIntegration = (where: string, integration: Props) => {
    const props: Props = {};
    Object.defineProperty(props, "type", forward(integration, "type"));
    Object.defineProperty(props, "uri", forward(integration, "uri"));
    add(where, props);
  };
  const routes = safe(() => r.props.routes);
  if (Array.isArray(routes)) {
    routes.forEach((route: unknown, i) => {
      if (!isObject(route)) return;
      const path = safe(() => route.path);
      const method = safe(() => route.method);
      const where = `${typeof method === "string" ? method : "ANY"} ${typeof path === "string" ? path : `routes[${i}]`}`;
      const target = safe(() => route.target);
      if (isObject(target)) {
        // A target whose type cannot be read yet is judged (and found unknown) rather than skipped.
        const type = safe(() => target.type);
        if (type === undefined || /^http(_proxy)?$/i.test(String(type))) fromIntegration(where, target);
      }
      const data = safe(() => route.data);
      const integration = isObject(data) ? safe(() => data[AWS_INTEGRATION]) : undefined;
      if (isObject(integration)) fromIntegration(where, integration);
    });
  }
  const swagger = safe(() => r.props.swaggerString);
  if (typeof swagger === "string") {
    let doc: unknown;
    try {
      doc = JSON.parse(swagger);
    } catch {
      // YAML or a secret: not readable here; the component is then listed as not judged.
      doc = undefined;
    }
    for (const { where, integration } of swaggerIntegrations(doc)) fromIntegration(where, integration);
  }
  return children;
}

/** Remote component types whose egress plan reads from their inputs. */
const JUDGED_FROM_INPUTS: Readonly<Record<string, (r: StackResource) => StackResource[]>> = {
  [REST_API_TYPE]: restApiChildren,
};

/** The resources remote components' plugins would create that carry egress, to judge with the rest. */
export function remoteChildren(resources: readonly StackResource[], remote: ReadonlySet<string>): StackResource[] {
  const out: StackResource[] = [];
  for (const r of resources) {
    const expand = remote.has(r.urn) ? JUDGED_FROM_INPUTS[r.type] : undefined;
    if (expand) out.push(...expand(r));
  }
  return out;
}

/** One violation per remote component plan cannot see into (advisory unless the stack asks for mandatory). */
export function unjudgedComponents(recorded: readonly { urn: string; type: string; name: string; remote: boolean }[], level: RemoteComponentLevel): Violation[] {
  return recorded
    .filter((r) => r.remote && !(r.type in JUDGED_FROM_INPUTS))
    .map((r) => ({
      rule: REMOTE_COMPONENT_RULE,
      name: REMOTE_COMPONENT_RULE,
      title: "remote component not judged",
      severity: level,
      integration: r.name,
      resource: r.urn,
      message:
        `${r.type} ${r.name} is a remote component: its provider plugin creates its children, which plan cannot see, ` +
        "so whatever they send is not judged",
      remediation:
        "Review what the component sends, or declare its flows as Integrations; run plan with " +
        "--remote-components mandatory to block on components vendorgate cannot see into.",
    }));
}
