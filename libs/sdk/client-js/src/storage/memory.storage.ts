import { type ClientStorage, copyState, type StoredClientState } from './client-storage.port';

/** Keeps the state in memory only: a new process starts without a token and from sync point 0. */
export class MemoryStorage implements ClientStorage {
  private state: StoredClientState | undefined;

  public constructor(initial?: StoredClientState) {
    this.state = initial ? copyState(initial) : undefined;
  }

  public async load(): Promise<StoredClientState | undefined> {
    return this.state ? copyState(this.state) : undefined;
  }

  public async save(state: StoredClientState): Promise<void> {
    this.state = copyState(state);
  }
}
