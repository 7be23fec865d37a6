import { SqliteStore } from '@pushsync/platform';
import { OperationRecordRepository, TenantAppRepository, type TenantApp } from '@pushsync/tenancy';
import { SyncConfigRepository } from '../configs/sync-config.repository';
import { SyncConfigs } from '../configs/sync-configs';
import { ConfigDirectory } from './config-directory';

const APP = { workspaceId: 'ws1', appId: 'app1' };
const INSTANCE_ID = 'ws1_app1';

describe('ConfigDirectory', () => {
  let store: SqliteStore;
  let configs: SyncConfigs;
  let directory: ConfigDirectory;
  let now: number;

  beforeEach(async () => {
    now = 1_700_000_000_000;
    store = new SqliteStore(':memory:');
    const apps = await TenantAppRepository.open(store);
    await apps.insert({ _id: INSTANCE_ID, ...APP, name: 'a', status: 'active', apiEnabled: true, signatureEnabled: true, clientKey: 'k', rsaPublicKey: null, timeZone: '+08:00', retentionDays: 30, createdAt: 0, updatedAt: 0 } satisfies TenantApp);
    const repository = await SyncConfigRepository.open(store);
    configs = new SyncConfigs(repository, apps, await OperationRecordRepository.open(store), () => now);
    await configs.create(APP, 'op', { bizType: 'LOCK', description: 'locks', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    directory = new ConfigDirectory(repository, { now: () => now }, 5000);
  });

  afterEach(() => store.close());

  it('answers from its cache within the ttl, and reads again once told the app changed', async () => {
    expect((await directory.onlineConfig(APP, 'LOCK'))?.bizType).toBe('LOCK');
    await configs.setStatus(APP, 'op', 'LOCK', 'OFFLINE');
    expect((await directory.onlineConfig(APP, 'LOCK'))?.bizType).toBe('LOCK');
    directory.forget(INSTANCE_ID);
    expect(await directory.onlineConfig(APP, 'LOCK')).toBeNull();
  });

  it('reads again after the ttl without being told', async () => {
    expect(await directory.online(APP)).toHaveLength(1);
    await configs.setStatus(APP, 'op', 'LOCK', 'OFFLINE');
    now += 5001;
    expect(await directory.online(APP)).toHaveLength(0);
  });

  it('looks a bizType missing from the cached list up again at once', async () => {
    expect(await directory.onlineConfig(APP, 'CHAT')).toBeNull();
    await configs.create(APP, 'op', { bizType: 'CHAT', description: 'chat', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    expect((await directory.onlineConfig(APP, 'CHAT'))?.bizType).toBe('CHAT');
  });
});
