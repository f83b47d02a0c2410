import { escapeMarkdown } from "../../report/markdown.ts";
import type { Exposure, ExposureRecord, Seen } from "./exposure.ts";
import { capitalize, transformPhrase } from "./plain.ts";
import { csvLine, dayOf, printable, table } from "../../text/output.ts";

export const exposureFormats = ["text", "json", "csv", "markdown", "notice"] as const;
export type ExposureFormat = (typeof exposureFormats)[number];

const day = (iso: string | undefined) => dayOf(iso) ?? "-";

function until(s: Seen): string {
  if (s.active) return "still sent";
  if (s.removed) return `removed ${day(s.removed)}`;
  return s.lastSeen ? `last seen ${day(s.lastSeen)}` : "-";
}

function span(s: Seen): string {
  if (!s.firstSeen) return s.active ? "declared" : "-";
  return `${day(s.firstSeen)} – ${s.active ? "now" : day(s.removed ?? s.lastSeen)}`;
}

const originWords: Record<string, string> = { manifest: "manifest", state: "state", history: "history" };
const originsOf = (r: ExposureRecord) => r.origins.map((o) => originWords[o]).join("+");

function periodText(e: Exposure): string {
  const { first, last, active } = e.period;
  if (!first) return active ? "declared in manifests (no deploy dates)" : "no dated sightings";
  return `${day(first)} – ${active ? "still sent" : day(last)}`;
}

const unreadableNote = (e: Exposure) => (e.sources.unreadable ? `, ${e.sources.unreadable} unreadable: see the warnings` : "");

/** The still-sending flows, or why they are unknown. */
function stillSendingLines(e: Exposure, indent: string): string[] {
  if (e.sources.backend === undefined) return [`Deployed state was not read: which flows still send to ${printable(e.vendor.key)} is unknown.`];
  if (e.stillSending.length === 0) return [`No deployed stack sends to ${printable(e.vendor.key)} (none of the stacks' current state has an enabled flow to it).`];
  return [
    `Still sending until their stack's next deploy (${e.stillSending.length}, from deployed state): a vendor's status blocks deploys, not pipelines already running`,
    ...table(e.stillSending.map((f) => [printable(f.stack), printable(f.integration), printable(f.endpoint), f.deployed ? `deployed ${f.deployed}` : "deployed (time unknown)"]), indent),
  ];
}

function header(e: Exposure): string[] {
  const v = e.vendor;
  const status = v.status ? `, status ${v.status}${v.statusChanged ? ` since ${v.statusChanged}` : ""}` : ", not in the registry";
  const src = [
    ...e.sources.manifests,
    ...(e.sources.backend !== undefined
      ? [`Pulumi backend ${e.sources.backend} (${e.sources.stacks} stack(s), ${e.sources.checkpoints} checkpoint(s)${unreadableNote(e)})`]
      : ["no Pulumi backend read (deployed state unknown)"]),
  ];
  return [
    `Exposure of ${printable(v.key)} (${printable(v.name)})${status}`,
    ...(v.statusReason ? [`Reason: ${printable(v.statusReason)}`] : []),
    `Sources: ${src.length ? src.map(printable).join("; ") : "none"}`,
    `Period: ${periodText(e)}${e.since ? ` (fields sent on or after ${e.since})` : ""}`,
  ];
}

function formatText(e: Exposure): string {
  const out = header(e);
  if (e.records.length === 0) {
    out.push("", `No field was ever declared for ${printable(e.vendor.key)} in these sources.`);
    return `${out.join("\n")}\n`;
  }
  out.push("", `Data categories (${e.categories.length})`);
  out.push(
    ...table(
      e.categories.map((c) => [
        c.key,
        printable(c.name),
        c.ancestors.length ? `under ${c.ancestors.map((a) => a.key).join(" > ")}` : "",
        span(c),
        until(c),
      ]),
      "  ",
    ),
  );
  out.push("", `Data subjects: ${e.subjects.map((s) => `${s.key} (${printable(s.name)})`).join(", ")}`);
  out.push(`Purposes: ${e.purposes.map((p) => `${p.key} (${printable(p.name)})`).join(", ")}`);
  out.push(`Stacks: ${e.stacks.map((s) => printable(s.stack)).join(", ")}`);
  out.push("", `Integrations (${e.integrations.length})`);
  out.push(...table(e.integrations.map((i) => [printable(i.stack ?? "(no stack)"), printable(i.integration), span(i), until(i)]), "  "));
  out.push("", `Endpoints (${e.endpoints.length})`);
  out.push(...table(e.endpoints.map((p) => [printable(p.url), p.region, span(p), until(p)]), "  "));
  out.push("", ...stillSendingLines(e, "  "));
  out.push("", `Fields (${e.records.length})`);
  out.push(
    ...table(
      [
        ["STACK", "INTEGRATION", "FIELD", "CATEGORY", "TRANSFORM", "SEEN", "UNTIL", "FROM"],
        ...e.records.map((r) => [
          printable(r.stack ?? "(no stack)"),
          printable(r.integration),
          printable(r.field),
          r.category,
          r.transform,
          span(r),
          until(r),
          originsOf(r),
        ]),
      ],
      "  ",
    ),
  );
  return `${out.join("\n")}\n`;
}

