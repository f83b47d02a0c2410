import { createHash } from "node:crypto";
import { isBlocking } from "../../report/format.ts";
import { approves, type ReportFlow, type ReportModel, type ReportVendor, type Verdict } from "./model.ts";
import { htmlWithCode } from "../../report/code-spans.ts";
import { policyJson } from "../../report/policy.ts";
import { escapeHtml as h } from "../../text/output.ts";

/*
 * One self-contained HTML page: styles, script and the SVG graph are inline, and the page's
 * Content-Security-Policy allows nothing else (no network, no images but data: URLs), so it can be
 * mailed around or attached to a ticket and opened offline. Every value from the registry, a
 * manifest or the state goes through escapeHtml; the script reads only the DOM, never data
 * spliced into code.
 */

const verdictLabel: Record<Verdict, string> = { blocked: "blocked", advisory: "advisory", pass: "passes", off: "switched off" };

const STYLE = `
:root { --blocked: #c62828; --advisory: #b26a00; --pass: #2e7d32; --off: #8c959f; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0; background: #fff; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0 0; padding: 0; list-style: none; }
.cards li { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.cards b { display: block; font-size: 22px; }
.cards .bad b { color: var(--blocked); } .cards .warn b { color: var(--advisory); }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
ul.plain { margin: 0; padding-left: 18px; }
table.policy th { width: 200px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--bg); padding: 0 3px; border-radius: 3px; word-break: break-all; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; color: #fff; white-space: nowrap; }
.badge.blocked, .badge.mandatory, .badge.expired, .badge.missing, .badge.suspended, .badge.prohibited, .badge.unknown { background: var(--blocked); }
.badge.advisory, .badge.expiring, .badge.under_review { background: var(--advisory); }
.badge.pass, .badge.approved { background: var(--pass); }
.badge.off, .badge.waived, .badge.soon { background: var(--off); }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
svg .node rect { fill: #fff; stroke: var(--line); stroke-width: 1.5; rx: 5; }
svg .vendor rect { stroke-width: 2.5; }
svg .vendor.approved rect { stroke: var(--pass); } svg .vendor.under_review rect { stroke: var(--advisory); }
svg .vendor.suspended rect, svg .vendor.prohibited rect, svg .vendor.unknown rect { stroke: var(--blocked); fill: #fdecea; }
svg .edge { fill: none; stroke-width: 2.5; opacity: .85; }
svg .edge.blocked { stroke: var(--blocked); } svg .edge.advisory { stroke: var(--advisory); }
svg .edge.pass { stroke: var(--pass); } svg .edge.off { stroke: var(--off); stroke-dasharray: 5 4; }
svg.focused .edge:not(.lit) { opacity: .12; }
svg .vendor { cursor: pointer; }
.legend { display: flex; gap: 16px; color: var(--muted); margin: 6px 0; flex-wrap: wrap; }
.legend span::before { content: ""; display: inline-block; width: 18px; height: 3px; margin-right: 6px; vertical-align: middle; background: currentColor; }
.legend .blocked { color: var(--blocked); } .legend .advisory { color: var(--advisory); } .legend .pass { color: var(--pass); } .legend .off { color: var(--off); }
.matrix-wrap { overflow-x: auto; }
.matrix { width: auto; }
.matrix tbody th { white-space: nowrap; }
.matrix th.cat { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 500; font-size: 12px; padding: 6px 2px; }
.matrix td.cell { text-align: center; width: 26px; padding: 2px; }
.matrix td.sent.pass { background: #dcefdc; } .matrix td.sent.advisory { background: #fbe8c8; } .matrix td.sent.blocked { background: #f8d0cc; }
.matrix td.approved { color: var(--muted); }
#filter { margin: 4px 0 8px; padding: 4px 8px; width: 320px; max-width: 100%; border: 1px solid var(--line); border-radius: 4px; }
tr.waived td { color: var(--muted); }
td.field { min-width: 150px; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); margin: 32px auto 24px; font-size: 12px; }
`;

const SCRIPT = `
(function () {
  var filter = document.getElementById("filter");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#violations tbody tr"));
  if (filter) filter.addEventListener("input", function () {
    var q = filter.value.toLowerCase();
    rows.forEach(function (r) { r.hidden = q !== "" && r.textContent.toLowerCase().indexOf(q) < 0; });
  });
  var svg = document.querySelector("#graph svg");
  if (!svg) return;
  var edges = Array.prototype.slice.call(svg.querySelectorAll(".edge"));
  var current = null;
  Array.prototype.forEach.call(svg.querySelectorAll(".vendor"), function (node) {
    node.addEventListener("click", function () {
      var v = node.getAttribute("data-vendor");
      current = current === v ? null : v;
      svg.classList.toggle("focused", current !== null);
      edges.forEach(function (e) { e.classList.toggle("lit", e.getAttribute("data-vendor") === current); });
    });
  });
})();
`;

