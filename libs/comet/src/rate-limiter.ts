export interface TokenBucketOptions {
  /** Tokens a key may spend at once. */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
  /** Keys tracked at most; beyond, the stalest are forgotten (a forgotten key starts full). */
  maxKeys?: number;
}

/**
 * Per-key token buckets (used per remote IP for handshakes). Memory is bounded by maxKeys: a
 * flood from many addresses forgets the oldest entries rather than growing.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly maxKeys: number;

  public constructor(
    private readonly options: TokenBucketOptions,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (!(options.burst >= 1) || !(options.perSecond > 0)) throw new RangeError('burst must be >= 1 and perSecond > 0');
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  public get trackedKeys(): number {
    return this.buckets.size;
  }

  /** Spends one token of `key`; false when it has none left. */
  public tryTake(key: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxKeys) this.evict();
      bucket = { tokens: this.options.burst, at: now };
    } else {
      this.buckets.delete(key); // re-inserted below: the Map's order is then least recently used first
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
      bucket.at = now;
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private evict(): void {
    const drop = Math.max(1, Math.floor(this.maxKeys / 10));
    let n = 0;
    for (const key of this.buckets.keys()) {
      this.buckets.delete(key);
      if (++n >= drop) break;
    }
  }
}
