import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ClientStorage, parseStoredState, type StoredClientState } from './client-storage.port';

/**
 * Node persistence: the state as a JSON file. A save writes a temporary file next to it and renames
 * it over the old one, so a crash leaves either the old or the new state, never a torn file.
 */
export class FileStorage implements ClientStorage {
  public constructor(private readonly path: string) {}

  public async load(): Promise<StoredClientState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return parseStoredState(JSON.parse(text));
    } catch {
      return undefined;
    }
  }

  public async save(state: StoredClientState): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }
}
