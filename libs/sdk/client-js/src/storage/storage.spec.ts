import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage } from './file.storage.node';
import { LocalStorageStorage, type WebStorageLike } from './local-storage.storage';
import { MemoryStorage } from './memory.storage';

const STATE = { deviceToken: 'token-1', syncPoints: [{ bizType: 'B', key: '*', oplogId: 12 }] };

describe('client storage', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pushsync-storage-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('MemoryStorage keeps copies', async () => {
    const storage = new MemoryStorage();
    expect(await storage.load()).toBeUndefined();
    const state = structuredClone(STATE);
    await storage.save(state);
    state.syncPoints[0]!.oplogId = 99;
    expect(await storage.load()).toEqual(STATE);
  });

  it('FileStorage writes JSON atomically (temp file + rename) and reads it back', async () => {
    const path = join(directory, 'nested', 'client.json');
    const storage = new FileStorage(path);
    expect(await storage.load()).toBeUndefined();
    await Promise.all([storage.save(STATE), storage.save({ ...STATE, deviceToken: 'token-2' })]);
    expect((await new FileStorage(path).load())?.syncPoints).toEqual(STATE.syncPoints);
    expect(await readdir(join(directory, 'nested'))).toEqual(['client.json']);
    expect(JSON.parse(await readFile(path, 'utf8'))).toHaveProperty('deviceToken');
  });

  it('FileStorage treats a corrupt or foreign file as no state, and drops malformed points', async () => {
    const path = join(directory, 'client.json');
    await writeFile(path, '{not json');
    expect(await new FileStorage(path).load()).toBeUndefined();
    await writeFile(path, JSON.stringify({ deviceToken: 5, syncPoints: [{ bizType: 'B', key: '*', oplogId: -1 }, { bizType: 'C', key: 'u', oplogId: 3 }, null] }));
    expect(await new FileStorage(path).load()).toEqual({ syncPoints: [{ bizType: 'C', key: 'u', oplogId: 3 }] });
  });

  it('keeps the handled push msgIds, drops malformed ones, and reads state written before they existed', async () => {
    const path = join(directory, 'client.json');
    await writeFile(
      path,
      JSON.stringify({
        syncPoints: [],
        pushMsgIds: [{ msgId: 'm-1', expireAtMs: 1_800_000_000_000 }, { msgId: 'm-2', expireAtMs: 0 }, { msgId: '', expireAtMs: 0 }, { msgId: 'm-3', expireAtMs: -5 }, 'm-4'],
      }),
    );
    expect(await new FileStorage(path).load()).toEqual({
      syncPoints: [],
      pushMsgIds: [
        { msgId: 'm-1', expireAtMs: 1_800_000_000_000 },
        { msgId: 'm-2', expireAtMs: 0 },
      ],
    });
    const memory = new MemoryStorage({ syncPoints: [], pushMsgIds: [{ msgId: 'm-1', expireAtMs: 0 }] });
    const loaded = await memory.load();
    loaded!.pushMsgIds![0]!.msgId = 'changed';
    expect((await memory.load())?.pushMsgIds).toEqual([{ msgId: 'm-1', expireAtMs: 0 }]);
    await writeFile(path, JSON.stringify(STATE));
    expect(await new FileStorage(path).load()).toEqual(STATE);
  });

  it('LocalStorageStorage keeps the state as JSON under its key', async () => {
    const items = new Map<string, string>();
    const web: WebStorageLike = { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value) };
    const storage = new LocalStorageStorage('pushsync:app:default', web);
    expect(await storage.load()).toBeUndefined();
    await storage.save(STATE);
    expect(JSON.parse(items.get('pushsync:app:default')!)).toEqual(STATE);
    expect(await storage.load()).toEqual(STATE);
    await expect(new LocalStorageStorage().load()).rejects.toThrow(/no localStorage/);
  });
});
