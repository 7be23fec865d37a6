import { type StoredPushMsgId } from '../storage/client-storage.port';

/**
 * The msgIds of push messages this device is done with (raised, or revoked before being raised),
 * each with its expiry (0 = none given). A re-send of one of them is acknowledged but not raised.
 * An entry is dropped once its message has expired (a re-send after that is dropped as expired
 * anyway) or, beyond `capacity`, oldest first.
 */
export class HandledPushIds {
  /** msgId -> expireAtMs, in insertion order. */
  private readonly ids = new Map<string, number>();

  public constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${String(capacity)}`);
  }

  public has(msgId: string): boolean {
    return this.ids.has(msgId);
  }

  public add(msgId: string, expireAtMs: number): void {
    this.ids.delete(msgId);
    this.ids.set(msgId, expireAtMs);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value!);
  }

  /** Forgets the entries whose message expired before `nowMs`. */
  public dropExpired(nowMs: number): void {
    for (const [msgId, expireAtMs] of this.ids) {
      if (isExpired(expireAtMs, nowMs)) this.ids.delete(msgId);
    }
  }

  public toStored(): StoredPushMsgId[] {
    return [...this.ids].map(([msgId, expireAtMs]) => ({ msgId, expireAtMs }));
  }
}

/** 0 means the server gave no expiry. */
export function isExpired(expireAtMs: number, nowMs: number): boolean {
  return expireAtMs > 0 && expireAtMs < nowMs;
}
