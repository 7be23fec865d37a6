import { NONCE_TTL_MS, ReplayGuard, nonceStoreKey, type NonceStore } from './replay-guard';

/** Remembers each key until `now() + ttlMs`, like a KV bucket entry with a TTL. */
class InMemoryNonceStore implements NonceStore {
  public readonly claims: Array<{ scope: string; nonce: string; ttlMs: number }> = [];
  private readonly expiries = new Map<string, number>();
  public constructor(private readonly clock: { now(): number }) {}

  public async claim(scope: string, nonce: string, ttlMs: number): Promise<boolean> {
    this.claims.push({ scope, nonce, ttlMs });
    const key = nonceStoreKey(scope, nonce);
    const expiry = this.expiries.get(key);
    if (expiry !== undefined && expiry > this.clock.now()) return false;
    this.expiries.set(key, this.clock.now() + ttlMs);
    return true;
  }
}

describe('ReplayGuard', () => {
  let now: number;
  let store: InMemoryNonceStore;
  let guard: ReplayGuard;
  const claim = { scheme: 'PS-HMAC-SHA256', accessKeyId: 'AK1', nonce: 'abcdefghijklmnop', nonceField: 'X-PS-Nonce' };

  beforeEach(() => {
    now = Date.parse('2026-11-22T04:10:18Z');
    store = new InMemoryNonceStore({ now: () => now });
    guard = new ReplayGuard(store);
  });

  it('accepts a nonce once and refuses it again, naming the field and the nonce', async () => {
    await expect(guard.claim(claim)).resolves.toBeUndefined();
    await expect(guard.claim(claim)).rejects.toMatchObject({
      code: 'NONCE_REPLAYED',
      message: 'X-PS-Nonce "abcdefghijklmnop" was already used in the last 15 min; every request needs a fresh nonce',
    });
  });

  it('scopes nonces per access key and per scheme', async () => {
    await guard.claim(claim);
    await expect(guard.claim({ ...claim, accessKeyId: 'AK2' })).resolves.toBeUndefined();
    await expect(guard.claim({ ...claim, scheme: 'PS-RSA-SHA256' })).resolves.toBeUndefined();
    expect(store.claims.map(({ scope }) => scope)).toEqual(['PS-HMAC-SHA256:AK1', 'PS-HMAC-SHA256:AK2', 'PS-RSA-SHA256:AK1']);
  });

  it('asks the store to remember for 15 minutes, or longer when the face asks', async () => {
    await guard.claim({ ...claim, ttlMs: 60_000 });
    await guard.claim({ ...claim, nonce: 'second-nonce-0001', ttlMs: 30 * 60_000 });
    expect(store.claims.map(({ ttlMs }) => ttlMs)).toEqual([NONCE_TTL_MS, 30 * 60_000]);
  });

  it('accepts the nonce again once the store has forgotten it', async () => {
    await guard.claim(claim);
    now += NONCE_TTL_MS - 1;
    await expect(guard.claim(claim)).rejects.toMatchObject({ code: 'NONCE_REPLAYED' });
    now += 2;
    await expect(guard.claim(claim)).resolves.toBeUndefined();
  });
});

describe('nonceStoreKey', () => {
  it('is a 64-digit hex token whatever the scope and nonce hold', () => {
    expect(nonceStoreKey('HMAC-SHA1:LTAI.x y', 'a.b>*c\n')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps scope and nonce apart', () => {
    expect(nonceStoreKey('S:a', 'b:c')).not.toBe(nonceStoreKey('S:a:b', 'c'));
    expect(nonceStoreKey('S:a', 'b')).toBe(nonceStoreKey('S:a', 'b'));
  });
});
