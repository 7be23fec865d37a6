import { TokenBucketLimiter } from './rate-limiter';

describe('TokenBucketLimiter', () => {
  it('allows a burst per key, then refills at the rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ burst: 3, perSecond: 2 }, () => now);
    expect([limiter.tryTake('a'), limiter.tryTake('a'), limiter.tryTake('a'), limiter.tryTake('a')]).toEqual([true, true, true, false]);
    expect(limiter.tryTake('b')).toBe(true); // another address is not affected
    now += 499;
    expect(limiter.tryTake('a')).toBe(false);
    now += 1;
    expect(limiter.tryTake('a')).toBe(true);
    now += 10_000;
    expect([limiter.tryTake('a'), limiter.tryTake('a'), limiter.tryTake('a'), limiter.tryTake('a')]).toEqual([true, true, true, false]);
  });

  it('tracks a bounded number of keys', () => {
    const limiter = new TokenBucketLimiter({ burst: 1, perSecond: 1, maxKeys: 100 }, () => 0);
    for (let i = 0; i < 10_000; i++) limiter.tryTake(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.trackedKeys).toBeLessThanOrEqual(100);
  });
});
