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

  reset(key: string): void {
    this.hits.delete(key);
  }

  private prune(nowMs: number): void {
    if (this.hits.size < 10_000) return;
    for (const [key, entry] of this.hits) if (nowMs - entry.windowStartMs >= this.windowMs) this.hits.delete(key);
  }
}

export const signInLimiter = new RateLimiter(10, 15 * 60 * 1000);
