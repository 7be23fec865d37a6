import { ConnectionRegistry } from './registry';

describe('ConnectionRegistry', () => {
  it('spreads keys over its buckets and finds each', () => {
    const registry = new ConnectionRegistry<string>(8);
    for (let i = 0; i < 800; i++) registry.put(`token-${i}`, `s${i}`);
    expect(registry.size).toBe(800);
    const sizes = registry.bucketSizes();
    expect(sizes).toHaveLength(8);
    expect(Math.min(...sizes)).toBeGreaterThan(50); // no bucket starves, none holds everything
    for (let i = 0; i < 800; i++) expect(registry.get(`token-${i}`)).toBe(`s${i}`);
    expect([...registry.values()]).toHaveLength(800);
  });

  it('replaces a key, returning the previous session, and removes only the session it names', () => {
    const registry = new ConnectionRegistry<{ n: number }>(4);
    const first = { n: 1 };
    const second = { n: 2 };
    expect(registry.put('t', first)).toBeUndefined();
    expect(registry.put('t', second)).toBe(first);
    expect(registry.size).toBe(1);
    expect(registry.remove('t', first)).toBe(false);
    expect(registry.get('t')).toBe(second);
    expect(registry.remove('t', second)).toBe(true);
    expect(registry.size).toBe(0);
  });

  it('refuses a bucket count that is not a positive integer', () => {
    expect(() => new ConnectionRegistry(0)).toThrow(RangeError);
  });
});
