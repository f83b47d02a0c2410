// Runs the Rego unit tests with coverage and fails below the threshold. opa prints the coverage
// report as one large JSON document; people only need the totals.
import { spawnSync } from "node:child_process";

const THRESHOLD = 90;
// The example project's own rule (ACME001) and its test run with the built-in ones.
const dirs = ["policies/lib", "policies/rules", "examples/shop/policy/rules"];

const verbose = spawnSync("opa", ["test", ...dirs], { stdio: "inherit" });
if (verbose.status !== 0) process.exit(verbose.status ?? 1);

const cov = spawnSync("opa", ["test", "--coverage", ...dirs], { encoding: "utf8", maxBuffer: 256 << 20 });
if (cov.status !== 0) {
  process.stderr.write(cov.stderr);
  process.exit(cov.status ?? 1);
}
const report = JSON.parse(cov.stdout) as { coverage: number; files: Record<string, { coverage?: number; not_covered?: { start: { row: number } }[] }> };
const weak = Object.entries(report.files)
  .filter(([, f]) => (f.coverage ?? 100) < THRESHOLD)
  .map(([name, f]) => `  ${name}: ${(f.coverage ?? 0).toFixed(1)}% (uncovered lines ${(f.not_covered ?? []).map((r) => r.start.row).join(", ")})`);
console.log(`rego coverage: ${report.coverage.toFixed(1)}% (threshold ${THRESHOLD}%)`);
if (weak.length) console.log(`files below the threshold:\n${weak.join("\n")}`);
if (report.coverage < THRESHOLD) process.exit(1);
