/**
 * Token bucket per app: `ratePerSecond` sustained, bursts up to twice that. Kept in this
 * api-gateway replica's memory, so a deployment's limit is replicas × rate.
 */
export class AppRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; refilledAt: number }>();

  public constructor(
    public readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {}

  /** Takes one token; false when the app is over its rate. */
  public take(instanceId: string): boolean {
    const now = this.now();
    const capacity = this.ratePerSecond * 2;
    const bucket = this.buckets.get(instanceId) ?? { tokens: capacity, refilledAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.refilledAt) / 1000) * this.ratePerSecond);
    bucket.refilledAt = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(instanceId, bucket);
    return allowed;
  }
}
