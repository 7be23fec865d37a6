import { randomBytes } from 'node:crypto';
import { createLogger, NatsBus, type BusSubscription } from '@pushsync/platform';
import { clusterEnv, uniqueName } from '@pushsync/platform/testing';
import { createFrame } from '@pushsync/protocol';
import { AdminClient, CometTestClient, ServiceProcess, freePort, type CometTransport } from '@pushsync/testing';

const OWNER = `cometowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-comet-cluster', workspaceId: 'wscc' };
const PRESENCE_TTL_MS = 3000;

interface Report {
  published: Array<{ node: string; tokens: string[] }>;
  offline: string[];
  failed: unknown[];
}

/** Two comet-gateway processes on real NATS (presence in JetStream KV, per-node subjects) with the services they need. */
describe('comet cluster: two gateway nodes on real NATS', () => {
  const infra = clusterEnv();
  const mongoUrl = infra.mongoUrl.replace(/\/[^/]*$/, `/${uniqueName('comet')}`);
  const presenceBucket = uniqueName('presence').replace(/[^A-Za-z0-9_-]/g, '_');
  const processes: ServiceProcess[] = [];
  const clients: CometTestClient[] = [];
  const ports = { api: 0, sync: 0, push: 0, syncGrpc: 0, pushGrpc: 0, aHttp: 0, aTcp: 0, bHttp: 0, bTcp: 0 };
  let nodeA: ServiceProcess;
  let admin: AdminClient;
  let nodeBAdmin: AdminClient;
  let clientKey: string;
  let bus: NatsBus;
  let subscription: BusSubscription;
  const events: Array<{ kind: string; node: string; deviceToken: string }> = [];

  const common = () => ({ PUSHSYNC_MODE: 'cluster', NATS_URL: infra.natsUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(','), MONGO_URL: mongoUrl, PUSHSYNC_ADMIN_KEY: OWNER });
  const launch = async (app: string, httpPort: number, env: Record<string, string>) => {
    const process = new ServiceProcess(app, { ...common(), HTTP_PORT: String(httpPort), ...env }).start();
    processes.push(process);
    await process.waitUntilReady(`http://127.0.0.1:${httpPort}/readyz`, 60_000);
    return process;
  };
  const cometEnv = (node: string, tcpPort: number) => ({
    NODE_ID: node,
    COMET_TCP_PORT: String(tcpPort),
    COMET_HEARTBEAT_MS: '1000',
    COMET_PRESENCE_TTL_MS: String(PRESENCE_TTL_MS),
    COMET_PRESENCE_BUCKET: presenceBucket,
  });
  const hello = async (transport: CometTransport, deviceToken = '') => {
    const result = await CometTestClient.handshake(transport, { ...APP, clientKey, deviceToken });
    clients.push(result.client);
    return result;
  };
  const deliverViaB = (tokens: string[], msgId: string) => nodeBAdmin.call<Report>('POST', '/admin/v1/comet/deliveries', { ...APP, deviceTokens: tokens, message: { msgId, title: msgId } });

  beforeAll(async () => {
    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = await freePort();
    bus = new NatsBus({ url: infra.natsUrl, name: 'comet-cluster-e2e', logger: createLogger({ service: 'e2e', level: 'silent' }) });
    subscription = await bus.subscribe('comet.events.>', (message) => {
      events.push(JSON.parse(Buffer.from(message.data).toString('utf8')) as (typeof events)[number]);
    });
    await Promise.all([
      launch('sync-core', ports.sync, { NODE_ID: 'sync-cc', GRPC_LISTEN: `127.0.0.1:${ports.syncGrpc}` }),
      launch('push-core', ports.push, { NODE_ID: 'push-cc', GRPC_LISTEN: `127.0.0.1:${ports.pushGrpc}` }),
      launch('comet-gateway', ports.aHttp, cometEnv('comet-a', ports.aTcp)).then((p) => (nodeA = p)),
      launch('comet-gateway', ports.bHttp, cometEnv('comet-b', ports.bTcp)),
    ]);
    await launch('api-gateway', ports.api, { NODE_ID: 'api-cc', SYNC_CORE_GRPC: `127.0.0.1:${ports.syncGrpc}`, PUSH_CORE_GRPC: `127.0.0.1:${ports.pushGrpc}` });
    admin = new AdminClient(`http://127.0.0.1:${ports.api}`, OWNER);
    nodeBAdmin = new AdminClient(`http://127.0.0.1:${ports.bHttp}`, OWNER);
    const created = await admin.call<{ clientKey: string }>('POST', '/admin/v1/apps', APP);
    expect(created.status).toBe(201);
    clientKey = created.body.clientKey;
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await subscription?.unsubscribe();
    await bus?.close();
    await Promise.all(processes.map((p) => p.stop().catch(() => undefined)));
  }, 60_000);

  it('routes a delivery from node B to a device on node A, and survives node A dying: presence expires, the device resumes on node B with its token', async () => {
    const onA = await hello({ kind: 'tcp', port: ports.aTcp });
    const token = onA.ack.deviceToken;
    expect(onA.ack).toMatchObject({ tokenIssued: true, heartbeatIntervalMs: 1000 });

    const first = await deliverViaB([token], 'via-b-1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ published: [{ node: 'comet-a', tokens: [token] }], offline: [], failed: [] });
    expect((await onA.client.next('pushMessage')).pushMessage!.msgId).toBe('via-b-1');
    expect(events).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'connect', node: 'comet-a', deviceToken: token })]));

    await nodeA.kill9();
    await onA.client.waitClosed();
    // Nobody removed node A's entry: it must lapse with its TTL.
    const deadline = Date.now() + PRESENCE_TTL_MS + 10_000;
    let report: Report;
    for (;;) {
      report = (await deliverViaB([token], 'while-dead')).body;
      if (report.offline.includes(token) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(report.offline).toEqual([token]);

    const onB = await hello({ kind: 'tcp', port: ports.bTcp }, token);
    expect(onB.ack).toMatchObject({ deviceToken: token, tokenIssued: false });
    const resumed = await deliverViaB([token], 'via-b-2');
    expect(resumed.body.published).toEqual([{ node: 'comet-b', tokens: [token] }]);
    expect((await onB.client.next('pushMessage')).pushMessage!.msgId).toBe('via-b-2');
    onB.client.send(createFrame('bindUser', { userId: 'cluster-user', sessionId: '' }, 5));
    expect((await onB.client.next('rpcResult')).rpcResult).toMatchObject({ success: true, code: 100 });
  }, 60_000);

  it('drains on SIGTERM: GoAway to the connected device and its presence removed at once', async () => {
    const cPorts = { http: await freePort(), tcp: await freePort() };
    const nodeC = await launch('comet-gateway', cPorts.http, cometEnv('comet-c', cPorts.tcp));
    const onC = await hello({ kind: 'tcp', port: cPorts.tcp });
    expect((await deliverViaB([onC.ack.deviceToken], 'to-c')).body.published).toEqual([{ node: 'comet-c', tokens: [onC.ack.deviceToken] }]);
    const stopped = nodeC.stop();
    expect((await onC.client.next('goAway')).goAway).toMatchObject({ reason: 'SHUTDOWN' });
    await onC.client.waitClosed();
    expect(await stopped).toBe(0);
    // Removed by the drain, not by the TTL.
    expect((await deliverViaB([onC.ack.deviceToken], 'after-drain')).body.offline).toEqual([onC.ack.deviceToken]);
  }, 60_000);
});
