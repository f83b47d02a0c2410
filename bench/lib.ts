/*
 * Small helpers shared by the benchmark script and its worker: statistics, fits, machine facts,
 * and running a child process while timing it from the outside.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, freemem, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
export const benchDir = join(repoRoot, "bench");

export const median = (xs: readonly number[]): number => quantile(xs, 0.5);

export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface Fit {
  slope: number;
  intercept: number;
  r2: number;
}

/** Least squares y = slope * x + intercept. */
export function linearFit(xs: readonly number[], ys: readonly number[]): Fit {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** Slope of log(time) against log(N): 1 is linear, above 1 worse than linear. */
export const logLogFit = (ns: readonly number[], ts: readonly number[]): Fit =>
  linearFit(ns.map(Math.log10), ts.map(Math.log10));

export const round = (x: number, digits = 2): number => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  freeMemoryGiB: number;
  os: string;
  loadAverage: number[];
}

export function machine(): Machine {
  const c = cpus();
  let load: number[] = [];
  try {
    load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
  } catch {
    // Not Linux: leave it out.
  }
  return {
    cpuModel: c[0]?.model ?? "unknown",
    cores: c.length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    freeMemoryGiB: round(freemem() / 2 ** 30, 1),
    os: `${platform()} ${release()}`,
    loadAverage: load,
  };
}

function firstLine(cmd: string, args: string[], pattern: RegExp): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) return "unavailable";
  return pattern.exec(r.stdout)?.[1] ?? r.stdout.trim().split("\n")[0] ?? "unknown";
}

export interface ToolVersions {
  node: string;
  opa: string;
  pulumi: string;
  opaWasm: string;
  pulumiSdk: string;
  policySdk: string;
}

const pkgVersion = (name: string): string => {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
};

export function toolVersions(): ToolVersions {
  return {
    node: process.version,
    opa: firstLine("opa", ["version"], /^Version: (\S+)/m),
    pulumi: firstLine("pulumi", ["version"], /^(v\S+)/),
    opaWasm: pkgVersion("@open-policy-agent/opa-wasm"),
    pulumiSdk: pkgVersion("@pulumi/pulumi"),
    policySdk: pkgVersion("@pulumi/policy"),
  };
}

/** Runs on one core when taskset is there, so "per core" figures do not borrow a second one. */
export const oneCore: string[] = existsSync("/usr/bin/taskset") ? ["/usr/bin/taskset", "-c", "1"] : [];

export interface Timed {
  /** Wall time from spawn to exit. */
  ms: number;
  /** User + system CPU time of the command and its children (GNU time), when available. */
  cpuMs?: number;
  status: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set of the child in KiB (GNU time). */
  maxRssKiB?: number;
}

const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/**
 * Runs a command to completion and times it from the outside (process start to exit). Under GNU
 * time it also reports the CPU time the command used, which a busy machine does not inflate.
 */
export function timeCommand(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): Timed {
  const [file, argv] = gnuTime ? [gnuTime, ["-f", "@@vg %U %S %M", cmd, ...args]] : [cmd, [...args]];
  const t0 = performance.now();
  const r = spawnSync(file, argv, { cwd: repoRoot, encoding: "utf8", maxBuffer: 512 << 20, ...opts });
  const ms = performance.now() - t0;
  let stderr = String(r.stderr ?? "");
  const m = gnuTime ? /@@vg (\S+) (\S+) (\d+)\s*$/.exec(stderr) : null;
  if (m) stderr = stderr.slice(0, m.index).replace(/Command exited with non-zero status \d+\n?$/, "");
  return {
    ms,
    status: r.status,
    stdout: String(r.stdout ?? ""),
    stderr,
    ...(m ? { cpuMs: (Number(m[1]) + Number(m[2])) * 1000, maxRssKiB: Number(m[3]) } : {}),
  };
}

/**
 * CPU milliseconds used so far by this process and by the children it has waited for (Linux):
 * the Pulumi engine, the policy pack and the program of a preview all land here once they exit.
 */
export function cpuWithChildrenMs(): number {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    // After the command name: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return ticks * 10; // USER_HZ is 100 on Linux
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

/** Runs `node bench/worker.ts <mode> …` (on one core) and returns the JSON it prints last. */
export function worker<T>(mode: string, args: readonly string[] = [], opts: { oneCore?: boolean; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): T {
  const prefix = opts.oneCore === false ? [] : oneCore;
  const argv = [...prefix, process.execPath, ...(opts.nodeArgs ?? []), join(benchDir, "worker.ts"), mode, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    cwd: repoRoot,
    encoding: "utf8",
    maxBuffer: 512 << 20,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...opts.env },
  });
  if (r.status !== 0) throw new Error(`bench worker ${mode} failed (exit ${r.status})`);
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}

/** A progress line on stderr, so stdout keeps only the table. */
export const progress = (s: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};
