import { pruneRateLimitWindows } from "@/db/rate-limit-windows";
import { defineJob } from "./scheduler";

/*
 * The rate-limits job: the shared limiters (server/auth/rate-limit.ts) leave a row per key in
 * rate_limit_windows, and nothing else ever deletes one. Every ten minutes, once across
 * instances (the schedule's lease), the rows whose window ended long ago are deleted.
 */
export const rateLimitsJob = defineJob({
  name: "rate-limits",
  description: "Deletes the shared rate limits' expired windows (rate_limit_windows rows whose window started more than an hour ago).",
  intervalMs: 10 * 60 * 1000,
  run: async (db, ctx) => `${await pruneRateLimitWindows(db, ctx.clock())} expired windows deleted`,
});
