/**
 * A broadcast audience by binding state (mps.md §3.4, DECISIONS D4): `pushStatus` 0 login
 * (bound) users, 1 all users, 2 logout (unbound) users; periods 1 = last 7 days, 2 = 15,
 * 3 = 60, 4 = permanent. Lives with the bindings: push-core's broadcast planner and its resend
 * to devices connecting later both evaluate it.
 */
export type BindingAudience = {
  pushStatus: 0 | 1 | 2;
  bindPeriod: 1 | 2 | 3 | 4 | null;
  unBindPeriod: 1 | 2 | 3 | 4 | null;
};

export interface BindingState {
  userId: string | null;
  boundAt: number | null;
  unboundAt: number | null;
}

const PERIOD_DAYS: Record<1 | 2 | 3, number> = { 1: 7, 2: 15, 3: 60 };

function withinPeriod(at: number | null, period: 1 | 2 | 3 | 4 | null, now: number): boolean {
  if (period === null || period === 4) return true;
  return at !== null && at >= now - PERIOD_DAYS[period] * 86_400_000;
}

/**
 * Whether a device belongs to the audience now. Login users: bound now, bound within the login
 * period. Logout users: not bound now and unbound within the logout period; with the permanent
 * period a device that never bound counts as a logout user too. All users: both.
 */
export function inBindingAudience(device: BindingState, audience: BindingAudience, now: number): boolean {
  const bound = device.userId !== null;
  const login = bound && withinPeriod(device.boundAt, audience.bindPeriod ?? 4, now);
  const logout = !bound && ((audience.unBindPeriod ?? 4) === 4 || withinPeriod(device.unboundAt, audience.unBindPeriod, now));
  if (audience.pushStatus === 0) return login;
  if (audience.pushStatus === 2) return logout;
  return bound || logout;
}
