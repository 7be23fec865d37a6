import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  let now: number;
  let loads: number;
  const load = (value: string | null) => () => {
    loads += 1;
    return Promise.resolve(value);
  };

  beforeEach(() => {
    now = 0;
    loads = 0;
  });

  it('shares one load between concurrent gets and uses the answer until it expires', async () => {
    const cache = new TtlCache<string | null>(1000, () => now);
    expect(await Promise.all([cache.get('k', load('a')), cache.get('k', load('b'))])).toEqual(['a', 'a']);
    now = 999;
    expect(await cache.get('k', load('b'))).toBe('a');
    now = 1000;
    expect(await cache.get('k', load('b'))).toBe('b');
    expect(loads).toBe(2);
  });

  it('does not remember an answer the predicate refuses, nor a failed load', async () => {
    const cache = new TtlCache<string | null>(1000, () => now, (value) => value !== null);
    expect(await cache.get('unknown', load(null))).toBeNull();
    expect(await cache.get('unknown', load('found'))).toBe('found');
    await expect(cache.get('failing', () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    expect(await cache.get('failing', load('back'))).toBe('back');
  });

  it('loads again after clear', async () => {
    const cache = new TtlCache<string | null>(1000, () => now);
    await cache.get('k', load('a'));
    cache.clear();
    expect(await cache.get('k', load('b'))).toBe('b');
  });
});
