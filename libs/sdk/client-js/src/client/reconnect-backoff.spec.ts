import { ReconnectBackoff } from './reconnect-backoff';

describe('ReconnectBackoff', () => {
  it('doubles the ceiling per attempt up to the maximum, with full jitter', () => {
    const backoff = new ReconnectBackoff({ baseMs: 100, maxMs: 1000 }, () => 0.999);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoff.attempts).toBe(6);
    const low = new ReconnectBackoff({ baseMs: 100, maxMs: 1000 }, () => 0);
    expect(low.next()).toBe(0);
  });

  it('starts over after reset and takes the server hint as its base', () => {
    const backoff = new ReconnectBackoff({ baseMs: 100, maxMs: 10_000 }, () => 0.5);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(50);
    backoff.reset();
    backoff.useServerBase(2000);
    expect(backoff.next()).toBe(1000);
    backoff.reset();
    backoff.useServerBase(50_000);
    expect(backoff.next()).toBe(5000); // capped by maxMs
    backoff.reset();
    backoff.useServerBase(0);
    expect(backoff.next()).toBe(50);
  });

  it('refuses non-positive settings', () => {
    expect(() => new ReconnectBackoff({ baseMs: 0 })).toThrow(RangeError);
    expect(() => new ReconnectBackoff({ maxMs: Number.NaN })).toThrow(RangeError);
  });
});
