import { sql } from "drizzle-orm";
import type { Db } from "./client";
import { rateLimitWindows } from "./schema";

/*
 * The rows of the shared rate limits (server/auth/rate-limit.ts DatabaseRateLimiter), from
 * the side of keeping the table small: the limiters only ever add a row per key.
 */

/** No shared limiter's window is longer: a row whose window started before that counts nothing. */
export const LONGEST_WINDOW_MS = 60 * 60 * 1000;

/**
 * Deletes the rate_limit_windows rows whose window started at least LONGEST_WINDOW_MS ago (so has ended):
 * their next take starts a new window anyway, so only the table's size changes. Without this
 * every email, organisation and client address ever limited kept its row. The rate-limits
 * job runs it once across instances. Returns how many rows went.
 */
export async function pruneRateLimitWindows(db: Db, nowMs: number): Promise<number> {
  const gone = await db
    .delete(rateLimitWindows)
    .where(sql`${rateLimitWindows.windowStartMs} <= ${nowMs - LONGEST_WINDOW_MS}::bigint`)
    .returning({ key: rateLimitWindows.key });
  return gone.length;
}

