import type { KvBucket } from '@pushsync/platform';
import { nonceStoreKey, type NonceStore } from '@pushsync/tenancy';

/** Remembers nonces in a KV bucket shared by every api-gateway node; `create()` fails for a nonce seen before. */
export class KvNonceStore implements NonceStore {
  public static readonly BUCKET = { name: 'tenant_nonces', ttlMs: 30 * 60_000 };

  public constructor(private readonly bucket: KvBucket) {}

  public async claim(scope: string, nonce: string, ttlMs: number): Promise<boolean> {
    if (ttlMs > KvNonceStore.BUCKET.ttlMs) throw new Error(`nonce bucket keeps entries ${KvNonceStore.BUCKET.ttlMs} ms, ${ttlMs} ms asked`);
    return (await this.bucket.create(nonceStoreKey(scope, nonce), new Uint8Array([1]))) !== null;
  }
}
