import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, PushSyncClient, TcpTransport, type PushRevoke, type PushSyncMessage, type Transport } from '@pushsync/client/node';
import { decodeFrame } from '@pushsync/protocol';
import { eventually } from '@pushsync/platform/testing';
import { AdminClient, ServiceProcess, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-sdkpush', workspaceId: 'ws-sdkpush' };
const DAY = 86_400_000;

/** TCP, recording the msgIds of every PushMessage frame the server sends: what the SDK's de-duplication hides from callbacks. */
function recordingTransport(sent: string[]): Transport {
  const tcp = new TcpTransport();
  return {
    name: tcp.name,
    supports: (endpoint) => tcp.supports(endpoint),
    connect: (endpoint, handlers, options) =>
      tcp.connect(
        endpoint,
        {
          ...handlers,
          onFrame: (bytes) => {
            const frame = decodeFrame(bytes);
            if (frame.pushMessage) sent.push(frame.pushMessage.msgId);
            handlers.onFrame(bytes);
          },
        },
        options,
      ),
  };
}

/** The push half of @pushsync/client (mps.md §4) against a standalone process: messages, acks, reports, revokes. */
describe('@pushsync/client push against the standalone process', () => {
  let dataDir: string;
  let clientDir: string;
  let standalone: ServiceProcess;
  let tenant: TenantClient;
  let clientKey: string;
  let endpoint: string;
  const clients: PushSyncClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-sdkpush-'));
    clientDir = mkdtempSync(join(tmpdir(), 'pushsync-sdkpush-client-'));
    const [httpPort, tcpPort] = [await freePort(), await freePort()];
    endpoint = `tcp://127.0.0.1:${tcpPort}`;
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(httpPort), COMET_TCP_PORT: String(tcpPort), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '100000' }).start();
    const base = `http://127.0.0.1:${httpPort}`;
    await standalone.waitUntilReady(`${base}/readyz`);
    const admin = new AdminClient(base, OWNER);
    const created = await admin.newTenant(APP.appId, APP.workspaceId);
    tenant = new TenantClient(base, created.accessKeyId, created.accessKeySecret);
    clientKey = created.clientKey;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.appToBackground()));
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(clientDir, { recursive: true, force: true });
  });

  const connected = async (file: string, transport: Transport = new TcpTransport()) => {
    const client = new PushSyncClient();
    await client.initialize({ endpoint, ...APP, clientKey, platform: 'ANDROID', appVersion: '1.0.0', transport, persistence: new FileStorage(join(clientDir, file)), reconnect: { baseMs: 100, maxMs: 500 } });
    clients.push(client);
    client.appToForeground();
    await client.whenConnected(10_000);
    return { client, token: client.getDeviceToken()! };
  };
  const push = async (token: string, msgKey: string, extra: Record<string, unknown> = {}) => {
    const answer = await tenant.post('/v1/push/simple', { ...APP, taskName: 'sdk', title: 'T', content: 'C', deliveryType: 1, targetMsgkey: { [token]: msgKey }, expiredSeconds: 600, ...extra });
    expect(answer.status).toBe(200);
  };
  const analysis = async () => {
    const today = Date.now() - (Date.now() % DAY);
    const answer = await tenant.get<{ openNum: number; ignoreNum: number; arrivalNum: number }>('/v1/push/analysis/core-index', { ...APP, startTime: String(today), endTime: String(today + DAY) });
    expect(answer.status).toBe(200);
    return answer.body;
  };

  it('raises a message with its fields, acks it so it is never sent again, and reports opens and ignores', async () => {
    const sent: string[] = [];
    const { client, token } = await connected('raise.json', recordingTransport(sent));
    const messages: PushSyncMessage[] = [];
    client.onPushMessage((message) => void messages.push(message));
    await push(token, 'sdk-1', { uri: 'app://detail', pushAction: 1, extendedParams: { orderId: '42' } });
    await eventually(() => expect(messages).toHaveLength(1));
    expect(messages[0]).toMatchObject({ title: 'T', content: 'C', uri: 'app://detail', actionType: 'intent', silent: false, extParams: expect.objectContaining({ orderId: '42', pushType: 'SIMPLE' }) });
    expect(messages[0]!.expireAtMs).toBeGreaterThan(Date.now());

    client.reportPushOpen(messages[0]!.msgId);
    await push(token, 'sdk-2');
    await eventually(() => expect(messages).toHaveLength(2));
    client.reportPushIgnored(messages[1]!.msgId);
    await eventually(async () => expect(await analysis()).toMatchObject({ arrivalNum: 2, openNum: 1, ignoreNum: 1 }));

    await client.appToBackground();
    client.appToForeground();
    await client.whenConnected(10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(sent).toHaveLength(2);
  }, 30_000);

  it('holds a message until a callback registers, and a restarted client never raises a message it already handled', async () => {
    const first = await connected('restart.json');
    await push(first.token, 'sdk-held');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const raised: string[] = [];
    first.client.onPushMessage((message) => void raised.push(message.title));
    await eventually(() => expect(raised).toEqual(['T']));
    await first.client.appToBackground();

    const again = await connected('restart.json');
    expect(again.token).toBe(first.token);
    const afterRestart: string[] = [];
    again.client.onPushMessage((message) => void afterRestart.push(message.msgId));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(afterRestart).toEqual([]);
  }, 30_000);

  it('raises a revoke for a message the device received', async () => {
    const { client, token } = await connected('revoke.json');
    const messages: PushSyncMessage[] = [];
    const revokes: PushRevoke[] = [];
    client.onPushMessage((message) => void messages.push(message));
    client.onPushRevoke((revoke) => void revokes.push(revoke));
    await push(token, 'sdk-revoke');
    await eventually(() => expect(messages).toHaveLength(1));
    await eventually(async () => expect((await tenant.post('/v1/push/revoke/message', { ...APP, messageId: 'sdk-revoke', targetId: token })).status).toBe(200));
    await eventually(() => expect(revokes).toEqual([{ msgId: messages[0]!.msgId }]));
  }, 30_000);
});