function formatJson(e: Exposure): string {
  return `${JSON.stringify(e, null, 2)}\n`;
}

function formatCsv(e: Exposure): string {
  const names = new Map(e.categories.map((c) => [c.key, c]));
  let out = csvLine([
    "vendor",
    "stack",
    "integration",
    "purpose",
    "subjects",
    "endpoint",
    "region",
    "field",
    "category",
    "category_name",
    "category_ancestors",
    "transform",
    "first_seen",
    "last_seen",
    "removed",
    "active",
    "sources",
  ]);
  for (const r of e.records) {
    const c = names.get(r.category);
    out += csvLine([
      e.vendor.key,
      r.stack ?? "",
      r.integration,
      r.purpose,
      r.subjects.join(" "),
      r.endpoint,
      r.region,
      r.field,
      r.category,
      c?.name ?? "",
      c?.ancestors.map((a) => a.key).join(" ") ?? "",
      r.transform,
      r.firstSeen ?? "",
      r.lastSeen ?? "",
      r.removed ?? "",
      r.active,
      r.files.join(" "),
    ]);
  }
  return out;
}

const md = escapeMarkdown;

function andList(items: readonly string[]): string {
  return items.length <= 2 ? items.join(" and ") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const code = (s: string) => (/[`\r\n|]/.test(s) ? md(s) : `\`${s}\``);

function formatMarkdown(e: Exposure): string {
  const v = e.vendor;
  const out = [`## Exposure: ${md(v.name)} (\`${v.key}\`)`, ""];
  out.push(`- Status: ${v.status ?? "not in the registry"}${v.statusChanged ? ` since ${v.statusChanged}` : ""}${v.statusReason ? ` — ${md(v.statusReason)}` : ""}`);
  out.push(`- Period: ${periodText(e)}${e.since ? ` (fields sent on or after ${e.since})` : ""}`);
  out.push(`- Sources: ${[...e.sources.manifests.map(code), ...(e.sources.backend ? [`Pulumi backend ${code(e.sources.backend)} (${e.sources.stacks} stacks, ${e.sources.checkpoints} checkpoints${unreadableNote(e)})`] : ["no Pulumi backend read (deployed state unknown)"])].join(", ")}`);
  out.push("");
  if (e.records.length === 0) {
    out.push("No field was ever declared for this vendor in these sources.");
    return `${out.join("\n")}\n`;
  }
  out.push("### Data categories", "", row(["Category", "Name", "Ancestors", "Seen", "Until"]), "|---|---|---|---|---|");
  for (const c of e.categories) out.push(row([code(c.key), md(c.name), c.ancestors.map((a) => code(a.key)).join(" › ") || "—", span(c), until(c)]));
  out.push("", `**Data subjects:** ${e.subjects.map((s) => `${md(s.name)} (${code(s.key)})`).join(", ")}  `);
  out.push(`**Purposes:** ${e.purposes.map((p) => `${md(p.name)} (${code(p.key)})`).join(", ")}  `);
  out.push(`**Endpoints:** ${e.endpoints.map((p) => `${code(p.url)} (${p.region})`).join(", ")}`, "");
  out.push(...stillSendingMarkdown(e), "");
  out.push("### Fields", "", row(["Stack", "Integration", "Field", "Category", "Transform", "Seen", "Until", "From"]), "|---|---|---|---|---|---|---|---|");
  for (const r of e.records) {
    out.push(row([md(r.stack ?? "—"), md(r.integration), code(r.field), code(r.category), r.transform, span(r), until(r), originsOf(r)]));
  }
  return `${out.join("\n")}\n`;
}

function stillSendingMarkdown(e: Exposure): string[] {
  const out = ["### Still sending until the next deploy", ""];
  if (e.sources.backend === undefined) return [...out, "Deployed state was not read: which flows still send is unknown."];
  if (e.stillSending.length === 0) return [...out, "No deployed stack sends to this vendor."];
  out.push(
    "From deployed state: a vendor's status blocks the next deploy, not the pipelines already running.",
    "",
    row(["Stack", "Integration", "Endpoint", "Deployed"]),
    "|---|---|---|---|",
  );
  for (const f of e.stillSending) out.push(row([md(f.stack), md(f.integration), code(f.endpoint), f.deployed ?? "—"]));
  return out;
}

/**
 * A draft letter to the people whose data the vendor held. It names each data category in plain
 * words and says when the sharing started and stopped; privacy and legal finish it, so the
 * parts only they can write are marked, and the technical scope follows for their review.
 */
function formatNotice(e: Exposure): string {
  const v = e.vendor;
  const who = e.subjects.map((s) => s.plain);
  const out = [
    `# Draft notice: personal data shared with ${md(v.name)}`,
    "",
    `> Draft generated by vendorgate from the declared data flows. Privacy and legal review it, fill in`,
    `> the bracketed parts, and remove this note and the appendix before sending.`,
    "",
    `**To:** our ${who.length ? who.map(md).join(", ") : "[affected people]"}`,
    "",
    `We are writing to tell you about a security incident at ${md(v.name)}, a service provider we use for ${andList(e.purposes.map((p) => md(p.plain))) || "[purpose]"}. [Describe what happened at ${md(v.name)} and when we learned of it.]`,
    "",
  ];
  if (e.records.length === 0) {
    out.push(`Our records show no personal data sent to ${md(v.name)}${e.since ? ` on or after ${e.since}` : ""}.`);
    return `${out.join("\n")}\n`;
  }
  const { first, last, active } = e.period;
  // Manifests carry no dates: when some fields are known only from them, the deploy records give
  // a lower bound, not the start, and the letter must not claim more.
  const undated = e.records.some((r) => r.firstSeen === undefined);
  const start = first === undefined ? undefined : undated ? `[start date; our deploy records begin on ${day(first)}]` : day(first);
  const when = start
    ? active
      ? `Since ${start}, we have shared`
      : `From ${start} to ${day(last)}, we shared`
    : "[Since start date], we have shared";
  out.push(`${when} the following information about you with ${md(v.name)}:`, "");
  for (const c of e.categories) {
    const how = transformPhrase(c.transforms);
    out.push(`- ${md(capitalize(c.plain))}${how ? ` (${how})` : ""}`);
  }
  out.push("");
  out.push(...noticeStatus(e));
  out.push("", "[Contact details for questions.]", "", "---", "", "## Appendix: scope (for the privacy team, remove before sending)", "");
  out.push(row(["Plain words", "Taxonomy name", "Category", "Fields", "Seen", "Until"]), "|---|---|---|---|---|---|");
  for (const c of e.categories) out.push(row([md(c.plain), md(c.name), code(c.key), c.fields.map(code).join(", "), span(c), until(c)]));
  out.push("", `Stacks: ${e.stacks.map((s) => md(s.stack)).join(", ")}. Endpoints: ${e.endpoints.map((p) => code(p.url)).join(", ")}.`);
  out.push("", ...stillSendingMarkdown(e).map((l) => l.replace(/^### /, "#### ")));
  return `${out.join("\n")}\n`;
}

/**
 * What the letter may say about stopping. Changing a vendor's status blocks the next deploy; it
 * does not stop pipelines already deployed, so "we stopped" is said only when the deployed state
 * shows no flow to the vendor, with the date the deploy that removed the last one was made.
 */
function noticeStatus(e: Exposure): string[] {
  const v = e.vendor;
  const name = md(v.name);
  const steps = "[Describe any other steps taken and what you can do.]";
  const suspended = v.status && v.status !== "approved" ? `On ${v.statusChanged ?? "[date]"} we suspended our use of ${name}: no new release of our systems may send data to it. ` : "";
  if (e.sources.backend === undefined) {
    return [`${suspended}[Say whether and when our systems stopped sending data to ${name}: vendorgate did not read the deployed state.] ${steps}`];
  }
  if (e.stillSending.length > 0) {
    const n = e.stillSending.length;
    return [
      `${suspended}${n === 1 ? "One of our systems that was" : `${n} of our systems that were`} already sending data to ${name} ${n === 1 ? "continues" : "continue"} to do so until ${n === 1 ? "it is" : "they are"} redeployed without it. [Say when that was done, or will be.] ${steps}`,
    ];
  }
  if (!e.period.active && e.period.last) return [`${suspended}We stopped sending data to ${name} on ${day(e.period.last)}. ${steps}`];
  return [`${suspended}[Say when our systems stopped sending data to ${name}.] ${steps}`];
}

export const exposureFormatters: Record<ExposureFormat, (e: Exposure) => string> = {
  text: formatText,
  json: formatJson,
  csv: formatCsv,
  markdown: formatMarkdown,
  notice: formatNotice,
};
