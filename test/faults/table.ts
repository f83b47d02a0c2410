/*
 * Prints the outcomes the fault drills recorded (test-results/faults/*.json, written by
 * `npx vitest run test/faults`) as the Markdown tables of docs/fault-injection.md:
 *
 *   node test/faults/table.ts
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../../src/paths.ts";
import type { Outcome } from "./harness.ts";

const dir = join(packageRoot, "test-results", "faults");
const sections: [string, string][] = [
  ["check", "`vendorgate check` (CLI process; peak RSS of that process)"],
  ["plan", "`vendorgate plan` (CLI process, the drill program under mocks)"],
  ["pack", "Policy pack: the gate policy in process, and real `pulumi preview`s (peak RSS of the pack's process)"],
];

const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
const seconds = (ms: number) => (ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000).toString());

for (const [file, heading] of sections) {
  const path = join(dir, `${file}.json`);
  if (!existsSync(path)) continue;
  const rows = JSON.parse(readFileSync(path, "utf8")) as Outcome[];
  console.log(`### ${heading}\n`);
  console.log("| case | fault | channel | outcome | reason given | time (s) | peak RSS (MB) |");
  console.log("|---|---|---|---|---|---:|---:|");
  for (const r of rows) {
    const rss = r.rssMb === undefined ? "–" : Math.round(r.rssMb).toString();
    console.log(`| ${r.case} | ${cell(r.title)} | ${r.channel} | ${r.exit} | ${cell(r.reason.slice(0, 220))} | ${seconds(r.ms)} | ${rss} |`);
  }
  console.log("");
}
