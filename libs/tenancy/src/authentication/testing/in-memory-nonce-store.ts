import { nonceStoreKey, type NonceStore } from '../replay-guard';

/** Nonces remembered forever: enough for one test. */
export class InMemoryNonceStore implements NonceStore {
  private readonly seen = new Set<string>();

  public async claim(scope: string, nonce: string): Promise<boolean> {
    const key = nonceStoreKey(scope, nonce);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }
}
