import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage, PushSyncClient, TcpTransport, nodeWebSocketTransport, type PushSyncMessage } from '@pushsync/client/node';
import { AdminClient, ServiceProcess, freePort } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-sdk', workspaceId: 'ws-sdk' };

function nextMessage(client: PushSyncClient, timeoutMs = 10_000): Promise<PushSyncMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no push message within the timeout')), timeoutMs);
    const off = client.onMessage((message) => {
      clearTimeout(timer);
      off();
      resolve(message);
    });
  });
}

/** @pushsync/client against the real gateway of a standalone process, over TCP and over WebSocket. */
describe('@pushsync/client against the standalone comet gateway', () => {
  let dataDir: string;
  let clientDir: string;
  let httpPort: number;
  let tcpPort: number;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let clientKey: string;
  const clients: PushSyncClient[] = [];

  const start = async () => {
    standalone = new ServiceProcess('standalone', {
      PUSHSYNC_DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      COMET_TCP_PORT: String(tcpPort),
      PUSHSYNC_ADMIN_KEY: OWNER,
    }).start();
    await standalone.waitUntilReady(`http://127.0.0.1:${httpPort}/readyz`);
  };
  const newClient = async (endpoint: string, options: Partial<Parameters<PushSyncClient['initialize']>[0]> = {}) => {
    const client = new PushSyncClient();
    await client.initialize({ endpoint, ...APP, clientKey, platform: 'ANDROID', reconnect: { baseMs: 100, maxMs: 500 }, ...options });
    clients.push(client);
    return client;
  };
  const deliver = (deviceTokens: string[], message: Record<string, unknown>) =>
    admin.call<{ offline: string[] }>('POST', '/admin/v1/comet/deliveries', { ...APP, deviceTokens, message });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-sdk-'));
    clientDir = mkdtempSync(join(tmpdir(), 'pushsync-sdk-client-'));
    [httpPort, tcpPort] = [await freePort(), await freePort()];
    await start();
    admin = new AdminClient(`http://127.0.0.1:${httpPort}`, OWNER);
    const created = await admin.call<{ clientKey: string }>('POST', '/admin/v1/apps', APP);
    clientKey = created.body.clientKey;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.appToBackground()));
    await standalone.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(clientDir, { recursive: true, force: true });
  });

  it('gets a device token over TCP, binds, receives a push, and keeps the token across a gateway crash', async () => {
    const client = await newClient(`tcp://127.0.0.1:${tcpPort}`, { transport: new TcpTransport(), persistence: new FileStorage(join(clientDir, 'tcp.json')) });
    client.appToForeground();
    await client.whenConnected(10_000);
    const token = client.getDeviceToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);

    expect(await client.bind('user-42')).toMatchObject({ success: true, code: 100 });
    expect(await client.bind('')).toMatchObject({ success: false, code: 3012 });

    const received = nextMessage(client);
    expect((await deliver([token!], { msgId: 'm-1', title: 'Hello', content: '你好, pushsync' })).status).toBe(200);
    expect(await received).toMatchObject({ msgId: 'm-1', title: 'Hello', content: '你好, pushsync' });

    await standalone.kill9();
    await start();
    await client.whenConnected(15_000);
    expect(client.getDeviceToken()).toBe(token);
    const again = nextMessage(client);
    expect((await deliver([token!], { msgId: 'm-2', title: 'Back', content: 'after restart' })).status).toBe(200);
    expect(await again).toMatchObject({ msgId: 'm-2' });
  }, 60_000);

  it('connects a second device over WebSocket at /comet and receives a push there', async () => {
    const client = await newClient(`ws://127.0.0.1:${httpPort}/comet`, { transport: nodeWebSocketTransport(), platform: 'WEB' });
    client.appToForeground();
    await client.whenConnected(10_000);
    const token = client.getDeviceToken()!;
    const received = nextMessage(client);
    expect((await deliver([token], { msgId: 'w-1', title: 'Web', content: 'over websocket' })).status).toBe(200);
    expect(await received).toMatchObject({ msgId: 'w-1', content: 'over websocket' });
  }, 30_000);
});
