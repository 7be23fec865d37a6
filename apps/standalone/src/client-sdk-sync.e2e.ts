import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, PushSyncClient, TcpTransport, syncOpPayload, type SyncMessage, type Transport } from '@pushsync/client/node';
import { decodeFrame } from '@pushsync/protocol';
import { AdminClient, ServiceProcess, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-sdksync', workspaceId: 'ws-sdksync' };
const ACK_TIMEOUT_MS = 400;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** TCP, recording the oplog ids of every SyncData frame the server sends: what the SDK's de-duplication hides from callbacks. */
function recordingTransport(syncedIds: number[]): Transport {
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
            if (frame.syncData) syncedIds.push(...frame.syncData.op.map((op) => op.id));
            handlers.onFrame(bytes);
          },
        },
        options,
      ),
  };
}

/** Waits until `ready` holds, polling; fails after `timeoutMs`. */
async function until(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The sync half of @pushsync/client (mss.md §6) against a standalone process: callbacks, acks, held data, persisted sync points. */
describe('@pushsync/client sync against the standalone process', () => {
  let dataDir: string;
  let clientDir: string;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let tenant: TenantClient;
  let clientKey: string;
  let endpoint: string;
  const clients: PushSyncClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-sdksync-'));
    clientDir = mkdtempSync(join(tmpdir(), 'pushsync-sdksync-client-'));
    const [httpPort, tcpPort] = [await freePort(), await freePort()];
    endpoint = `tcp://127.0.0.1:${tcpPort}`;
    standalone = new ServiceProcess('standalone', {
      PUSHSYNC_DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      COMET_TCP_PORT: String(tcpPort),
      PUSHSYNC_ADMIN_KEY: OWNER,
      RATE_LIMIT_PER_APP: '100000',
      SYNC_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
      SYNC_MAX_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS * 2),
    }).start();
    const base = `http://127.0.0.1:${httpPort}`;
    await standalone.waitUntilReady(`${base}/readyz`);
    admin = new AdminClient(base, OWNER);
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

  const newConfig = async () => {
    const bizType = `S${randomBytes(4).toString('hex').toUpperCase()}`;
    const answer = await tenant.post('/v1/sync/configs', { ...APP, bizType, description: 'sdk e2e', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    expect(answer.status).toBe(201);
    return bizType;
  };
  const send = async (bizType: string, linkToken: string, data: { payload: string } | { binaryPayload: string }) => {
    const answer = await tenant.post<{ code: string }>('/v1/sync/single', { ...APP, bizType, linkToken, thirdMsgId: randomBytes(8).toString('hex'), ...data });
    expect(answer.body.code).toBe('SUCCESS');
  };
  /** A connected client whose state lives in `file`. */
  const connected = async (file: string, transport: Transport = new TcpTransport()) => {
    const client = new PushSyncClient();
    await client.initialize({ endpoint, ...APP, clientKey, platform: 'ANDROID', appVersion: '1.0.0', transport, persistence: new FileStorage(join(clientDir, file)), reconnect: { baseMs: 100, maxMs: 500 } });
    clients.push(client);
    client.appToForeground();
    await client.whenConnected(10_000);
    return { client, token: client.getDeviceToken()! };
  };
  const pushStatuses = async (token: string, bizType: string) => {
    const answer = await admin.call<{ pushList: Array<{ bizType: string; oplogId: number; status: string }> }>('GET', `/admin/v1/apps/${APP.workspaceId}_${APP.appId}/sync/status?deviceToken=${encodeURIComponent(token)}`);
    return answer.body.pushList.filter((row) => row.bizType === bizType).map((row) => [row.oplogId, row.status]);
  };

  it('hands text and binary ops to the registered callback in order, and an acknowledged batch is not sent again', async () => {
    const bizType = await newConfig();
    const synced: number[] = [];
    const { client, token } = await connected('ordered.json', recordingTransport(synced));
    const messages: SyncMessage[] = [];
    client.registerBiz(bizType, (message) => {
      messages.push(message);
      client.reportMsgReceived(message);
    });

    const bytes = Uint8Array.from([0, 1, 2, 254, 255]);
    await send(bizType, token, { payload: 'first 一' });
    await send(bizType, token, { binaryPayload: Buffer.from(bytes).toString('base64') });
    await send(bizType, token, { payload: 'third' });
    const ops = () => messages.flatMap((message) => message.ops);
    await until(() => ops().length === 3, 'three ops');

    expect(ops().map((op) => op.id)).toEqual([1, 2, 3]);
    expect(ops().map((op) => op.isB)).toEqual([false, true, false]);
    expect(syncOpPayload(ops()[0]!)).toBe('first 一');
    expect(syncOpPayload(ops()[1]!)).toEqual(bytes);
    expect(syncOpPayload(ops()[2]!)).toBe('third');
    expect(messages.every((message) => message.bizType === bizType && message.key === token)).toBe(true);

    await until(async () => (await pushStatuses(token, bizType)).every(([, status]) => status === 'ACKED'), 'the acks to settle');
    const framesWhenAcked = synced.length;
    await sleep(ACK_TIMEOUT_MS * 4);
    expect(synced).toHaveLength(framesWhenAcked);
    expect(ops()).toHaveLength(3);
    expect(client.getSyncPoints()).toContainEqual({ bizType, key: token, oplogId: 3 });
  }, 30_000);

  it('gets an unacknowledged batch again from the server but hands it to the callback once', async () => {
    const bizType = await newConfig();
    const synced: number[] = [];
    const { client, token } = await connected('unacked.json', recordingTransport(synced));
    const payloads: string[] = [];
    client.registerBiz(bizType, (message) => {
      payloads.push(...message.ops.map((op) => op.pl));
    });

    await send(bizType, token, { payload: 'not acked' });
    await until(() => payloads.length === 1, 'the first delivery');
    await until(() => synced.length >= 3, 'two re-sends after the ack timeout');
    expect(synced.slice(0, 3)).toEqual([1, 1, 1]);
    expect(payloads).toEqual(['not acked']);
  }, 30_000);

  it('holds data of a bizType without a callback and hands it over when one registers', async () => {
    const bizType = await newConfig();
    const synced: number[] = [];
    const { client, token } = await connected('held.json', recordingTransport(synced));
    await send(bizType, token, { payload: 'held 1' });
    await send(bizType, token, { payload: 'held 2' });
    // Both frames reached the client (the server's delivery records only say they were sent).
    await until(() => synced.length >= 2, 'both oplogs received by the client');

    const payloads: string[] = [];
    client.registerBiz(bizType, (message) => {
      payloads.push(...message.ops.map((op) => op.pl));
      client.reportMsgReceived(message);
    });
    // Held data is handed over within registerBiz; a frame still on the wire goes to the callback when it lands.
    expect(payloads[0]).toBe('held 1');
    await until(() => payloads.length === 2, 'both held payloads');
    expect(payloads).toEqual(['held 1', 'held 2']);
    await until(async () => (await pushStatuses(token, bizType)).every(([, status]) => status === 'ACKED'), 'the acks of the held data');
  }, 30_000);

  it('sends the persisted sync point at the next handshake, so a restarted client does not get old data again', async () => {
    const bizType = await newConfig();
    const first = await connected('restart.json');
    const received: SyncMessage[] = [];
    first.client.registerBiz(bizType, (message) => {
      received.push(message);
    });
    await send(bizType, first.token, { payload: 'before restart' });
    await until(() => received.length === 1, 'the delivery before the restart');
    // Acknowledged while offline: only the persisted point can tell the server.
    await first.client.appToBackground();
    first.client.reportMsgReceived(received[0]!);
    await first.client.flush();

    const syncedAfterRestart: number[] = [];
    const restarted = await connected('restart.json', recordingTransport(syncedAfterRestart));
    expect(restarted.token).toBe(first.token);
    const afterRestart: string[] = [];
    restarted.client.registerBiz(bizType, (message) => {
      afterRestart.push(...message.ops.map((op) => op.pl));
      restarted.client.reportMsgReceived(message);
    });
    await send(bizType, restarted.token, { payload: 'after restart' });
    await until(() => afterRestart.length > 0, 'the delivery after the restart');
    await sleep(ACK_TIMEOUT_MS * 3);
    expect(afterRestart).toEqual(['after restart']);
    expect(syncedAfterRestart).toEqual([2]);
    expect(await pushStatuses(restarted.token, bizType)).toEqual([
      [2, 'ACKED'],
      [1, 'ACKED'],
    ]);
  }, 30_000);
});
