import { randomBytes } from 'node:crypto';
import { AdminClient, ClusterProcesses, TenantClient } from '@pushsync/testing';

const OWNER = `cfgowner.${randomBytes(24).toString('base64url')}`;

/** Sync configurations in cluster mode: api-gateway -> gRPC -> sync-core on the MongoDB-compatible store, surviving kill -9 of sync-core. */
describe('cluster: sync configurations through api-gateway and sync-core', () => {
  const cluster = new ClusterProcesses('cfg', OWNER);
  let gateway: string;

  beforeAll(async () => {
    await cluster.start(['sync-core', 'push-core', 'api-gateway']);
    gateway = cluster.baseUrl('api-gateway');
  }, 120_000);

  afterAll(() => cluster.dispose(), 60_000);

  it('keeps a configuration created through api-gateway across kill -9 and restart of sync-core, with its operation record', async () => {
    const admin = new AdminClient(gateway, OWNER);
    const tenant = await admin.newTenant('app-cfg', 'wsc');
    const app = { appId: 'app-cfg', workspaceId: 'wsc' };
    const client = new TenantClient(gateway, tenant.accessKeyId, tenant.accessKeySecret);

    const created = await client.post<{ code: string; config: Record<string, unknown> }>('/v1/sync/configs', { ...app, bizType: 'ORDERS', description: 'order updates', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: false, persistent: true, threshold: 300 });
    expect([created.status, created.body.code]).toEqual([201, 'SUCCESS']);
    // Unset optional fields cross gRPC as unset: the device-only nulls stay null, defaults apply.
    expect(created.body.config).toMatchObject({ multiDevice: false, persistent: true, repushMode: 'THRESHOLD', threshold: 300, userConsistency: false, status: 'ONLINE' });
    const refused = await client.patch('/v1/sync/configs/ORDERS', { ...app, pushObject: 'DEVICE' });
    expect([refused.status, refused.body.code]).toEqual([400, 'CONFIG_FIELD_IMMUTABLE']);
    const global = await client.post<{ config: Record<string, unknown> }>('/v1/sync/configs', { ...app, bizType: 'NEWS', description: 'news', pushRange: 'GLOBAL', pushObject: 'DEVICE' });
    expect(global.body.config).toMatchObject({ multiDevice: true, persistent: true, threshold: 100, userConsistency: null });

    await cluster.process('sync-core').kill9();
    await cluster.launch('sync-core');
    await cluster.process('api-gateway').waitUntilReady(cluster.readyz('api-gateway'));

    const after = await client.get<{ code: string; config: Record<string, unknown> }>('/v1/sync/configs/ORDERS', app);
    expect([after.status, after.body.code]).toEqual([200, 'SUCCESS']);
    expect(after.body.config).toEqual(created.body.config);
    const twice = await client.post('/v1/sync/configs', { ...app, bizType: 'ORDERS', description: 'again', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: false, persistent: true });
    expect([twice.status, twice.body.code]).toEqual([409, 'CONFIG_EXISTS']);
    const records = await admin.call<{ operations: Array<{ action: string; operator: string }> }>('GET', '/admin/v1/operations?instanceId=wsc_app-cfg&action=NEW_CONFIGURATION');
    expect(records.body.operations.map((r) => [r.action, r.operator])).toEqual([
      ['NEW_CONFIGURATION', tenant.accessKeyId],
      ['NEW_CONFIGURATION', tenant.accessKeyId],
    ]);
  }, 120_000);
});
