import type { Flow } from "./diff.ts";

/*
 * A Mermaid flowchart of the flows a change touches: each integration (the service's outbound
 * flow) to its vendor, labelled with the data categories it sends. A new flow is a thick arrow
 * marked "new", a removed one dotted and marked "removed"; on a changed flow, categories that
 * start or stop being sent carry "+" or "-". Unchanged flows are left out: the reviewer's
 * question is what this pull request changes.
 */

/** Node ids: Mermaid reads some words (end, graph) and punctuation as syntax, so ids are prefixed and reduced to [A-Za-z0-9_]. */
function nodeId(prefix: string, key: string): string {
  return `${prefix}_${key.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
}

/** Text inside a quoted label; Mermaid decodes its own `#name;` entities there. */
function label(text: string): string {
  return text.replace(/[#"<>&|]/g, (c) => ({ "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;" })[c]!);
}

function edgeLabel(f: Flow): string {
  const parts =
    f.status === "changed"
      ? [...f.categories.map((c) => (f.addedCategories.includes(c) ? `+${c}` : c)), ...f.removedCategories.map((c) => `-${c}`)]
      : f.categories;
  const prefix = f.status === "added" ? "new: " : f.status === "removed" ? "removed: " : "";
  return `${prefix}${parts.join(", ")}`;
}

export function flowchart(flows: readonly Flow[], vendorName: (key: string) => string): string {
  if (flows.length === 0) return "";
  const lines = ["flowchart LR"];
  const integrations = [...new Set(flows.map((f) => f.integration))].sort();
  const vendors = [...new Set(flows.map((f) => f.vendor))].sort();
  for (const i of integrations) lines.push(`  ${nodeId("i", i)}["${label(i)}"]`);
  for (const v of vendors) {
    const name = vendorName(v);
    lines.push(`  ${nodeId("v", v)}[("${label(name === v ? v : `${name} (${v})`)}")]`);
  }
  for (const f of flows) {
    const arrow = f.status === "added" ? "==>" : f.status === "removed" ? "-.->" : "-->";
    lines.push(`  ${nodeId("i", f.integration)} ${arrow}|"${label(edgeLabel(f))}"| ${nodeId("v", f.vendor)}`);
  }
  return `${lines.join("\n")}\n`;
}
