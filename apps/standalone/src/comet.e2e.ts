import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTcp } from 'node:net';
import { createFrame, encodeFrame, lengthPrefixed, type Frame } from '@pushsync/protocol';
import { AdminClient, CometTestClient, ServiceProcess, freePort, type CometTransport } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-comet', workspaceId: 'ws1' };

/** The comet gateway of the standalone: TCP, TLS and WebSocket clients against one process on embedded adapters. */
describe('standalone comet gateway', () => {
  let dataDir: string;
  let httpPort: number;
  let tcpPort: number;
  let tlsPort: number;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let clientKey: string;
  let tcp: CometTransport;
  let tls: CometTransport;
  let ws: CometTransport;
  const open: CometTestClient[] = [];

  const hello = async (transport: CometTransport, body: Partial<NonNullable<Frame['handshake']>> = {}) => {
    const result = await CometTestClient.handshake(transport, { ...APP, clientKey, ...body });
    open.push(result.client);
    return result;
  };
  const connect = async (transport: CometTransport) => {
    const client = await CometTestClient.connect(transport);
    open.push(client);
    return client;
  };
  const deliver = (deviceTokens: string[], message: Record<string, unknown>) =>
    admin.call<{ published: Array<{ node: string; tokens: string[] }>; offline: string[]; failed: unknown[] }>('POST', '/admin/v1/comet/deliveries', { ...APP, deviceTokens, message });
  const expectPong = async (client: CometTestClient) => {
    const before = client.frames.length;
    client.send(createFrame('ping', { clientTimeMs: 1 }));
    await client.next('pong', 5000, before);
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-comet-'));
    [httpPort, tcpPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
    standalone = new ServiceProcess('standalone', {
      PUSHSYNC_DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      COMET_TCP_PORT: String(tcpPort),
      COMET_TLS_PORT: String(tlsPort),
      COMET_SEND_QUEUE_MAX: '8',
      COMET_SEND_QUEUE_MAX_BYTES: '262144',
      COMET_HANDSHAKE_TIMEOUT_MS: '1000',
      COMET_HANDSHAKE_BURST: '10000',
      COMET_HANDSHAKE_PER_SECOND: '10000',
      PUSHSYNC_ADMIN_KEY: OWNER,
    }).start();
    await standalone.waitUntilReady(`http://127.0.0.1:${httpPort}/readyz`);
    admin = new AdminClient(`http://127.0.0.1:${httpPort}`, OWNER);
    const created = await admin.call<{ clientKey: string }>('POST', '/admin/v1/apps', APP);
    expect(created.status).toBe(201);
    clientKey = created.body.clientKey;
    tcp = { kind: 'tcp', port: tcpPort };
    tls = { kind: 'tls', port: tlsPort };
    ws = { kind: 'ws', url: `ws://127.0.0.1:${httpPort}/comet` };
  }, 60_000);

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([['tcp'], ['ws']] as const)('issues a device token over %s and keeps it across reconnects', async (kind) => {
    const transport = kind === 'tcp' ? tcp : ws;
    const first = await hello(transport);
    expect(first.ack).toMatchObject({ tokenIssued: true, heartbeatIntervalMs: 30_000 });
    expect(first.ack.deviceToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    first.client.close();
    const again = await hello(transport, { deviceToken: first.ack.deviceToken });
    expect(again.ack).toMatchObject({ tokenIssued: false, deviceToken: first.ack.deviceToken });
    await expectPong(again.client);
  });

  it('answers bind with RpcResult success echoing seq, and 3012 for an empty userId', async () => {
    const { client } = await hello(ws);
    client.send(createFrame('bindUser', { userId: 'user-1', sessionId: 's-1' }, 41));
    expect(await client.next('rpcResult')).toMatchObject({ seq: 41, rpcResult: { success: true, code: 100, name: 'SUCCESS' } });
    client.send(createFrame('bindUser', { userId: '', sessionId: '' }, 42));
    expect(await client.next('rpcResult')).toMatchObject({ seq: 42, rpcResult: { success: false, code: 3012, name: 'NEED_USERID', message: 'need userid' } });
    client.send(createFrame('unbindUser', {}, 43));
    expect(await client.next('rpcResult')).toMatchObject({ seq: 43, rpcResult: { success: true } });
  });

  it('refuses a foreign device token with DEVICE_TOKEN_INVALID', async () => {
    const client = await connect(tcp);
    client.send(createFrame('handshake', { ...APP, clientKey, deviceToken: 'AAAAAAAAAAAAAAAAAAAAAA' }));
    expect((await client.next('error')).error!.code).toBe('DEVICE_TOKEN_INVALID');
    await client.waitClosed();
  });

  it('delivers a message published through CometDelivery to a TCP and a WebSocket device', async () => {
    const onTcp = await hello(tcp);
    const onWs = await hello(ws);
    const answer = await deliver([onTcp.ack.deviceToken, onWs.ack.deviceToken, 'BBBBBBBBBBBBBBBBBBBBBB'], { msgId: 'm-1', title: 'Hello', content: 'World' });
    expect(answer.status).toBe(200);
    expect(answer.body.published.flatMap((p) => p.tokens).sort()).toEqual([onTcp.ack.deviceToken, onWs.ack.deviceToken].sort());
    expect(answer.body.offline).toEqual(['BBBBBBBBBBBBBBBBBBBBBB']);
    for (const { client } of [onTcp, onWs]) expect((await client.next('pushMessage')).pushMessage).toMatchObject({ msgId: 'm-1', title: 'Hello', content: 'World' });
  });

  it.each([
    ['garbage bytes', (c: CometTestClient) => c.writeBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), 'FRAME_TOO_LARGE'],
    ['a truncated-then-garbage frame', (c: CometTestClient) => c.writeBytes(lengthPrefixed(Uint8Array.of(0xff, 0xff, 0xff))), 'MALFORMED_FRAME'],
    ['an oversize length header', (c: CometTestClient) => c.writeBytes(Uint8Array.of(0, 0x10, 0, 0)), 'FRAME_TOO_LARGE'],
    ['a frame before the handshake', (c: CometTestClient) => c.send(createFrame('ping', {})), 'HANDSHAKE_REQUIRED'],
    ['a wrong client key', (c: CometTestClient) => c.send(createFrame('handshake', { ...APP, clientKey: 'wrong' })), 'CLIENT_KEY_INVALID'],
    ['an unknown app', (c: CometTestClient) => c.send(createFrame('handshake', { appId: 'nope', workspaceId: 'ws1', clientKey })), 'APP_INVALID'],
    ['an unknown body kind', (c: CometTestClient) => c.sendRaw(Uint8Array.of(0x08, 0x01, 0xfa, 0x07, 0x00)), 'EMPTY_FRAME'],
  ])('answers %s with an Error frame and a close, while another client keeps working', async (_name, offend, code) => {
    const { client: healthy } = await hello(tcp);
    const offender = await connect(tcp);
    offend(offender);
    expect((await offender.next('error')).error!.code).toBe(code);
    await offender.waitClosed();
    await expectPong(healthy);
  });

  it('closes a client that sends a server-only frame after its handshake', async () => {
    const { client } = await hello(ws);
    client.send(createFrame('pushMessage', { msgId: 'x' }));
    expect((await client.next('error')).error!.code).toBe('UNEXPECTED_FRAME');
    await client.waitClosed();
  });

  it('closes a connection that sends no handshake within the timeout', async () => {
    const client = await connect(tcp);
    expect((await client.next('error', 5000)).error!.code).toBe('HANDSHAKE_TIMEOUT');
    await client.waitClosed();
  });

  it('keeps answering a healthy client while random frames are fed for 5 s', async () => {
    const { client: healthy } = await hello(tcp);
    const deadline = Date.now() + 5000;
    let offenders = 0;
    let pongs = 0;
    const fuzz = (async () => {
      while (Date.now() < deadline) {
        const raw = connectTcp({ host: '127.0.0.1', port: tcpPort });
        raw.on('error', () => undefined);
        await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
        const kind = offenders % 3;
        for (let i = 0; i < 20; i++) {
          if (kind === 0) raw.write(randomBytes(1 + (offenders % 200)));
          else if (kind === 1) raw.write(lengthPrefixed(randomBytes(1 + ((offenders * 7 + i) % 500))));
          else {
            const frame = encodeFrame(createFrame(i === 0 ? 'handshake' : 'ping', i === 0 ? { ...APP, clientKey: randomBytes(4).toString('hex') } : {}));
            raw.write(lengthPrefixed(frame.map((b, j) => (j === offenders % frame.length ? b ^ 0xff : b))));
          }
        }
        offenders++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        raw.destroy();
      }
    })();
    while (Date.now() < deadline) {
      await expectPong(healthy);
      pongs++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await fuzz;
    expect(offenders).toBeGreaterThan(50);
    expect(pongs).toBeGreaterThan(20);
    await expectPong(healthy);
    expect(healthy.closed).toBe(false);
  }, 20_000);

  it.each([['tcp'], ['ws']] as const)('disconnects a %s client that never reads (SLOW_CONSUMER) and leaves the others alone', async (kind) => {
    const slow = await hello(kind === 'tcp' ? tcp : ws);
    const other = await hello(tcp);
    const slowDisconnects = async () => Number(/comet_slow_consumer_disconnects_total\{service="standalone"\} (\d+)/.exec(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text())?.[1] ?? 0);
    const before = await slowDisconnects();
    slow.client.pauseReading();
    const big = 'x'.repeat(60_000);
    let sent = 0;
    for (; sent < 800; sent++) {
      const answer = await deliver([slow.ack.deviceToken], { msgId: `big-${sent}`, extParams: { blob: big } });
      expect(answer.status).toBe(200);
      if (answer.body.offline.length > 0) break; // its presence is gone: the gateway cut it off
    }
    expect(sent).toBeLessThan(800);
    expect(await slowDisconnects()).toBe(before + 1);
    await expectPong(other.client);
    const answer = await deliver([other.ack.deviceToken], { msgId: 'after' });
    expect(answer.body.published).toHaveLength(1);
    expect((await other.client.next('pushMessage')).pushMessage!.msgId).toBe('after');
  }, 60_000);

  it('serves the TLS port with a self-signed certificate generated into the data directory', async () => {
    const certPath = join(dataDir, 'comet-tls-cert.pem');
    expect(existsSync(certPath)).toBe(true);
    expect(new X509Certificate(readFileSync(certPath)).subject).toContain('pushsync-comet');
    const { client, ack } = await hello(tls);
    expect(ack.tokenIssued).toBe(true);
    await expectPong(client);
  });

  it('exposes connection and frame metrics', async () => {
    await hello(tcp);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/comet_connections\{transport="tcp",service="standalone"\} [1-9]/);
    expect(metrics).toMatch(/comet_frames_in_total\{kind="handshake",service="standalone"\} [1-9]/);
    expect(metrics).toContain('comet_protocol_errors_total');
  });
});
