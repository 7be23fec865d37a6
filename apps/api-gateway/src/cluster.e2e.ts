import { randomBytes } from 'node:crypto';
import RPCClient from '@alicloud/pop-core';
import { clusterEnv, uniqueName } from '@pushsync/platform/testing';
import { AdminClient, ClusterProcesses, ServiceProcess, TcpProxy, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `clusterowner.${randomBytes(24).toString('base64url')}`;
const SERVICES = ['api-gateway', 'sync-core', 'push-core', 'comet-gateway', 'channel-gateway', 'stats'] as const;

/** Every service as its own process against real NATS, Kafka and the MongoDB-compatible server from tools/infra. */
describe('cluster: one process per service on real NATS, Kafka and MongoDB', () => {
  const cluster = new ClusterProcesses('e2e', OWNER);
  let admin: AdminClient;
  let gateway: string;

  beforeAll(async () => {
    await cluster.start(SERVICES);
    gateway = cluster.baseUrl('api-gateway');
    admin = new AdminClient(gateway, OWNER);
  }, 120_000);

  afterAll(() => cluster.dispose(), 60_000);

  it('brings every service up, each reporting its dependencies ready', async () => {
    for (const service of SERVICES) {
      const report = (await (await fetch(cluster.readyz(service))).json()) as { ready: boolean; checks: Array<{ name: string }> };
      expect(report.ready).toBe(true);
      expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['store (mongodb)', 'stream (kafka)', 'bus (nats)']));
    }
  });

  it('authenticates a signed REST v1 call and reaches both cores over gRPC', async () => {
    const tenant = await admin.newTenant('app-cluster', 'wsc');
    const answer = await new TenantClient(gateway, tenant.accessKeyId, tenant.accessKeySecret).get<{ services: Array<{ service: string; nodeId: string; appKnown: boolean }> }>('/v1/status', {
      appId: 'app-cluster',
      workspaceId: 'wsc',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.services.map((s) => [s.service, s.nodeId, s.appKnown])).toEqual([
      ['sync-core', 'sync-core-e2e', true],
      ['push-core', 'push-core-e2e', true],
    ]);
  });

  it('accepts a call from the official @alicloud/pop-core client and refuses a forged one', async () => {
    const tenant = await admin.newTenant('app-pop', 'wsc');
    const client = new RPCClient({ accessKeyId: tenant.accessKeyId, accessKeySecret: tenant.accessKeySecret, endpoint: gateway, apiVersion: '2020-10-28' });
    const result = (await client.request('DescribeServiceStatus', { AppId: 'app-pop', WorkspaceId: 'wsc' }, { method: 'POST' })) as { ResultCode: string };
    expect(result.ResultCode).toBe('OK');
    const forged = new RPCClient({ accessKeyId: tenant.accessKeyId, accessKeySecret: 'forged', endpoint: gateway, apiVersion: '2020-10-28' });
    await expect(forged.request('DescribeServiceStatus', { AppId: 'app-pop', WorkspaceId: 'wsc' }, { method: 'POST' })).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
  });

  it('keeps apps, keys and used nonces across kill -9 of api-gateway', async () => {
    const tenant = await admin.newTenant('app-durable', 'wsc');
    const client = new TenantClient(gateway, tenant.accessKeyId, tenant.accessKeySecret);
    const nonce = randomBytes(12).toString('hex');
    expect((await client.get('/v1/status', { appId: 'app-durable', workspaceId: 'wsc' }, { nonce })).status).toBe(200);
    await cluster.process('api-gateway').kill9();
    await cluster.launch('api-gateway');
    expect((await client.get('/v1/status', { appId: 'app-durable', workspaceId: 'wsc' })).status).toBe(200);
    const replayed = await client.get('/v1/status', { appId: 'app-durable', workspaceId: 'wsc' }, { nonce });
    expect([replayed.status, replayed.body.code]).toEqual([401, 'NONCE_REPLAYED']);
  }, 90_000);

  it('reports a killed core instead of hiding it, and recovers when it is back', async () => {
    const tenant = await admin.newTenant('app-core-down', 'wsc');
    const client = new TenantClient(gateway, tenant.accessKeyId, tenant.accessKeySecret);
    await cluster.process('sync-core').kill9();
    const degraded = await client.get<{ services: Array<{ service: string; error?: string }> }>('/v1/status', { appId: 'app-core-down', workspaceId: 'wsc' });
    expect(degraded.status).toBe(200);
    expect(degraded.body.services[0].error).toMatch(/UNAVAILABLE/);
    expect((await fetch(cluster.readyz('api-gateway'))).status).toBe(503);
    await cluster.launch('sync-core');
    await cluster.process('api-gateway').waitUntilReady(cluster.readyz('api-gateway'));
    const healed = await client.get<{ services: Array<{ appKnown: boolean }> }>('/v1/status', { appId: 'app-core-down', workspaceId: 'wsc' });
    expect(healed.body.services.map((s) => s.appKnown)).toEqual([true, true]);
  }, 90_000);
});

