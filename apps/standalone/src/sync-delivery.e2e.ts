import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFrame, type FrameBody, type FrameOf } from '@pushsync/protocol';
import { AdminClient, CometTestClient, ServiceProcess, TenantClient, freePort, type CometTransport } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const WS = 'wsync';
const ACK_TIMEOUT_MS = 400;

type SyncData = FrameOf<'syncData'>['syncData'] & object;

/**
 * Mobile Sync delivery end to end on the standalone process (DECISIONS D3 "Delivery"): tenant
 * orders through REST v1, devices on raw comet connections so every frame, re-send and ack is
 * visible.
 */
describe('standalone: sync delivery', () => {
  let dataDir: string;
  let base: string;
  let tcp: CometTransport;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let tenant: TenantClient;
  let clientKey: string;
  const appId = 'syncapp';
  const open: CometTestClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-sync-'));
    const [port, tcpPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    tcp = { kind: 'tcp', port: tcpPort };
    admin = new AdminClient(base, OWNER);
    standalone = new ServiceProcess('standalone', {
      PUSHSYNC_DATA_DIR: dataDir,
      HTTP_PORT: String(port),
      COMET_TCP_PORT: String(tcpPort),
      PUSHSYNC_ADMIN_KEY: OWNER,
      RATE_LIMIT_PER_APP: '100000',
      SYNC_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS),
      SYNC_MAX_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS * 2),
    }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
    const created = await admin.newTenant(appId, WS);
    tenant = new TenantClient(base, created.accessKeyId, created.accessKeySecret);
    clientKey = created.clientKey;
  }, 60_000);

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const app = { appId, workspaceId: WS };
  const newConfig = async (body: Record<string, unknown>) => {
    const bizType = `B${randomBytes(4).toString('hex').toUpperCase()}`;
    const answer = await tenant.post('/v1/sync/configs', { ...app, bizType, description: 'e2e', ...body });
    expect(answer.status).toBe(201);
    return bizType;
  };
  const send = async (scope: 'single' | 'global', body: Record<string, unknown>) => {
    const answer = await tenant.post<{ code: string }>(`/v1/sync/${scope}`, { ...app, thirdMsgId: randomBytes(8).toString('hex'), ...body });
    return answer.body.code ?? JSON.stringify(answer.body);
  };
  const connect = async (handshake: Partial<FrameBody<'handshake'>> = {}) => {
    const { client, ack } = await CometTestClient.handshake(tcp, { ...app, clientKey, platform: 'ANDROID', appVersion: '1.0.0', ...handshake });
    open.push(client);
    return { client, token: ack.deviceToken };
  };
  const bind = async (client: CometTestClient, userId: string, sessionId = '') => {
    client.send(createFrame('bindUser', { userId, sessionId }, 7));
    expect((await client.next('rpcResult')).rpcResult).toMatchObject({ success: true });
  };
  const nextSync = async (client: CometTestClient, timeoutMs = 5000): Promise<SyncData> => (await client.next('syncData', timeoutMs)).syncData!;
  const ack = (client: CometTestClient, data: SyncData) => client.send(createFrame('syncAck', { bizType: data.bizType, key: data.key, oplogId: Math.max(...data.op.map((op) => op.id)) }));
  const payloads = (data: SyncData) => data.op.map((op) => op.pl);
  /** Receives and acks until `count` payloads arrived, in order. */
  const receive = async (client: CometTestClient, count: number): Promise<string[]> => {
    const got: string[] = [];
    while (got.length < count) {
      const data = await nextSync(client);
      got.push(...payloads(data));
      ack(client, data);
    }
    return got;
  };
  const expectNothing = async (client: CometTestClient, ms = ACK_TIMEOUT_MS * 3) => {
    await expect(client.next('syncData', ms)).rejects.toThrow(/no syncData/);
  };

  it('delivers device data at once to a connected device, in order, and to an offline device when it connects', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();
    for (const n of [1, 2, 3]) expect(await send('single', { bizType, linkToken: token, payload: `m${n}` })).toBe('SUCCESS');
    expect(await receive(client, 3)).toEqual(['m1', 'm2', 'm3']);

    client.close();
    await client.waitClosed();
    expect(await send('single', { bizType, linkToken: token, payload: 'while-away' })).toBe('SUCCESS');
    const again = await connect({ deviceToken: token });
    const data = await nextSync(again.client);
    expect(payloads(data)).toEqual(['while-away']);
    expect(data.op[0]!.id).toBe(4);
    ack(again.client, data);
    await expectNothing(again.client);
  });

  it('re-sends an unacknowledged batch after the ack timeout, then drops it after the first send and 6 re-sends', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();
    expect(await send('single', { bizType, linkToken: token, payload: 'never-acked' })).toBe('SUCCESS');
    const sends: number[] = [];
    for (let i = 0; i < 7; i++) sends.push((await nextSync(client, 10_000)).op[0]!.id);
    expect(sends).toEqual([1, 1, 1, 1, 1, 1, 1]);
    await expectNothing(client, ACK_TIMEOUT_MS * 4);
    // Dropped: the point moved past it, so the next oplog is all a reconnect gets.
    expect(await send('single', { bizType, linkToken: token, payload: 'next' })).toBe('SUCCESS');
    const data = await nextSync(client);
    expect(payloads(data)).toEqual(['next']);
    ack(client, data);
  }, 30_000);

  it('re-sends at once on reconnect what was sent and not acknowledged', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();
    expect(await send('single', { bizType, linkToken: token, payload: 'unacked' })).toBe('SUCCESS');
    expect(payloads(await nextSync(client))).toEqual(['unacked']);
    client.close();
    const again = await connect({ deviceToken: token });
    const data = await nextSync(again.client, ACK_TIMEOUT_MS);
    expect(payloads(data)).toEqual(['unacked']);
    ack(again.client, data);
    await expectNothing(again.client);
  });

  it('sends a user every device: connected ones at once, a device bound later on bind', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: true });
    const user = `user-${randomBytes(4).toString('hex')}`;
    const first = await connect();
    const second = await connect({ platform: 'IOS' });
    await bind(first.client, user);
    await bind(second.client, user);
    expect(await send('single', { bizType, linkToken: user, payload: 'to-all' })).toBe('SUCCESS');
    expect(await receive(first.client, 1)).toEqual(['to-all']);
    expect(await receive(second.client, 1)).toEqual(['to-all']);
    const later = await connect();
    await bind(later.client, user);
    expect(await receive(later.client, 1)).toEqual(['to-all']);
  });

  it('offers single-device data only to the most recently connected device, and never again once acknowledged', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: false, persistent: true });
    const user = `single-${randomBytes(4).toString('hex')}`;
    const older = await connect();
    await bind(older.client, user);
    const newer = await connect();
    await bind(newer.client, user);
    expect(await send('single', { bizType, linkToken: user, payload: 'once' })).toBe('SUCCESS');
    expect(await receive(newer.client, 1)).toEqual(['once']);
    await expectNothing(older.client);
    const another = await connect();
    await bind(another.client, user);
    await expectNothing(another.client);
  });

  it('answers NOT_ONLINE for non-persistent data nobody can receive, and never gives it to a device that connects later', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: false });
    const { client, token } = await connect();
    client.close();
    await client.waitClosed();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await send('single', { bizType, linkToken: token, payload: 'lost' })).toBe('NOT_ONLINE');
    const again = await connect({ deviceToken: token });
    expect(await send('single', { bizType, linkToken: token, payload: 'live' })).toBe('SUCCESS');
    expect(await receive(again.client, 1)).toEqual(['live']);
    again.client.close();
    const third = await connect({ deviceToken: token });
    await expectNothing(third.client);
  });

  it('sends only the newest N of a backlog (threshold), skipping expired data', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true, threshold: 3 });
    const { client, token } = await connect();
    client.close();
    await client.waitClosed();
    for (const n of [1, 2, 3, 4, 5]) expect(await send('single', { bizType, linkToken: token, payload: `b${n}` })).toBe('SUCCESS');
    expect(await send('single', { bizType, linkToken: token, payload: 'expiring', validTimeEnd: Date.now() + 300 })).toBe('SUCCESS');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await connect({ deviceToken: token });
    expect(await receive(again.client, 3)).toEqual(['b3', 'b4', 'b5']);
    await expectNothing(again.client);
  });

  it('catches up a backlog of several frames in order: the newest N that pass the filters, a frame after each ack', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true, threshold: 30 });
    const { client, token } = await connect();
    client.close();
    await client.waitClosed();
    // 3,000-character payloads: about 16 to a frame (48 KiB), so 30 take two frames; every fifth is for iOS only.
    const label = (n: number) => `c${n}:`.padEnd(3000, '.');
    for (let n = 1; n <= 50; n++) expect(await send('single', { bizType, linkToken: token, payload: label(n), ...(n % 5 === 0 ? { osType: 'IOS' } : {}) })).toBe('SUCCESS');
    const again = await connect({ deviceToken: token });
    const frames: string[][] = [];
    while (frames.flat().length < 30) {
      const data = await nextSync(again.client);
      frames.push(payloads(data));
      ack(again.client, data);
    }
    const forAndroid = Array.from({ length: 50 }, (_, i) => i + 1).filter((n) => n % 5 !== 0);
    expect(frames.flat()).toEqual(forAndroid.slice(-30).map(label));
    expect(frames.length).toBeGreaterThan(1);
    await expectNothing(again.client);
  });

  it('holds data with a future validTimeStart until then', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();
    expect(await send('single', { bizType, linkToken: token, payload: 'later', validTimeStart: Date.now() + 1500 })).toBe('SUCCESS');
    expect(await send('single', { bizType, linkToken: token, payload: 'now' })).toBe('SUCCESS');
    expect(await receive(client, 1)).toEqual(['now']);
    const data = await nextSync(client, 8000);
    expect(payloads(data)).toEqual(['later']);
    expect(data.op[0]!.id).toBe(2);
    ack(client, data);
  }, 15_000);

  it('sends global data to connected devices that pass the filters and to devices that connect later', async () => {
    const bizType = await newConfig({ pushRange: 'GLOBAL', pushObject: 'DEVICE' });
    const android = await connect({ platform: 'ANDROID', appVersion: '2.1.0' });
    const ios = await connect({ platform: 'IOS', appVersion: '2.1.0' });
    const old = await connect({ platform: 'ANDROID', appVersion: '1.9.9' });
    expect(await send('global', { bizType, payload: 'android-2', osType: 'ANDROID', appMinVersion: '2.0' })).toBe('SUCCESS');
    expect(await receive(android.client, 1)).toEqual(['android-2']);
    await expectNothing(ios.client);
    await expectNothing(old.client);
    const later = await connect({ platform: 'ANDROID', appVersion: '10.0' });
    expect(await receive(later.client, 1)).toEqual(['android-2']);
    await expectNothing(later.client);
  }, 20_000);

  it('takes the larger of the client sync point and the server one from the handshake', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();
    client.close();
    await client.waitClosed();
    for (const n of [1, 2, 3]) expect(await send('single', { bizType, linkToken: token, payload: `p${n}` })).toBe('SUCCESS');
    const again = await connect({ deviceToken: token, syncPoints: [{ bizType, key: token, oplogId: 2 }] });
    expect(await receive(again.client, 1)).toEqual(['p3']);
  });

  it('withholds user-consistency data until the tenant validates the session', async () => {
    const validations: Array<Record<string, string>> = [];
    const server: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const parsed = JSON.parse(body) as Record<string, string>;
        validations.push(parsed);
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ resultCode: 'OK', success: true, result: { sid: parsed.sessionId, valid: parsed.sessionId === 'good' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      expect((await admin.call('PATCH', `/admin/v1/apps/${WS}_${appId}/settings`, { syncValidationUrl: `http://127.0.0.1:${port}/validate` })).status).toBe(200);
      const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: true, userConsistency: true });
      const good = await connect();
      const bad = await connect();
      await bind(good.client, 'alice', 'good');
      await bind(bad.client, 'alice', 'stolen');
      expect(await send('single', { bizType, linkToken: 'alice', payload: 'secret' })).toBe('SUCCESS');
      expect(await receive(good.client, 1)).toEqual(['secret']);
      await expectNothing(bad.client);
      expect(validations).toEqual(expect.arrayContaining([expect.objectContaining({ operationType: 'com.antcloud.session.validate', instanceId: `${WS}_${appId}`, userId: 'alice', sessionId: 'good' })]));
    } finally {
      await admin.call('PATCH', `/admin/v1/apps/${WS}_${appId}/settings`, { syncValidationUrl: null });
      server.close();
    }
  });

  it('answers BIZ_NOT_ONLINE for an offline configuration and withholds its delivery until it is online again', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();
    expect(await send('single', { bizType, linkToken: token, payload: 'before' })).toBe('SUCCESS');
    expect(await receive(client, 1)).toEqual(['before']);
    expect((await tenant.post(`/v1/sync/configs/${bizType}/offline`, app)).status).toBe(200);
    expect(await send('single', { bizType, linkToken: token, payload: 'refused' })).toBe('BIZ_NOT_ONLINE');
  });
});
