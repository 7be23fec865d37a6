import { CachedAppDirectory, type AppDirectory, type AppEntry } from './app-directory';

class CountingDirectory implements AppDirectory {
  public reads = 0;
  public failNext = false;
  public readonly apps = new Map<string, AppEntry>([['ws_a', { status: 'active', clientKey: 'k1' }]]);

  public async find(workspaceId: string, appId: string): Promise<AppEntry | null> {
    this.reads += 1;
    if (this.failNext) {
      this.failNext = false;
      throw new Error('store down');
    }
    return this.apps.get(`${workspaceId}_${appId}`) ?? null;
  }
}

describe('CachedAppDirectory', () => {
  let now: number;
  let source: CountingDirectory;
  let directory: CachedAppDirectory;

  beforeEach(() => {
    now = 0;
    source = new CountingDirectory();
    directory = new CachedAppDirectory(source, 5000, () => now);
  });

  it('reads each app once per interval, concurrent handshakes included, unknown apps too', async () => {
    await Promise.all(Array.from({ length: 50 }, () => directory.find('ws', 'a')));
    expect(await directory.find('ws', 'nope')).toBeNull();
    expect(await directory.find('ws', 'nope')).toBeNull();
    expect(source.reads).toBe(2);
  });

  it('sees a changed client key once the interval has passed', async () => {
    expect((await directory.find('ws', 'a'))?.clientKey).toBe('k1');
    source.apps.set('ws_a', { status: 'active', clientKey: 'k2' });
    now = 4999;
    expect((await directory.find('ws', 'a'))?.clientKey).toBe('k1');
    now = 5000;
    expect((await directory.find('ws', 'a'))?.clientKey).toBe('k2');
  });

  it('does not remember a failed read', async () => {
    source.failNext = true;
    await expect(directory.find('ws', 'a')).rejects.toThrow('store down');
    expect((await directory.find('ws', 'a'))?.status).toBe('active');
    expect(source.reads).toBe(2);
  });
});
