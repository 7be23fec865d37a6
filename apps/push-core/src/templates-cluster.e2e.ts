import { randomBytes } from 'node:crypto';
import { AdminClient, ClusterProcesses, TenantClient } from '@pushsync/testing';

const OWNER = `clusterowner.${randomBytes(24).toString('base64url')}`;

/** Templates in cluster mode: api-gateway calls push-core over gRPC, push-core keeps them in MongoDB. */
describe('cluster: message templates through api-gateway and push-core', () => {
  const cluster = new ClusterProcesses('templates-e2e', OWNER);
  let admin: AdminClient;
  let gateway: string;

  beforeAll(async () => {
    await cluster.start(['sync-core', 'push-core', 'api-gateway']);
    gateway = cluster.baseUrl('api-gateway');
    admin = new AdminClient(gateway, OWNER);
  }, 120_000);

  afterAll(() => cluster.stopAll(), 60_000);

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
});
