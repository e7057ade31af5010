import { bigint, integer, pgTable, text } from "drizzle-orm/pg-core";

/**
 * Rate-limit windows shared by every app instance on one database (server/auth/rate-limit.ts
 * DatabaseRateLimiter): one row per limited key, a fixed window counted by an atomic upsert.
 */
export const rateLimitWindows = pgTable("rate_limit_windows", {
  key: text("key").primaryKey(),
  windowStartMs: bigint("window_start_ms", { mode: "number" }).notNull(),
  hits: integer("hits").notNull(),
});