describe('a service whose dependency is unreachable', () => {
  it('stays alive, is not ready, names what it waits for, and shuts down on SIGTERM', async () => {
    const infra = clusterEnv();
    const port = await freePort();
    const dead = await freePort();
    const service = new ServiceProcess('stats', {
      PUSHSYNC_MODE: 'cluster',
      NATS_URL: infra.natsUrl,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: `mongodb://127.0.0.1:${dead}/nothing`,
      HTTP_PORT: String(port),
    }).start();
    const deadline = Date.now() + 20_000;
    let report: { ready: boolean; reason?: string; checks: Array<{ name: string; ok: boolean }> } | undefined;
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        report = (await response.json()) as typeof report;
        if (report?.checks.some((c) => c.name === 'store (mongodb)' && !c.ok)) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(report?.ready).toBe(false);
    expect(report?.reason).toMatch(/waiting for/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(service.stdout).toMatch(/waiting for store \(mongodb\)/);
    expect(await service.stop()).toBe(0);
  }, 60_000);
});

describe('api-gateway losing MongoDB and NATS while running', () => {
  it('answers 503 SYSTEM_ERROR naming the dependency, reports not ready, and recovers when it is back', async () => {
    const infra = clusterEnv();
    const mongo = new URL(infra.mongoUrl);
    const mongoProxy = new TcpProxy({ host: mongo.hostname, port: Number(mongo.port || 27017) }, await freePort());
    const nats = new URL(infra.natsUrl.replace(/^nats:/, 'http:'));
    const natsProxy = new TcpProxy({ host: nats.hostname, port: Number(nats.port || 4222) }, await freePort());
    await mongoProxy.open();
    await natsProxy.open();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const owner = `lossowner.${randomBytes(24).toString('base64url')}`;
    const gateway = new ServiceProcess('api-gateway', {
      PUSHSYNC_MODE: 'cluster',
      NATS_URL: `nats://127.0.0.1:${natsProxy.port}`,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      MONGO_URL: `mongodb://127.0.0.1:${mongoProxy.port}/${uniqueName('loss')}`,
      HTTP_PORT: String(port),
      PUSHSYNC_ADMIN_KEY: owner,
      // No cores in this test: point the links at a closed port; readiness will name them.
      SYNC_CORE_GRPC: `127.0.0.1:${await freePort()}`,
      PUSH_CORE_GRPC: `127.0.0.1:${await freePort()}`,
    }).start();
    try {
      const admin = new AdminClient(base, owner);
      const deadline = Date.now() + 30_000;
      let created = await admin.call('POST', '/admin/v1/apps', { appId: 'app-loss', workspaceId: 'wsl' }).catch(() => ({ status: 0, body: {} }));
      while (created.status !== 201 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        created = await admin.call('POST', '/admin/v1/apps', { appId: 'app-loss', workspaceId: 'wsl' }).catch(() => ({ status: 0, body: {} }));
      }
      expect(created.status).toBe(201);

      await mongoProxy.cut();
      const refused = await admin.call('GET', '/admin/v1/apps');
      expect([refused.status, refused.body.code]).toEqual([503, 'SYSTEM_ERROR']);
      expect(String(refused.body.message)).toMatch(/mongodb/);
      const notReady = (await (await fetch(`${base}/readyz`)).json()) as { checks: Array<{ name: string; ok: boolean }> };
      expect(notReady.checks.find((c) => c.name === 'store (mongodb)')?.ok).toBe(false);

      await natsProxy.cut();
      const natsDown = (await (await fetch(`${base}/readyz`)).json()) as { checks: Array<{ name: string; ok: boolean }> };
      expect(natsDown.checks.find((c) => c.name === 'bus (nats)')?.ok).toBe(false);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);

      await mongoProxy.open();
      await natsProxy.open();
      let listed = await admin.call<{ apps: Array<{ instanceId: string }> }>('GET', '/admin/v1/apps');
      const recoverBy = Date.now() + 30_000;
      while (listed.status !== 200 && Date.now() < recoverBy) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        listed = await admin.call('GET', '/admin/v1/apps');
      }
      expect(listed.body.apps.map((a) => a.instanceId)).toEqual(['wsl_app-loss']);
      const recovered = Date.now() + 30_000;
      let checks: Array<{ name: string; ok: boolean }> = [];
      while (Date.now() < recovered) {
        checks = ((await (await fetch(`${base}/readyz`)).json()) as { checks: typeof checks }).checks;
        if (checks.filter((c) => !c.name.startsWith('link')).every((c) => c.ok)) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(checks.filter((c) => !c.name.startsWith('link')).every((c) => c.ok)).toBe(true);
    } finally {
      await gateway.stop();
      await mongoProxy.cut();
      await natsProxy.cut();
    }
  }, 120_000);
});
