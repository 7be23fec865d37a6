import { SqliteStore } from '@pushsync/platform';
import { AccessKeyRepository } from '../keys/access-key.repository';
import { AdminKeyRepository } from '../admin/admin-key.repository';
import type { Operator } from '../admin/operator';
import { TenantAdministration } from '../admin/tenant-administration';
import { PlatformKeys } from '../apps/platform-keys';
import { TenantAppRepository } from '../apps/tenant-app.repository';
import { DEFAULT_OPERATION_WINDOW_MS, MAX_OPERATION_ROWS, OperationRecordRepository, operationWindow } from './operation-record.repository';

const DAY_MS = 86_400_000;
const OWNER: Operator = { id: 'owner1', role: 'owner', apps: [] };

describe('operation records', () => {
  let store: SqliteStore;
  let operations: OperationRecordRepository;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    operations = await OperationRecordRepository.open(store);
  });

  afterEach(() => store.close());

  it('defaults to the last 7 days up to now, and keeps a given range', () => {
    const now = 100 * DAY_MS;
    expect(DEFAULT_OPERATION_WINDOW_MS).toBe(7 * DAY_MS);
    expect(operationWindow({}, now)).toEqual({ from: now - 7 * DAY_MS, to: now });
    expect(operationWindow({ to: 50 * DAY_MS }, now)).toEqual({ from: 43 * DAY_MS, to: 50 * DAY_MS });
    expect(operationWindow({ from: 1, to: 2 }, now)).toEqual({ from: 1, to: 2 });
  });

  it('lists the default window newest first, and never more than 1000 rows', async () => {
    const now = 100 * DAY_MS;
    await operations.record({ instanceId: 'ws_a', operator: 'op', action: 'NEW_SYNC', at: now - 8 * DAY_MS, details: {} });
    for (let i = 0; i < MAX_OPERATION_ROWS + 5; i++) await operations.record({ instanceId: 'ws_a', operator: 'op', action: 'NEW_SYNC', at: now - DAY_MS + i, details: { i } });

    const rows = await operations.query({ instanceId: 'ws_a', ...operationWindow({}, now), limit: 5000 });
    expect(MAX_OPERATION_ROWS).toBe(1000);
    expect(rows).toHaveLength(1000);
    expect(rows[0]!.details).toEqual({ i: MAX_OPERATION_ROWS + 4 });
    expect(rows.every((row) => row.at >= now - 7 * DAY_MS)).toBe(true);
  });

  it('records the signature switch as Open / Close Signature and the API switch as API_SWITCH_CHANGE', async () => {
    const apps = await TenantAppRepository.open(store);
    const administration = new TenantAdministration(apps, await AccessKeyRepository.open(store), await AdminKeyRepository.open(store), operations, new PlatformKeys(apps, () => 5), () => 5);
    await administration.createApp(OWNER, { appId: 'app1', workspaceId: 'ws1' });
    await administration.changeSettings(OWNER, 'ws1', 'app1', { signatureEnabled: false });
    await administration.changeSettings(OWNER, 'ws1', 'app1', { signatureEnabled: true, apiEnabled: false });

    const rows = await operations.query({ instanceId: 'ws1_app1', from: 0, to: 10, limit: 10 });
    expect(rows.map((row) => [row.action, row.details])).toEqual(
      expect.arrayContaining([
        ['CLOSE_SIGNATURE', { signatureEnabled: { from: true, to: false } }],
        ['OPEN_SIGNATURE', { signatureEnabled: { from: false, to: true } }],
        ['API_SWITCH_CHANGE', { apiEnabled: { from: true, to: false } }],
      ]),
    );
  });
});
