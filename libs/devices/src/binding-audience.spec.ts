import { inBindingAudience } from './binding-audience';

const NOW = 1_800_000_000_000;
const DAY = 86_400_000;
const bound = (daysAgo: number) => ({ userId: 'u', boundAt: NOW - daysAgo * DAY, unboundAt: null });
const unbound = (daysAgo: number | null) => ({ userId: null, boundAt: null, unboundAt: daysAgo === null ? null : NOW - daysAgo * DAY });

describe('inBindingAudience (mps.md §3.4 pushStatus / bindPeriod / unBindPeriod)', () => {
  it('login users: bound now, within the login period (7, 15, 60 days or permanent)', () => {
    expect(inBindingAudience(bound(6), { pushStatus: 0, bindPeriod: 1, unBindPeriod: null }, NOW)).toBe(true);
    expect(inBindingAudience(bound(8), { pushStatus: 0, bindPeriod: 1, unBindPeriod: null }, NOW)).toBe(false);
    expect(inBindingAudience(bound(14), { pushStatus: 0, bindPeriod: 2, unBindPeriod: null }, NOW)).toBe(true);
    expect(inBindingAudience(bound(61), { pushStatus: 0, bindPeriod: 3, unBindPeriod: null }, NOW)).toBe(false);
    expect(inBindingAudience(bound(400), { pushStatus: 0, bindPeriod: 4, unBindPeriod: null }, NOW)).toBe(true);
    expect(inBindingAudience(unbound(1), { pushStatus: 0, bindPeriod: 4, unBindPeriod: null }, NOW)).toBe(false);
  });

  it('logout users: not bound now, unbound within the period; with the permanent period a device that never bound counts', () => {
    expect(inBindingAudience(unbound(3), { pushStatus: 2, bindPeriod: null, unBindPeriod: 1 }, NOW)).toBe(true);
    expect(inBindingAudience(unbound(10), { pushStatus: 2, bindPeriod: null, unBindPeriod: 1 }, NOW)).toBe(false);
    expect(inBindingAudience(unbound(null), { pushStatus: 2, bindPeriod: null, unBindPeriod: 3 }, NOW)).toBe(false);
    expect(inBindingAudience(unbound(null), { pushStatus: 2, bindPeriod: null, unBindPeriod: 4 }, NOW)).toBe(true);
    expect(inBindingAudience(bound(1), { pushStatus: 2, bindPeriod: null, unBindPeriod: 4 }, NOW)).toBe(false);
  });

  it('all users: every bound device plus the logout users of the period', () => {
    const all = { pushStatus: 1 as const, bindPeriod: null, unBindPeriod: 2 as const };
    expect(inBindingAudience(bound(500), all, NOW)).toBe(true);
    expect(inBindingAudience(unbound(14), all, NOW)).toBe(true);
    expect(inBindingAudience(unbound(16), all, NOW)).toBe(false);
  });
});
