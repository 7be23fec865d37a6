import { AppRateLimiter } from './rate-limiter';

describe('AppRateLimiter', () => {
  it('allows a burst of twice the rate, then refills at the rate', () => {
    let now = 0;
    const limiter = new AppRateLimiter(10, () => now);
    const burst = Array.from({ length: 25 }, () => limiter.take('w_a')).filter(Boolean).length;
    expect(burst).toBe(20);
    now += 500;
    const refilled = Array.from({ length: 10 }, () => limiter.take('w_a')).filter(Boolean).length;
    expect(refilled).toBe(5);
  });

  it('keeps apps apart', () => {
    const limiter = new AppRateLimiter(1, () => 0);
    expect(limiter.take('w_a')).toBe(true);
    expect(limiter.take('w_a')).toBe(true);
    expect(limiter.take('w_a')).toBe(false);
    expect(limiter.take('w_b')).toBe(true);
  });
});
