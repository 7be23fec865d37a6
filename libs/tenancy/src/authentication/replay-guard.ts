import { NonceReplayedError } from './authentication.errors';
import { sha256Hex } from './signature-primitives';

/**
 * Remembers nonces for a while. A store shared by every api-gateway node (a KV bucket whose
 * `create()` returns null when the key exists) makes the replay check cluster-wide.
 */
export interface NonceStore {
  /**
   * Records `nonce` within `scope` for at least `ttlMs`; true when this is its first use.
   * Stores that persist keys should key by `nonceStoreKey(scope, nonce)`: scopes and nonces are
   * caller-supplied text, the key is a safe 64-character hex token.
   */
  claim(scope: string, nonce: string, ttlMs: number): Promise<boolean>;
}

export function nonceStoreKey(scope: string, nonce: string): string {
  // JSON keeps the pair unambiguous whatever characters either part holds.
  return sha256Hex(JSON.stringify([scope, nonce]));
}

/** D2: a nonce is never accepted twice within 15 minutes. */
export const NONCE_TTL_MS = 15 * 60_000;

export interface NonceClaim {
  /** The signature scheme, e.g. `PS-HMAC-SHA256`, `HMAC-SHA1`, `ACS3-HMAC-SHA256`. */
  scheme: string;
  accessKeyId: string;
  nonce: string;
  /** How the caller sent the nonce (`X-PS-Nonce`, `SignatureNonce`, ...), for the error message. */
  nonceField: string;
  /**
   * How long to remember it; never less than `NONCE_TTL_MS`. A face that accepts timestamps
   * within ±W must remember nonces for 2W, or a request signed W in the future could be
   * replayed after its nonce is forgotten but before its timestamp expires.
   */
  ttlMs?: number;
}

/**
 * Refuses a nonce already used by the same access key under the same scheme. Verifiers claim
 * only after the signature checks out, so nobody can burn another tenant's nonces.
 */
export class ReplayGuard {
  public constructor(private readonly store: NonceStore) {}

  public async claim({ scheme, accessKeyId, nonce, nonceField, ttlMs }: NonceClaim): Promise<void> {
    const rememberForMs = Math.max(NONCE_TTL_MS, ttlMs ?? 0);
    const firstUse = await this.store.claim(`${scheme}:${accessKeyId}`, nonce, rememberForMs);
    if (!firstUse) throw new NonceReplayedError(nonceField, nonce, rememberForMs);
  }
}
