import { randomBytes } from 'node:crypto';
import { AdminClient, ClusterProcesses, TenantClient } from '@pushsync/testing';

const OWNER = `clusterowner.${randomBytes(24).toString('base64url')}`;

/** push-core in cluster mode: api-gateway calls it over gRPC, it keeps its data in MongoDB. */
describe('cluster: push-core through api-gateway (templates, device binding)', () => {
  const cluster = new ClusterProcesses('templates-e2e', OWNER);
  let admin: AdminClient;
  let gateway: string;

  beforeAll(async () => {
    await cluster.start(['sync-core', 'push-core', 'api-gateway']);
    gateway = cluster.baseUrl('api-gateway');
    admin = new AdminClient(gateway, OWNER);
  }, 120_000);

  afterAll(() => cluster.dispose(), 60_000);

  it('reads back a template created through api-gateway after kill -9 and restart of push-core, with codes intact over gRPC', async () => {
    const tenant = await admin.newTenant('app-tpl-cluster', 'wsc');
    const app = { appId: 'app-tpl-cluster', workspaceId: 'wsc' };
    const client = new TenantClient(gateway, tenant.accessKeyId, tenant.accessKeySecret);
    const created = await client.post<{ template: Record<string, unknown> }>('/v1/templates', { ...app, name: 'durable', title: 'Hi #name#', content: 'Won #money#', uri: 'https://e.com/#name#' });
    expect(created.status).toBe(201);
    const duplicate = await client.post('/v1/templates', { ...app, name: 'durable', title: 't', content: 'c' });
    expect([duplicate.status, duplicate.body.code, duplicate.body.numericCode]).toEqual([400, 'TEMPLATE_ALREADY_EXIST', 3036]);

    await cluster.process('push-core').kill9();
    await cluster.launch('push-core');
    await cluster.process('api-gateway').waitUntilReady(cluster.readyz('api-gateway'), 60_000);

    const got = await client.get<{ code: string; template: Record<string, unknown> }>('/v1/templates/durable', app);
    expect([got.status, got.body.code, got.body.template]).toEqual([200, 'OK', created.body.template]);
    const missing = await client.get('/v1/templates/none', app);
    expect([missing.status, missing.body.code, missing.body.numericCode]).toEqual([404, 'TEMPLATE_NOT_EXIST', 3022]);
  }, 120_000);

  it('reports a device over the client endpoint and binds it with a signed REST call, over gRPC to push-core', async () => {
    const tenant = await admin.newTenant('app-bind-cluster', 'wsc');
    const app = { appId: 'app-bind-cluster', workspaceId: 'wsc' };
    const { clientKey } = tenant;
    const reported = await fetch(`${gateway}/client/v1/devices/report`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...app, clientKey, platform: 'IOS', vendor: 'APNS', vendorToken: 'apns-token-1' }),
    });
    const report = (await reported.json()) as { success: boolean; code: number; deliveryToken: string };
    expect([reported.status, report.success, report.code]).toEqual([200, true, 100]);
    const client = new TenantClient(gateway, tenant.accessKeyId, tenant.accessKeySecret);
    const bound = await client.post<{ code: string; result: { code: number } }>('/v1/devices/bind', { ...app, deliveryToken: report.deliveryToken, userId: 'alice' });
    expect([bound.status, bound.body.code, bound.body.result.code]).toEqual([200, 'OK', 100]);
    const unknown = await client.post('/v1/devices/bind', { ...app, deliveryToken: 'AAAAAAAAAAAAAAAAAAAAAA', userId: 'alice' });
    expect([unknown.status, unknown.body.numericCode]).toEqual([400, 3054]);
  }, 60_000);
});
