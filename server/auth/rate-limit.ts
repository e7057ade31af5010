import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rateLimitWindows } from "@/db/schema";
import { LONGEST_WINDOW_MS } from "@/db/rate-limit-windows";

/**
 * A fixed-window budget per key. The runtime holds one per purpose: in process memory for a
 * single process (PGlite, tests), or in the database when several instances share one
 * PostgreSQL (DatabaseRateLimiter), so a balancer spreading requests does not multiply it.
 */
export interface Limiter {
  /** Records one attempt; false when the key has used up its window. */
  take(key: string): Promise<boolean>;
  /** Gives back one attempt (it failed on our side, not the caller's: the database was away). */
  refund(key: string): Promise<void>;
  reset(key: string): Promise<void>;
  /** Forgets every key (tests start each scenario with a full budget). */
  clear(): Promise<void>;
}

/** A Limiter over RateLimiter, in this process's memory. */
export class MemoryLimiter implements Limiter {
  private readonly counter: RateLimiter;

  constructor(
    limit: number,
    windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.counter = new RateLimiter(limit, windowMs);
  }

  async take(key: string): Promise<boolean> {
    return this.counter.take(key, this.clock());
  }

  async refund(key: string): Promise<void> {
    this.counter.refund(key);
  }

  async reset(key: string): Promise<void> {
    this.counter.reset(key);
  }

  async clear(): Promise<void> {
    this.counter.clear();
  }
}

/**
 * A Limiter kept in the rate_limit_windows table, shared by every instance on the database.
 * One atomic upsert a take (the row lock orders concurrent takes of one key), keys namespaced
 * by the limiter's name. The window starts at the runtime's clock, like the memory counter.
 */
export class DatabaseRateLimiter implements Limiter {
  constructor(
    private readonly db: Db,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    // The prune job deletes rows older than the longest window; a longer one would be cut short.
    if (!(windowMs > 0 && windowMs <= LONGEST_WINDOW_MS)) throw new Error(`rate limit ${name}: a window is at most ${LONGEST_WINDOW_MS} ms, not ${windowMs}`);
  }

  async take(key: string): Promise<boolean> {
    const now = this.clock();
    const expired = sql`${now}::bigint - ${rateLimitWindows.windowStartMs} >= ${this.windowMs}::bigint`;
    const [row] = await this.db
      .insert(rateLimitWindows)
      .values({ key: this.keyOf(key), windowStartMs: now, hits: 1 })
      .onConflictDoUpdate({
        target: rateLimitWindows.key,
        set: {
          hits: sql`case when ${expired} then 1 else ${rateLimitWindows.hits} + 1 end`,
          windowStartMs: sql`case when ${expired} then ${now}::bigint else ${rateLimitWindows.windowStartMs} end`,
        },
      })
      .returning({ hits: rateLimitWindows.hits });
    return row !== undefined && row.hits <= this.limit;
  }

  async refund(key: string): Promise<void> {
    await this.db
      .update(rateLimitWindows)
      .set({ hits: sql`greatest(${rateLimitWindows.hits} - 1, 0)` })
      .where(sql`${rateLimitWindows.key} = ${this.keyOf(key)}`);
  }

  async reset(key: string): Promise<void> {
    await this.db.delete(rateLimitWindows).where(sql`${rateLimitWindows.key} = ${this.keyOf(key)}`);
  }

  async clear(): Promise<void> {
    await this.db.delete(rateLimitWindows).where(sql`starts_with(${rateLimitWindows.key}, ${`${this.name}:`})`);
  }

  private keyOf(key: string): string {
    return `${this.name}:${key}`;
  }
}

/**
 * A fixed-window counter per key, in process memory (MemoryLimiter's counter). It slows
 * password guessing on one process; several instances share a DatabaseRateLimiter instead.
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; windowStartMs: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records one attempt; false when the key has used up its window. */
  take(key: string, nowMs = Date.now()): boolean {
    const entry = this.hits.get(key);
    if (!entry || nowMs - entry.windowStartMs >= this.windowMs) {
      this.hits.set(key, { count: 1, windowStartMs: nowMs });
      this.prune(nowMs);
      return true;
    }
    entry.count += 1;
    return entry.count <= this.limit;
  }

  /** Gives back one attempt (it failed on our side, not the caller's). */
  refund(key: string): void {
    const entry = this.hits.get(key);
    if (entry && entry.count > 0) entry.count -= 1;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  /** Forgets every key (tests start each scenario with a full budget). */
  clear(): void {
    this.hits.clear();
  }

  private prune(nowMs: number): void {
    if (this.hits.size < 10_000) return;
    for (const [key, entry] of this.hits) if (nowMs - entry.windowStartMs >= this.windowMs) this.hits.delete(key);
  }
}

/** Sign-in attempts per email: 10 per 15 minutes (server/runtime.ts holds the process's limiter). */
export const SIGN_IN_ATTEMPTS = { limit: 10, windowMs: 15 * 60 * 1000 } as const;

/**
 * Sign-in challenges one client address may ask for in a minute. The endpoint is public and each
 * challenge is a row until it expires, so without a budget a script fills the table; a person
 * signing in asks for one or two.
 */
export const PASSKEY_SIGN_IN_CHALLENGES = { limit: 20, windowMs: 60 * 1000 } as const;

/** Ledger submissions per organisation per minute; LEDGER_SUBMISSIONS_PER_MINUTE overrides it (load tests). */
export function submissionsPerMinute(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.LEDGER_SUBMISSIONS_PER_MINUTE);
  return Number.isInteger(configured) && configured > 0 ? configured : 120;
}
