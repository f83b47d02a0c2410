import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: "forks",
    // Spawned CLIs and policy packs run the TypeScript sources, never a possibly stale dist/.
    env: { VENDORGATE_RUN_SOURCES: "1" },
  },
});
