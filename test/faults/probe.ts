/*
 * Preloaded (`node --import`) into a process under a fault drill: it writes the process's peak
 * resident set size and its lifetime to `$VENDORGATE_PROBE_OUT.<pid>.json`, every 100 ms and at
 * exit. It works for the CLI (its own process) and for the policy pack (NODE_OPTIONS, passed on by
 * the engine, which may end the pack with a signal: hence the samples along the way).
 */
import { renameSync, writeFileSync } from "node:fs";

const out = process.env.VENDORGATE_PROBE_OUT;
if (out) {
  const sample = () => {
    try {
      const s = { pid: process.pid, argv: process.argv.slice(1, 3), maxRssKb: process.resourceUsage().maxRSS, ms: Math.round(performance.now()) };
      // Whole or not at all: the reader may look while this process still runs.
      writeFileSync(`${out}.${process.pid}.tmp`, JSON.stringify(s));
      renameSync(`${out}.${process.pid}.tmp`, `${out}.${process.pid}.json`);
    } catch {
      // A probe must never change how the process ends.
    }
  };
  setInterval(sample, 100).unref();
  process.on("exit", sample);
}
