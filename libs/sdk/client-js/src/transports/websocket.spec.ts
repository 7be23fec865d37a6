import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PushSyncClient, WebSocketTransport } from '../index';
import { nodeWebSocketTransport } from '../node';
import { AsyncQueue } from '../testing/async-queue';
import { CometTestServer } from '../testing/comet-test.server';

const hasGlobalWebSocket = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';

describe('WebSocket transport (against the in-test comet server)', () => {
  let server: CometTestServer;

  beforeEach(async () => {
    server = await new CometTestServer({ websocket: true }).start();
  });

  afterEach(async () => {
    await server.stop();
  });

  it("works with Node's own WHATWG WebSocket, as in a browser: handshake, sync, push, RPC, reconnect", async () => {
    const child = spawnClient(server.wsEndpoint);
    try {
      const lines = child.lines;
      const connection = await server.connections.next(10_000);
      expect(connection.transport).toBe('websocket');
      expect(connection.handshake).toMatchObject({ platform: 'WEB', deviceToken: '', appId: 'app' });
      expect(await lines.next(5000, (line) => line['type'] === 'connected')).toEqual({ type: 'connected', deviceToken: connection.deviceToken });

      connection.sendSyncData('WS', '*', [{ id: 1, pl: 'one' }, { id: 2, pl: 'two' }]);
      expect(await lines.next(5000, (line) => line['type'] === 'sync')).toEqual({ type: 'sync', ids: [1, 2], pl: ['one', 'two'] });
      expect((await connection.next('syncAck')).syncAck).toEqual({ bizType: 'WS', key: '*', oplogId: 2 });

      connection.sendPush({ msgId: 'w-1', title: 'Über 𝄞' });
      expect(await lines.next(5000, (line) => line['type'] === 'push')).toEqual({ type: 'push', msgId: 'w-1', title: 'Über 𝄞' });
      expect((await connection.next('pushAck')).pushAck).toEqual({ msgId: 'w-1' });

      child.process.stdin.write('bind\n');
      expect(await lines.next(5000, (line) => line['type'] === 'rpc')).toMatchObject({ result: { success: true, code: 100 } });
      expect((await connection.next('bindUser')).bindUser).toEqual({ userId: 'web-user', sessionId: 'web-session' });

      connection.destroy();
      expect(await lines.next(5000, (line) => line['type'] === 'disconnected')).toEqual({ type: 'disconnected', reason: 'server-closed' });
      const again = await server.connections.next(5000);
      expect(again.handshake).toMatchObject({ deviceToken: connection.deviceToken, syncPoints: [{ bizType: 'WS', key: '*', oplogId: 2 }] });

      child.process.stdin.write('background\n');
      await lines.next(5000, (line) => line['type'] === 'background');
      expect(await child.exitCode).toBe(0);
      expect(lines.pending((line) => line['type'] === 'fatal')).toEqual([]);
    } finally {
      child.process.kill();
    }
  });

  it('nodeWebSocketTransport() connects in-process (global WebSocket or the ws package)', async () => {
    const client = new PushSyncClient();
    await client.initialize({ endpoint: server.wsEndpoint, appId: 'app', workspaceId: 'default', clientKey: 'k', transport: nodeWebSocketTransport() });
    client.appToForeground();
    try {
      await server.connections.next();
      await client.whenConnected(5000);
    } finally {
      await client.appToBackground();
    }
  });

  it('closing a WebSocket that is still connecting (handshake timeout) is clean', async () => {
    const silent = createServer(() => undefined); // accepts TCP, never answers the HTTP upgrade
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const client = new PushSyncClient();
    const errors = new AsyncQueue<string>('an error');
    client.on('error', (error) => errors.push(error.code));
    const port = (silent.address() as AddressInfo).port;
    await client.initialize({
      endpoint: `ws://127.0.0.1:${port}/comet`,
      appId: 'app',
      workspaceId: 'default',
      clientKey: 'k',
      transport: nodeWebSocketTransport(),
      handshakeTimeoutMs: 100,
      reconnect: { baseMs: 10_000, maxMs: 10_000 },
    });
    try {
      client.appToForeground();
      expect(await errors.next()).toBe('HANDSHAKE_TIMEOUT');
      await new Promise((resolve) => setTimeout(resolve, 100)); // an error emitted by the socket after close would surface here
    } finally {
      await client.appToBackground();
      silent.close();
    }
  });

  it('without any WebSocket implementation a connection attempt fails with TRANSPORT_ERROR and is retried', async () => {
    const client = new PushSyncClient();
    const errors: string[] = [];
    client.on('error', (error) => errors.push(error.code));
    const reconnects = new AsyncQueue<number>('a reconnect');
    client.on('reconnecting', (event) => reconnects.push(event.attempt));
    await client.initialize({
      endpoint: server.wsEndpoint,
      appId: 'app',
      workspaceId: 'default',
      clientKey: 'k',
      transport: new WebSocketTransport({ WebSocket: undefined }),
      reconnect: { baseMs: 10, maxMs: 20 },
    });
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      client.appToForeground();
      expect(await reconnects.next()).toBe(1);
      expect(await reconnects.next()).toBe(2);
      expect(errors.slice(0, 2)).toEqual(['TRANSPORT_ERROR', 'TRANSPORT_ERROR']);
    } finally {
      await client.appToBackground();
      if (saved !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });
});

interface ChildClient {
  process: ChildProcessWithoutNullStreams;
  lines: AsyncQueue<Record<string, unknown>>;
  exitCode: Promise<number | null>;
}

function spawnClient(endpoint: string): ChildClient {
  const testing = join(__dirname, '..', 'testing');
  const flags = hasGlobalWebSocket || Number(process.versions.node.split('.')[0]) >= 22 ? [] : ['--experimental-websocket'];
  const child = spawn(process.execPath, [...flags, '--no-warnings', '-r', join(testing, 'typescript-child.register.js'), join(testing, 'websocket-client.child.ts')], {
    env: { ...process.env, PUSHSYNC_ENDPOINT: endpoint },
    stdio: 'pipe',
  });
  const lines = new AsyncQueue<Record<string, unknown>>('a line from the child client');
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ type: 'unparsed', line });
    }
  });
  const exitCode = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      if (code !== 0 && stderr !== '') lines.push({ type: 'fatal', message: stderr });
      resolve(code);
    }),
  );
  return { process: child, lines, exitCode };
}

