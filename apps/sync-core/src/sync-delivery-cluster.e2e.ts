import { randomBytes } from 'node:crypto';
import { PushSyncClient, TcpTransport, type SyncMessage } from '@pushsync/client/node';
import { clusterEnv, eventually } from '@pushsync/platform/testing';
import { AdminClient, ClusterProcesses, TcpProxy, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `syncowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-sync', workspaceId: 'wsy' };
const DEVICES = 5;
/** The 10,000 (about 5 minutes on 2 cores with FerretDB on PostgreSQL); SYNC_CRASH_ORDERS=500 for a quick run. */
const ORDERS = Number(process.env.SYNC_CRASH_ORDERS ?? 10_000);
/** Limits that keep a stuck run from waiting forever, scaled for the large runs (ms). */
const CRASH_TEST_TIMEOUT_MS = Math.max(600_000, ORDERS * 150);
const DELIVERY_TIMEOUT_MS = Math.max(240_000, ORDERS * 50);

/** What one device's app saw: the payloads handed to its registerBiz callback, in order (after the SDK's dedup). */
class ReceivingDevice {
  public readonly payloads: string[] = [];
  public token = '';
  public constructor(public readonly client: PushSyncClient) {}
}

/**
 * Mobile Sync in cluster mode: api-gateway, sync-core, comet-gateway and push-core as separate
 * processes on real Kafka, NATS and the MongoDB-compatible store, devices on @pushsync/client.
 */
describe('cluster: sync orders from the tenant API to devices', () => {
  let natsProxy: TcpProxy;
  let cluster: ClusterProcesses;
  let tenant: TenantClient;
  let cometPort: number;
  let clientKey: string;
  const devices: ReceivingDevice[] = [];

  beforeAll(async () => {
    const nats = new URL(clusterEnv().natsUrl);
    natsProxy = new TcpProxy({ host: nats.hostname, port: Number(nats.port || 4222) }, await freePort());
    await natsProxy.open();
    cometPort = await freePort();
    cluster = new ClusterProcesses('syncdel', OWNER, { NATS_URL: `nats://127.0.0.1:${natsProxy.port}`, COMET_TCP_PORT: String(cometPort), SYNC_ACK_TIMEOUT_MS: '2000', SYNC_MAX_ACK_TIMEOUT_MS: '4000', RATE_LIMIT_PER_APP: '1000000' });
    await cluster.start(['sync-core', 'push-core', 'comet-gateway', 'api-gateway']);
    const gateway = cluster.baseUrl('api-gateway');
    const admin = new AdminClient(gateway, OWNER);
    const created = await admin.newTenant(APP.appId, APP.workspaceId);
    tenant = new TenantClient(gateway, created.accessKeyId, created.accessKeySecret);
    clientKey = created.clientKey;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(devices.map((device) => device.client.appToBackground()));
    await cluster?.dispose();
    await natsProxy?.cut();
  }, 60_000);

  const newDevice = async (bizType: string): Promise<ReceivingDevice> => {
    const client = new PushSyncClient();
    const device = new ReceivingDevice(client);
    await client.initialize({ endpoint: `tcp://127.0.0.1:${cometPort}`, ...APP, clientKey, platform: 'ANDROID', transport: new TcpTransport(), reconnect: { baseMs: 100, maxMs: 1000 } });
    client.registerBiz(bizType, (message: SyncMessage) => {
      for (const op of message.ops) device.payloads.push(op.pl);
      client.reportMsgReceived(message);
    });
    client.appToForeground();
    await client.whenConnected(15_000);
    device.token = client.getDeviceToken()!;
    devices.push(device);
    return device;
  };
  const send = (body: Record<string, unknown>) => tenant.post<{ code: string }>('/v1/sync/single', { ...APP, ...body });
  /** Waits until `check` holds, failing with `what()` (a progress summary) when it does not in time. */
  const until = (check: () => boolean, timeoutMs: number, what: () => string) =>
    eventually(() => {
      if (!check()) throw new Error(`timed out: ${what()}`);
    }, timeoutMs, 100);

  it('delivers an order to a connected device at once and answers a repeated thirdMsgId DUPLICATED_BIZ_ID', async () => {
    const bizType = 'CLUSTER-LIVE';
    expect((await tenant.post('/v1/sync/configs', { ...APP, bizType, description: 'live', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true })).status).toBe(201);
    const device = await newDevice(bizType);
    const started = Date.now();
    const answer = await send({ bizType, linkToken: device.token, thirdMsgId: 'live-1', payload: 'hello' });
    expect(answer.body.code).toBe('SUCCESS');
    await until(() => device.payloads.length === 1, 5000, () => JSON.stringify(device.payloads));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(device.payloads).toEqual(['hello']);
    expect((await send({ bizType, linkToken: device.token, thirdMsgId: 'live-1', payload: 'hello again' })).body.code).toBe('DUPLICATED_BIZ_ID');
  }, 60_000);

  it(`delivers ${ORDERS} orders to ${DEVICES} devices exactly once and in order across kill -9 of sync-core and a NATS outage`, async () => {
    const bizType = 'CLUSTER-CRASH';
    expect((await tenant.post('/v1/sync/configs', { ...APP, bizType, description: 'crash', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true, threshold: 10_000 })).status).toBe(201);
    const targets = await Promise.all(Array.from({ length: DEVICES }, () => newDevice(bizType)));
    const perDevice = ORDERS / DEVICES;
    let accepted = 0;
    let refusedWhileDown = 0;
    // One sender per device, each in order: an order refused while sync-core is down is sent again with the same thirdMsgId.
    const senders = targets.map(async (device, d) => {
      for (let n = 0; n < perDevice; n++) {
        for (;;) {
          const answer = await send({ bizType, linkToken: device.token, thirdMsgId: `o-${d}-${n}`, payload: `${d}:${n}` }).catch(() => null);
          const code = answer?.body.code;
          if (code === 'SUCCESS' || code === 'DUPLICATED_BIZ_ID') break;
          refusedWhileDown++;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        accepted++;
      }
    });
    const faults = (async () => {
      await until(() => accepted >= ORDERS * 0.2, 300_000, () => `only ${accepted} accepted`);
      await cluster.process('sync-core').kill9();
      await cluster.launch('sync-core');
      await until(() => accepted >= ORDERS * 0.5, 300_000, () => `only ${accepted} accepted`);
      await natsProxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await natsProxy.open();
    })();
    await Promise.all([...senders, faults]);
    expect(accepted).toBe(ORDERS);

    await until(
      () => targets.every((device) => device.payloads.length >= perDevice),
      DELIVERY_TIMEOUT_MS,
      () => targets.map((device) => device.payloads.length).join(','),
    );
    targets.forEach((device, d) => expect(device.payloads).toEqual(Array.from({ length: perDevice }, (_, n) => `${d}:${n}`)));
    expect(refusedWhileDown).toBeGreaterThan(0);
  }, CRASH_TEST_TIMEOUT_MS);
});
