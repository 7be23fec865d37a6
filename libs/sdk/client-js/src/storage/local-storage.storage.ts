import { type ClientStorage, parseStoredState, type StoredClientState } from './client-storage.port';

/** The part of the Web Storage API used here (window.localStorage, sessionStorage or a stand-in). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Browser persistence: the state as JSON under one key of window.localStorage. Use one key per
 * app (the default includes nothing app-specific), e.g. `pushsync:${appId}:${workspaceId}`.
 */
export class LocalStorageStorage implements ClientStorage {
  public constructor(
    private readonly key = 'pushsync:client',
    private readonly storage?: WebStorageLike,
  ) {}

  public async load(): Promise<StoredClientState | undefined> {
    const text = this.webStorage().getItem(this.key);
    if (text === null) return undefined;
    try {
      return parseStoredState(JSON.parse(text));
    } catch {
      return undefined;
    }
  }

  public async save(state: StoredClientState): Promise<void> {
    this.webStorage().setItem(this.key, JSON.stringify(state));
  }

  private webStorage(): WebStorageLike {
    const storage = this.storage ?? (globalThis as { localStorage?: WebStorageLike }).localStorage;
    if (!storage) throw new Error('no localStorage in this environment: pass a WebStorageLike to LocalStorageStorage');
    return storage;
  }
}
