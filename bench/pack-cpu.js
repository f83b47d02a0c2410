// Preloaded (NODE_OPTIONS=--import) into the processes the pulumi CLI starts during the preview
// benchmark: a policy pack's process appends the CPU time it used to VENDORGATE_BENCH_PACK_CPU
// when it ends, so the pack's own cost can be read apart from the engine's and the program's.
// The CLI stops a pack with a signal, so the figure is written on SIGINT/SIGTERM as well as on exit.
import { appendFileSync } from "node:fs";

const file = process.env.VENDORGATE_BENCH_PACK_CPU;
if (file && process.argv.some((a) => a.includes("run-policy-pack"))) {
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    const u = process.cpuUsage();
    appendFileSync(file, `${(u.user + u.system) / 1000}\n`);
  };
  process.on("exit", write);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      write();
      process.exit(0);
    });
  }
}
