/** What the client persists between runs: the device token, the sync points and the handled push msgIds. */
export interface StoredClientState {
  /** The token the gateway issued at the first handshake; resent at every handshake. */
  deviceToken?: string;
  /** The highest acknowledged oplog id per (bizType, channel key); resent at every handshake. */
  syncPoints: StoredSyncPoint[];
  /** Push messages already raised (or revoked), so that a re-send after a restart is not raised again. */
  pushMsgIds?: StoredPushMsgId[];
}

export interface StoredSyncPoint {
  bizType: string;
  /** The channel key: the userId, the device token or "*" (DECISIONS D3). */
  key: string;
  oplogId: number;
}

export interface StoredPushMsgId {
  msgId: string;
  /** The message's expiry, epoch ms; 0 when the server gave none. */
  expireAtMs: number;
}

/**
 * Pluggable persistence. load() is called once by initialize(); save() with the whole state after
 * every change (the client never runs two saves at once). Implementations: MemoryStorage,
 * LocalStorageStorage (browser), FileStorage (Node, from '@pushsync/client/node').
 */
export interface ClientStorage {
  load(): Promise<StoredClientState | undefined>;
  save(state: StoredClientState): Promise<void>;
}

/** A copy of `value` if it has the shape of StoredClientState, else undefined (corrupt or foreign data). */
export function parseStoredState(value: unknown): StoredClientState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const deviceToken = typeof record['deviceToken'] === 'string' && record['deviceToken'] !== '' ? record['deviceToken'] : undefined;
  const points = Array.isArray(record['syncPoints']) ? record['syncPoints'] : [];
  const syncPoints: StoredSyncPoint[] = [];
  for (const point of points as unknown[]) {
    if (typeof point !== 'object' || point === null) continue;
    const { bizType, key, oplogId } = point as Record<string, unknown>;
    if (typeof bizType === 'string' && typeof key === 'string' && Number.isSafeInteger(oplogId) && (oplogId as number) >= 0) {
      syncPoints.push({ bizType, key, oplogId: oplogId as number });
    }
  }
  const state: StoredClientState = deviceToken === undefined ? { syncPoints } : { deviceToken, syncPoints };
  if (Array.isArray(record['pushMsgIds'])) state.pushMsgIds = parsePushMsgIds(record['pushMsgIds'] as unknown[]);
  return state;
}

function parsePushMsgIds(entries: unknown[]): StoredPushMsgId[] {
  const pushMsgIds: StoredPushMsgId[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { msgId, expireAtMs } = entry as Record<string, unknown>;
    if (typeof msgId === 'string' && msgId !== '' && Number.isSafeInteger(expireAtMs) && (expireAtMs as number) >= 0) {
      pushMsgIds.push({ msgId, expireAtMs: expireAtMs as number });
    }
  }
  return pushMsgIds;
}

export function copyState(state: StoredClientState): StoredClientState {
  const copy: StoredClientState = { syncPoints: state.syncPoints.map((point) => ({ ...point })) };
  if (state.deviceToken !== undefined) copy.deviceToken = state.deviceToken;
  if (state.pushMsgIds !== undefined) copy.pushMsgIds = state.pushMsgIds.map((entry) => ({ ...entry }));
  return copy;
}
