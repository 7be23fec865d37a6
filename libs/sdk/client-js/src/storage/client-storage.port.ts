/** What the client persists between runs: the device token and the sync points. */
export interface StoredClientState {
  /** The token the gateway issued at the first handshake; resent at every handshake. */
  deviceToken?: string;
  /** The highest acknowledged oplog id per (bizType, channel key); resent at every handshake. */
  syncPoints: StoredSyncPoint[];
}

export interface StoredSyncPoint {
  bizType: string;
  /** The channel key: the userId, the device token or "*" (DECISIONS D3). */
  key: string;
  oplogId: number;
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
  return deviceToken === undefined ? { syncPoints } : { deviceToken, syncPoints };
}

export function copyState(state: StoredClientState): StoredClientState {
  const copy: StoredClientState = { syncPoints: state.syncPoints.map((point) => ({ ...point })) };
  if (state.deviceToken !== undefined) copy.deviceToken = state.deviceToken;
  return copy;
}
