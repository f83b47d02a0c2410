/*
 * Prints the outcomes the fault drills recorded (test-results/faults/*.json, written by
 * `npx vitest run test/faults`) as the Markdown table of docs/fault-injection.md: one row per
 * case, one column per channel (outcome · time · peak RSS), and the reason the first channel gave.
 *
 *   node test/faults/table.ts
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/paths.ts";
import type { Outcome } from "./harness.ts";

const dir = join(packageRoot, "test-results", "faults");
const channels = ["check", "plan", "pack (in process)", "preview"] as const;

const outcomes = ["check", "plan", "pack"].flatMap((f) => {
  const path = join(dir, `${f}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Outcome[]) : [];
});

const cases = new Map<string, { title: string; reason: string; by: Map<string, Outcome> }>();
for (const o of outcomes) {
  let row = cases.get(o.case);
  if (!row) cases.set(o.case, (row = { title: o.title, reason: o.reason, by: new Map() }));
  row.by.set(o.channel, o);
}

const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
const seconds = (ms: number) => (ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000).toString());
const result = (o: Outcome | undefined) => (o ? [o.exit, `${seconds(o.ms)} s`, ...(o.rssMb === undefined ? [] : [`${Math.round(o.rssMb)} MB`])].join(" · ") : "–");

console.log(`| case | fault | reason given | ${channels.join(" | ")} |`);
console.log(`|---|---|---|${channels.map(() => "---").join("|")}|`);
for (const [id, row] of cases) {
  console.log(`| ${id} | ${cell(row.title)} | ${cell(row.reason)} | ${channels.map((c) => result(row.by.get(c))).join(" | ")} |`);
}
