/**
 * A fixed-window counter per key, in process memory. It slows password guessing on one
 * node; several nodes behind a balancer would each count separately (written down in the README).
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

/** Ledger submissions per organisation per minute; LEDGER_SUBMISSIONS_PER_MINUTE overrides it (load tests). */
export function submissionsPerMinute(env: Record<string, string | undefined> = process.env): number {
  const configured = Number(env.LEDGER_SUBMISSIONS_PER_MINUTE);
  return Number.isInteger(configured) && configured > 0 ? configured : 120;
}