const sha256 = (s: string) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;
const badge = (cls: string, text: string) => `<span class="badge ${h(cls)}">${h(text)}</span>`;
const code = (s: string) => `<code>${h(s)}</code>`;

function truncate(s: string, max: number): string {
  return [...s].length > max ? `${[...s].slice(0, max - 1).join("")}…` : s;
}

function graph(m: ReportModel): string {
  const row = 34;
  const top = 40;
  const boxW = 290;
  const width = 960;
  const left = m.flows;
  const vendors = m.vendors.filter((v) => m.flows.some((f) => f.vendor === v.vendor));
  if (left.length === 0) return `<p class="empty">No integrations in the sources.</p>`;
  const height = top + Math.max(left.length, vendors.length) * row + 10;
  const vy = new Map(vendors.map((v, i) => [v.vendor, top + i * row + (Math.max(0, left.length - vendors.length) * row) / 2]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="graph-title">`,
    `<title id="graph-title">Data flows from integrations to vendors, coloured by verdict</title>`,
    `<text x="10" y="20" font-weight="600">Integrations (stack / name)</text>`,
    `<text x="${width - boxW - 10}" y="20" font-weight="600">Vendors</text>`,
  ];
  left.forEach((f, i) => {
    const y = top + i * row;
    const target = vy.get(f.vendor)!;
    const x1 = 10 + boxW;
    const x2 = width - boxW - 10;
    const mid = (x1 + x2) / 2;
    parts.push(
      `<path class="edge ${f.verdict}" data-vendor="${h(f.vendor)}" data-flow="${f.id}" d="M ${x1} ${y + 12} C ${mid} ${y + 12}, ${mid} ${target + 12}, ${x2} ${target + 12}"><title>${h(`${f.stack} / ${f.integration} → ${f.vendor}: ${verdictLabel[f.verdict]}${f.violations.length ? ` (${f.violations.length} violation(s))` : ""}`)}</title></path>`,
    );
    parts.push(
      `<g class="node flow ${f.verdict}" id="${f.id}"><rect x="10" y="${y}" width="${boxW}" height="24"/><text x="20" y="${y + 16}">${h(truncate(`${f.stack} / ${f.integration}`, 40))}</text></g>`,
    );
  });
  for (const v of vendors) {
    const y = vy.get(v.vendor)!;
    parts.push(
      `<g class="node vendor ${h(v.status)}" data-vendor="${h(v.vendor)}" tabindex="0"><rect x="${width - boxW - 10}" y="${y}" width="${boxW}" height="24"/><text x="${width - boxW}" y="${y + 16}">${h(truncate(`${v.name} (${v.status})`, 40))}</text></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}

function cellOf(v: ReportVendor, category: string, flows: readonly ReportFlow[]): string {
  const sending = flows.filter((f) => f.vendor === v.vendor && f.verdict !== "off" && f.fields.some((x) => x.category === category));
  if (sending.length) {
    const worst: Verdict = sending.some((f) => f.verdict === "blocked") ? "blocked" : sending.some((f) => f.verdict === "advisory") ? "advisory" : "pass";
    const who = sending.map((f) => `${f.stack}/${f.integration}`).join(", ");
    return `<td class="cell sent ${worst}" title="${h(`${category} sent by ${who} (${verdictLabel[worst]})`)}">●</td>`;
  }
  if (approves(v, category)) return `<td class="cell approved" title="${h(`${category} approved, not sent`)}">○</td>`;
  return `<td class="cell"></td>`;
}

function matrix(m: ReportModel): string {
  if (m.categories.length === 0) return `<p class="empty">No data categories sent or approved.</p>`;
  const head = `<tr><th>Vendor</th><th>Status</th>${m.categories.map((c) => `<th class="cat" title="${h(c.name)}">${h(c.key)}</th>`).join("")}</tr>`;
  const body = m.vendors
    .map((v) => `<tr data-vendor="${h(v.vendor)}"><th>${h(v.name)}</th><td>${badge(v.status, v.status)}</td>${m.categories.map((c) => cellOf(v, c.key, m.flows)).join("")}</tr>`)
    .join("\n");
  return `<div class="matrix-wrap"><table class="matrix"><thead>${head}</thead><tbody>\n${body}\n</tbody></table></div>
<p class="legend"><span class="pass">● sent, passes</span><span class="advisory">● sent, advisory</span><span class="blocked">● sent, blocked</span><span class="off">○ approved, not sent</span></p>`;
}

function violations(m: ReportModel): string {
  if (m.violations.length === 0) return `<p class="empty">No violations.</p>`;
  const rows = m.violations.map((v) => {
    const state = v.waivedBy !== undefined ? badge("waived", `waived (${v.waivedBy})`) : badge(v.severity, v.severity);
    return `<tr class="${isBlocking(v) ? "blocking" : v.waivedBy !== undefined ? "waived" : "advisory"}" data-flow="${v.flowId}"><td>${code(v.rule)}<br>${h(v.title)}</td><td>${state}</td><td>${h(v.stack)} / ${h(v.integration)}</td><td class="field">${v.field !== undefined ? code(v.field) : "—"}</td><td>${h(v.message)}</td><td>${htmlWithCode(v.remediation, h)}</td></tr>`;
  });
  return `<input id="filter" type="search" placeholder="Filter violations" aria-label="Filter violations">
<table><thead><tr><th>Rule</th><th>Severity</th><th>Integration</th><th>Field</th><th>Message</th><th>Remediation</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>`;
}

function assurances(m: ReportModel): string {
  if (m.assurances.length === 0) return `<p class="empty">No assurance expires within 90 days.</p>`;
  const rows = m.assurances.map((a) => {
    const when = a.state === "missing" ? "not on record" : a.state === "expired" ? `expired ${-a.daysLeft!} day(s) ago` : `in ${a.daysLeft} day(s)`;
    return `<tr><td>${h(a.name)} (${code(a.vendor)})</td><td>${h(a.kind)}</td><td>${h(a.expires ?? "—")}</td><td>${badge(a.state, a.state)} ${h(when)}</td></tr>`;
  });
  return `<table><thead><tr><th>Vendor</th><th>Document</th><th>Expires</th><th>State</th></tr></thead><tbody>
${rows.join("\n")}
</tbody></table>`;
}

/** The policy in force, the same inputs every report format names (src/report/policy.ts). */
function policySection(m: ReportModel): string {
  const p = policyJson(m.policy);
  const input = (ref: { source: string; digest: string }) => `${code(ref.source)} ${code(ref.digest)}`;
  const rows: [string, string][] = [["Policy", code(p.bundle.wasm)]];
  if (p.bundle.signed) rows.push(["Signed bundle", `${input(p.bundle.signed)}${p.bundle.signed.keyId ? ` (key ${code(p.bundle.signed.keyId)})` : ""}`]);
  else rows.push(["Signed bundle", "none: the registry and exceptions are the repository's files"]);
  rows.push(["Registry", input(p.registry)]);
  rows.push(["Exceptions", p.exceptions ? input(p.exceptions) : "none"]);
  const overrides = p.enforcement.map((o) => `<li>${code(o.rule)} ${badge(o.level === "disabled" ? "off" : o.level, o.level)} was ${h(o.was)}, from ${h(o.source)} ${code(`${o.file}:${o.line}`)}</li>`);
  rows.push(["Enforcement overrides", overrides.length ? `<ul class="plain">${overrides.join("")}</ul>` : "none"]);
  rows.push(["Disabled rules", p.disabled.length ? p.disabled.map(code).join(", ") : "none"]);
  return `<table class="policy"><tbody>
${rows.map(([k, v]) => `<tr><th>${h(k)}</th><td>${v}</td></tr>`).join("\n")}
</tbody></table>`;
}

export function renderHtml(m: ReportModel): string {
  const active = m.flows.filter((f) => f.verdict !== "off");
  const blocked = active.filter((f) => f.verdict === "blocked").length;
  const advisory = active.filter((f) => f.verdict === "advisory").length;
  const urgent = m.assurances.filter((a) => a.state !== "soon").length;
  const csp = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>vendorgate: data flows to vendors, ${h(m.now)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Data flows to vendors</h1>
<p class="meta">As of ${h(m.now)} · sources: ${m.sources.length ? m.sources.map(code).join(", ") : "none"}</p>
<ul class="cards" id="summary">
<li><b>${active.length}</b> integrations sending</li>
<li class="${blocked ? "bad" : ""}"><b>${blocked}</b> blocked</li>
<li class="${advisory ? "warn" : ""}"><b>${advisory}</b> with advisories</li>
<li><b>${new Set(active.map((f) => f.vendor)).size}</b> vendors receiving data</li>
<li class="${urgent ? "bad" : ""}"><b>${urgent}</b> assurances expired or due within ${m.warningDays} days</li>
</ul>
</header>
<main>
<section id="graph">
<h2>Data-flow graph</h2>
<p class="legend"><span class="blocked">blocked</span><span class="advisory">advisory</span><span class="pass">passes</span><span class="off">switched off</span> · click a vendor to highlight its flows</p>
${graph(m)}
</section>
<section id="matrix">
<h2>Vendors by data category</h2>
${matrix(m)}
</section>
<section id="violations">
<h2>Violations (${m.violations.length})</h2>
${violations(m)}
</section>
<section id="assurances">
<h2>Expiring assurances</h2>
${assurances(m)}
</section>
<section id="policy">
<h2>Policy in force</h2>
${policySection(m)}
</section>
</main>
<footer>Generated by ${h(m.tool.name)} ${h(m.tool.version)}. Verdicts from the same policy bundle as <code>vendorgate check</code>.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
