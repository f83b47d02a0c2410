import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: "forks",
    // The example project (examples/shop) linked to the checkout and its custom rule built.
    globalSetup: ["scripts/example.ts"],
    // Spawned CLIs and policy packs run the TypeScript sources, never a possibly stale dist/.
    env: { VENDORGATE_RUN_SOURCES: "1" },
  },
});
