import { defineConfig } from "vitest/config";
import path from "node:path";

// npm run test:reliability: races, crashes, the attack matrix, fuzzing and web hardening,
// all against a real PostgreSQL server. Each test file creates and drops its own database.
if (!process.env.DATABASE_URL) {
  console.error(
    "test:reliability needs a PostgreSQL server: set DATABASE_URL, e.g.\n" +
      "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run test:reliability\n" +
      "(each test file creates and drops its own database there; PGlite is not used for these tests).",
  );
  process.exit(2);
}

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/reliability/**/*.test.ts"],
    environment: "node",
    // One file at a time: the race and crash figures mean something only without a
    // neighbour competing for the two CPUs and the database.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    env: { TZ: "UTC" },
    reporters: ["default", "./test/reliability/reporter.ts"],
  },
});
