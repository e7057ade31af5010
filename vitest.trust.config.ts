import { defineConfig } from "vitest/config";
import path from "node:path";

// npm run test:trust: issue 13's attacks against three real witness processes (scripts/witness.ts,
// each with its own PGlite folder and key) following a ledger written by the real service.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/trust/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    env: { TZ: "UTC" },
  },
});
