import { SqliteStore, ValidationError } from '@pushsync/platform';
import { PlatformKeys } from '../apps/platform-keys';
import type { TenantApp } from '../apps/tenant-app';
import { TenantAppRepository } from '../apps/tenant-app.repository';
import { AccessKeyRepository } from '../keys/access-key.repository';
import { OperationRecordRepository } from '../operations/operation-record.repository';
import { AdminKeyRepository } from './admin-key.repository';
import type { Operator } from './operator';
import { TenantAdministration } from './tenant-administration';

const OWNER: Operator = { id: 'owner1', role: 'owner', apps: [] };

describe('receipt settings (mps.md §3.19 Callback API configuration)', () => {
  let store: SqliteStore;
  let apps: TenantAppRepository;
  let operations: OperationRecordRepository;
  let administration: TenantAdministration;
  let now: number;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = 1000;
    apps = await TenantAppRepository.open(store);
    operations = await OperationRecordRepository.open(store);
    administration = new TenantAdministration(apps, await AccessKeyRepository.open(store), await AdminKeyRepository.open(store), operations, new PlatformKeys(apps, () => now), () => now);
  });

  afterEach(() => store.close());

  const settingsRecords = async () =>
    (await operations.query({ from: 0, to: now + 1, limit: 100 })).filter((record) => record.action === 'APP_SETTINGS_CHANGE').map((record) => record.details);

  it('starts off with no URL', async () => {
    expect(await administration.createApp(OWNER, { appId: 'app1', workspaceId: 'ws1' })).toMatchObject({ receiptStatus: false, receiptUrl: null });
  });

  it('turns receipts on with a URL and off again, one operation record per changed field', async () => {
    await administration.createApp(OWNER, { appId: 'app1', workspaceId: 'ws1' });
    now += 1000;
    const on = await administration.changeSettings(OWNER, 'ws1', 'app1', { receiptStatus: true, receiptUrl: 'https://tenant.example/receipts' });
    expect(on).toMatchObject({ receiptStatus: true, receiptUrl: 'https://tenant.example/receipts' });
    now += 1000;
    await administration.changeSettings(OWNER, 'ws1', 'app1', { receiptStatus: false });
    expect(await apps.find('ws1', 'app1')).toMatchObject({ receiptStatus: false, receiptUrl: 'https://tenant.example/receipts' });
    const [off, ...turnedOn] = await settingsRecords();
    expect(off).toEqual({ receiptStatus: { from: true, to: false } });
    // Both fields changed in the same second: their records tie on time.
    expect(turnedOn).toHaveLength(2);
    expect(turnedOn).toEqual(expect.arrayContaining([{ receiptStatus: { from: false, to: true } }, { receiptUrl: { from: null, to: 'https://tenant.example/receipts' } }]));
  });

  it('refuses receipts on without a URL, and clearing the URL while they are on', async () => {
    await administration.createApp(OWNER, { appId: 'app1', workspaceId: 'ws1' });
    await expect(administration.changeSettings(OWNER, 'ws1', 'app1', { receiptStatus: true })).rejects.toThrow(new ValidationError('receiptUrl is required while receiptStatus is on'));
    await administration.changeSettings(OWNER, 'ws1', 'app1', { receiptStatus: true, receiptUrl: 'https://tenant.example/r' });
    await expect(administration.changeSettings(OWNER, 'ws1', 'app1', { receiptUrl: null })).rejects.toBeInstanceOf(ValidationError);
    expect(await apps.find('ws1', 'app1')).toMatchObject({ receiptStatus: true, receiptUrl: 'https://tenant.example/r' });
  });

  it('treats an app stored before receipts existed as off with no URL', async () => {
    const legacy: TenantApp = { _id: 'ws1_old', appId: 'old', workspaceId: 'ws1', name: 'old', status: 'active', apiEnabled: true, signatureEnabled: true, clientKey: 'k', rsaPublicKey: null, timeZone: '+08:00', retentionDays: 30, createdAt: 0, updatedAt: 0 };
    await apps.insert(legacy);
    await administration.changeSettings(OWNER, 'ws1', 'old', { receiptStatus: false, receiptUrl: null });
    expect(await settingsRecords()).toEqual([]);
    await expect(administration.changeSettings(OWNER, 'ws1', 'old', { receiptStatus: true })).rejects.toBeInstanceOf(ValidationError);
  });
});
