import { RecentIds } from './recent-ids';

describe('RecentIds', () => {
  it('remembers the last ids up to its capacity, evicting the least recently seen', () => {
    const ids = new RecentIds(2);
    expect(ids.seen('a')).toBe(false);
    expect(ids.seen('b')).toBe(false);
    expect(ids.seen('a')).toBe(true); // refreshes a
    expect(ids.seen('c')).toBe(false); // evicts b
    expect(ids.size).toBe(2);
    expect(ids.seen('a')).toBe(true);
    expect(ids.seen('b')).toBe(false);
  });
});
