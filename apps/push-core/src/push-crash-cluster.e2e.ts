import { randomBytes } from 'node:crypto';
import { createFrame } from '@pushsync/protocol';
import { eventually } from '@pushsync/platform/testing';
import { AdminClient, ClusterProcesses, CometTestClient, TenantClient, freePort, type CometTransport } from '@pushsync/testing';

const OWNER = `clusterowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-push-crash', workspaceId: 'wscrash' };
const DEVICES = 200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Message Push faults in cluster mode (issue 5 "Bad input and faults"): push-core killed with
 * kill -9 during a broadcast and at a schedule's fire time, on real Kafka, NATS and the
 * MongoDB-compatible store, with devices on raw comet connections so every frame is counted.
 */
describe('cluster: push-core crashes', () => {
  let cluster: ClusterProcesses;
  let tenant: TenantClient;
  let tcp: CometTransport;
  let clientKey: string;
  const clients: CometTestClient[] = [];

  beforeAll(async () => {
    const cometPort = await freePort();
    tcp = { kind: 'tcp', port: cometPort };
    cluster = new ClusterProcesses('pushcrash', OWNER, { COMET_TCP_PORT: String(cometPort), RATE_LIMIT_PER_APP: '100000', COMET_HANDSHAKE_BURST: '100000', COMET_HANDSHAKE_PER_SECOND: '100000', PUSH_SCHEDULE_LEASE_MS: '3000' });
    await cluster.start(['sync-core', 'push-core', 'comet-gateway', 'api-gateway']);
    const gateway = cluster.baseUrl('api-gateway');
    const admin = new AdminClient(gateway, OWNER);
    const created = await admin.newTenant(APP.appId, APP.workspaceId);
    tenant = new TenantClient(gateway, created.accessKeyId, created.accessKeySecret);
    clientKey = created.clientKey;
    expect((await tenant.post('/v1/templates', { ...APP, name: 'crash_news', title: 'News', content: 'For all' })).status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await cluster?.dispose();
  }, 60_000);

  const connect = async () => {
    const { client, ack } = await CometTestClient.handshake(tcp, { ...APP, clientKey, platform: 'ANDROID', appVersion: '1.0.0' });
    clients.push(client);
    return { client, token: ack.deviceToken };
  };
  const pushFrames = (client: CometTestClient, msgId?: string) => client.frames.filter((frame) => frame.pushMessage && (msgId === undefined || frame.pushMessage.msgId === msgId));

  it('resumes a broadcast after kill -9 of push-core without sending any device the message twice', async () => {
    const devices: CometTestClient[] = [];
    for (let i = 0; i < DEVICES; i++) devices.push((await connect()).client);
    const answer = await tenant.post<{ data: string }>('/v1/push/broadcast', { ...APP, taskName: 'crash', deliveryType: 1, msgkey: 'crash-broadcast', templateName: 'crash_news', expiredSeconds: 600, pushStatus: 1, unBindPeriod: 4, androidChannel: 'notify' });
    expect(answer.status).toBe(200);
    await cluster.process('push-core').kill9();
    await cluster.launch('push-core');
    await eventually(() => expect(devices.filter((client) => pushFrames(client).length > 0)).toHaveLength(DEVICES), 60_000);
    await sleep(3000);
    const msgIds = new Set(devices.flatMap((client) => pushFrames(client).map((frame) => frame.pushMessage!.msgId)));
    expect(msgIds.size).toBe(1);
    expect(devices.map((client) => pushFrames(client).length)).toEqual(Array(DEVICES).fill(1));
    expect(pushFrames(devices[0]!)[0]!.pushMessage!.taskId).toBe(answer.body.data);
    // The progress survives the crash: the task ends (every shard of the adopted plan recorded sent).
    await eventually(async () => {
      const detail = await tenant.get<{ pushNum: number; endTime: number | null }>('/v1/push/analysis/task-detail', { ...APP, taskId: answer.body.data });
      expect(detail.body.endTime).toEqual(expect.any(Number));
      expect(detail.body.pushNum).toBeGreaterThanOrEqual(DEVICES);
    }, 30_000);
  }, 180_000);

  it('fires a timed push exactly once when push-core is killed at its fire time', async () => {
    const { client, token } = await connect();
    const fixedTime = Math.ceil((Date.now() + 6000) / 1000) * 1000;
    const answer = await tenant.post<{ data: string }>('/v1/push/simple', {
      ...APP,
      taskName: 'timed',
      title: 'Timed',
      content: 'Once',
      deliveryType: 1,
      targetMsgkey: { [token]: 'timed-once' },
      expiredSeconds: 600,
      strategyType: 1,
      StrategyContent: { fixedTime },
    });
    expect(answer.status).toBe(200);
    const scheduleId = answer.body.data;
    expect(scheduleId).toMatch(/^[0-9a-f]{32}$/);
    await sleep(Math.max(0, fixedTime - Date.now()));
    await cluster.process('push-core').kill9();
    await cluster.launch('push-core');
    // The device may also get the first test's broadcast, still valid: only the timed push's frames count here.
    const timedFrames = () => pushFrames(client).filter((received) => received.pushMessage!.title === 'Timed');
    await eventually(() => expect(timedFrames().length).toBeGreaterThan(0), 60_000);
    const msgId = timedFrames()[0]!.pushMessage!.msgId;
    client.send(createFrame('pushAck', { msgId }));
    await sleep(5000);
    expect(new Set(timedFrames().map((received) => received.pushMessage!.msgId))).toEqual(new Set([msgId]));
    const listed = await tenant.get<{ totalCount: number; list: Array<{ uniqueId: string; executedStatus: number }> }>('/v1/push/schedules', { ...APP, startTime: String(fixedTime - 60_000), endTime: String(fixedTime + 60_000), uniqueId: scheduleId });
    expect(listed.body.list).toEqual([expect.objectContaining({ uniqueId: scheduleId, executedStatus: 1 })]);
  }, 180_000);
});
