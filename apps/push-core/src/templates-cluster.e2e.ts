import { randomBytes } from 'node:crypto';
import { clusterEnv, uniqueName } from '@pushsync/platform/testing';
import { AdminClient, ServiceProcess, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `clusterowner.${randomBytes(24).toString('base64url')}`;
const SERVICES = ['api-gateway', 'sync-core', 'push-core'] as const;
type Service = (typeof SERVICES)[number];

/** Templates in cluster mode: api-gateway calls push-core over gRPC, push-core keeps them in MongoDB. */
describe('cluster: message templates through api-gateway and push-core', () => {
  const infra = clusterEnv();
  const mongoUrl = infra.mongoUrl.replace(/\/[^/]*$/, `/${uniqueName('templates')}`);
  const httpPorts = {} as Record<Service, number>;
  const grpcPorts = { 'sync-core': 0, 'push-core': 0 };
  const processes = {} as Record<Service, ServiceProcess>;
  let admin: AdminClient;
  let gateway: string;

  const envOf = (service: Service): Record<string, string> => ({
    PUSHSYNC_MODE: 'cluster',
    NATS_URL: infra.natsUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MONGO_URL: mongoUrl,
    HTTP_PORT: String(httpPorts[service]),
    NODE_ID: `${service}-templates-e2e`,
    PUSHSYNC_ADMIN_KEY: OWNER,
    ...(service === 'api-gateway' ? { SYNC_CORE_GRPC: `127.0.0.1:${grpcPorts['sync-core']}`, PUSH_CORE_GRPC: `127.0.0.1:${grpcPorts['push-core']}` } : { GRPC_LISTEN: `127.0.0.1:${grpcPorts[service]}` }),
  });
  const readyz = (service: Service) => `http://127.0.0.1:${httpPorts[service]}/readyz`;
  const launch = async (service: Service) => {
    processes[service] = new ServiceProcess(service, envOf(service)).start();
    await processes[service].waitUntilReady(readyz(service), 60_000);
  };

  beforeAll(async () => {
    for (const service of SERVICES) httpPorts[service] = await freePort();
    grpcPorts['sync-core'] = await freePort();
    grpcPorts['push-core'] = await freePort();
    gateway = `http://127.0.0.1:${httpPorts['api-gateway']}`;
    admin = new AdminClient(gateway, OWNER);
    await Promise.all([launch('sync-core'), launch('push-core')]);
    await launch('api-gateway');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(processes).map((p) => p.stop().catch(() => undefined)));
  }, 60_000);

  it('reads back a template created through api-gateway after kill -9 and restart of push-core, with codes intact over gRPC', async () => {
    const tenant = await admin.newTenant('app-tpl-cluster', 'wsc');
    const app = { appId: 'app-tpl-cluster', workspaceId: 'wsc' };
    const client = new TenantClient(gateway, tenant.accessKeyId, tenant.accessKeySecret);
    const created = await client.post<{ template: Record<string, unknown> }>('/v1/templates', { ...app, name: 'durable', title: 'Hi #name#', content: 'Won #money#', uri: 'https://e.com/#name#' });
    expect(created.status).toBe(201);
    const duplicate = await client.post('/v1/templates', { ...app, name: 'durable', title: 't', content: 'c' });
    expect([duplicate.status, duplicate.body.code, duplicate.body.numericCode]).toEqual([400, 'TEMPLATE_ALREADY_EXIST', 3036]);

    await processes['push-core'].kill9();
    await launch('push-core');
    await processes['api-gateway'].waitUntilReady(readyz('api-gateway'), 60_000);

    const got = await client.get<{ code: string; template: Record<string, unknown> }>('/v1/templates/durable', app);
    expect([got.status, got.body.code, got.body.template]).toEqual([200, 'OK', created.body.template]);
    const missing = await client.get('/v1/templates/none', app);
    expect([missing.status, missing.body.code, missing.body.numericCode]).toEqual([404, 'TEMPLATE_NOT_EXIST', 3022]);
  }, 120_000);
});
