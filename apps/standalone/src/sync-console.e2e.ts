import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFrame, type FrameBody, type FrameOf } from '@pushsync/protocol';
import { AdminClient, CometTestClient, ServiceProcess, freePort, type CometTransport } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const OWNER_ID = OWNER.split('.')[0]!;
const WS = 'wscon';
const APP_ID = 'console';
const INSTANCE = `${WS}_${APP_ID}`;
const DAY_MS = 86_400_000;

type SyncData = FrameOf<'syncData'>['syncData'] & object;
interface OperationRow {
  operator: string;
  action: string;
  time: string;
  details: Record<string, unknown>;
}
interface PushRow {
  bizType: string;
  key: string;
  oplogId: number;
  thirdMsgId: string | null;
  status: string;
  sentAt: string | null;
  device: string | null;
}
interface StatusView {
  target: { type: string; id: string };
  connected: boolean;
  connectedDevices: string[];
  pushes30d: number;
  arrivals30d: number;
  pushList: PushRow[];
}

/** The console's New Sync, User/Device Status Query and signature switch (mss.md §5.3-§5.5, §5.7) on the standalone process. */
describe('standalone: sync console', () => {
  let dataDir: string;
  let base: string;
  let tcp: CometTransport;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let operator: AdminClient;
  let operatorId: string;
  let viewer: AdminClient;
  let clientKey: string;
  const open: CometTestClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-console-'));
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
      SYNC_ACK_TIMEOUT_MS: '400',
      SYNC_MAX_ACK_TIMEOUT_MS: '800',
    }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
    clientKey = (await admin.call<{ clientKey: string }>('POST', '/admin/v1/apps', { appId: APP_ID, workspaceId: WS })).body.clientKey;
    const issued = await admin.call<{ id: string; credential: string }>('POST', '/admin/v1/admin-keys', { name: 'ops', role: 'operator', apps: [INSTANCE] });
    operator = new AdminClient(base, issued.body.credential);
    operatorId = issued.body.id;
    viewer = new AdminClient(base, (await admin.call<{ credential: string }>('POST', '/admin/v1/admin-keys', { name: 'auditor', role: 'viewer', apps: [INSTANCE] })).body.credential);
  }, 60_000);

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const newConfig = async (body: Record<string, unknown>) => {
    const bizType = `C${randomBytes(4).toString('hex').toUpperCase()}`;
    const answer = await admin.call('POST', `/admin/v1/apps/${INSTANCE}/sync/configs`, { bizType, description: 'console e2e', ...body });
    expect(answer.status).toBe(201);
    return bizType;
  };
  const newSync = (as: AdminClient, body: Record<string, unknown>) => as.call<{ code: string; thirdMsgId: string; requestId: string; message?: string }>('POST', `/admin/v1/apps/${INSTANCE}/sync/data`, body);
  const status = (as: AdminClient, query: string) => as.call<StatusView & { code?: string }>('GET', `/admin/v1/apps/${INSTANCE}/sync/status?${query}`);
  /** Acks are settled by sync-core after the frame: the status catches up within a moment. */
  const statusWhen = async (query: string, ready: (view: StatusView) => boolean): Promise<StatusView> => {
    for (let tries = 0; ; tries++) {
      const view = (await status(admin, query)).body;
      if (ready(view) || tries === 50) return view;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const operations = async (query: Record<string, string>) => {
    const answer = await admin.call<{ operations: OperationRow[] }>('GET', `/admin/v1/operations?${new URLSearchParams({ instanceId: INSTANCE, ...query }).toString()}`);
    expect(answer.status).toBe(200);
    return answer.body.operations;
  };
  const connect = async (handshake: Partial<FrameBody<'handshake'>> = {}) => {
    const { client, ack } = await CometTestClient.handshake(tcp, { appId: APP_ID, workspaceId: WS, clientKey, platform: 'ANDROID', appVersion: '2.0.0', ...handshake });
    open.push(client);
    return { client, token: ack.deviceToken };
  };
  const bind = async (client: CometTestClient, userId: string) => {
    client.send(createFrame('bindUser', { userId, sessionId: '' }, 7));
    expect((await client.next('rpcResult')).rpcResult).toMatchObject({ success: true });
  };
  const nextSync = async (client: CometTestClient, timeoutMs = 5000): Promise<SyncData> => (await client.next('syncData', timeoutMs)).syncData!;
  const ack = (client: CometTestClient, data: SyncData) => client.send(createFrame('syncAck', { bizType: data.bizType, key: data.key, oplogId: Math.max(...data.op.map((op) => op.id)) }));

  it('sends New Sync data to a device with a generated unique ID, records it as NEW_SYNC, and refuses a viewer', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();
    const before = Date.now();

    const sent = await newSync(operator, { bizType, linkToken: token, payload: 'from the console', thirdMsgId: '  ', appMinVersion: '1.0', validityDays: 2 });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ code: 'SUCCESS', requestId: expect.any(String) });
    expect(sent.body.thirdMsgId).toMatch(/^[0-9a-f-]{36}$/);
    const data = await nextSync(client);
    expect(data.op.map((op) => op.pl)).toEqual(['from the console']);
    ack(client, data);

    expect((await newSync(operator, { bizType, linkToken: token, payload: 'again', thirdMsgId: sent.body.thirdMsgId })).body.code).toBe('DUPLICATED_BIZ_ID');
    const refused = await newSync(viewer, { bizType, linkToken: token, payload: 'viewer' });
    expect(refused.status).toBe(403);

    const [record] = await operations({ action: 'NEW_SYNC', operator: operatorId });
    expect(record!.details).toMatchObject({ bizType, linkToken: token, payload: 'from the console', thirdMsgId: sent.body.thirdMsgId, appMinVersion: '1.0', appMaxVersion: null, platforms: null });
    const validTimeEnd = record!.details['validTimeEnd'] as number;
    expect(validTimeEnd).toBeGreaterThanOrEqual(before + 2 * DAY_MS);
    expect(validTimeEnd).toBeLessThanOrEqual(Date.now() + 2 * DAY_MS);
  });

  it('checks the form against the configuration: target for SPECIFY only, systems as the osType filter, unknown or offline bizTypes', async () => {
    const global = await newConfig({ pushRange: 'GLOBAL', pushObject: 'DEVICE' });
    const device = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true });
    const { client, token } = await connect();

    expect((await newSync(admin, { bizType: global, linkToken: token, payload: 'x' })).body).toMatchObject({ code: 'ARGS_INVALID', message: expect.stringContaining('linkToken') });
    expect((await newSync(admin, { bizType: device, payload: 'x' })).body.code).toBe('ARGS_IS_NULL');
    expect((await newSync(admin, { bizType: 'NO-SUCH', linkToken: token, payload: 'x' })).body.code).toBe('BIZ_NOT_ONLINE');
    expect((await newSync(admin, { bizType: device, linkToken: token, payload: 'x', validityDays: 31 })).body.code).toBe('ARGS_INVALID');
    expect((await newSync(admin, { bizType: device, linkToken: token, payload: 'x', systems: ['SYMBIAN'] })).body.code).toBe('ARGS_INVALID');

    expect((await newSync(admin, { bizType: global, payload: 'ios only', systems: ['IOS'] })).body.code).toBe('SUCCESS');
    expect((await newSync(admin, { bizType: global, payload: 'every platform', systems: ['ANDROID', 'IOS', 'HARMONYOS', 'WEB'] })).body.code).toBe('SUCCESS');
    const data = await nextSync(client);
    expect(data.op.map((op) => op.pl)).toEqual(['every platform']);
    ack(client, data);

    // Offline, so the devices of the later tests get no global data.
    for (const bizType of [device, global]) expect((await admin.call('POST', `/admin/v1/apps/${INSTANCE}/sync/configs/${bizType}/offline`)).status).toBe(200);
    expect((await newSync(admin, { bizType: device, linkToken: token, payload: 'x' })).body.code).toBe('BIZ_NOT_ONLINE');
  });

  it('shows a device and a user: connection, pushes and arrivals in 30 days, and the push list with statuses', async () => {
    const user = `u-${randomBytes(4).toString('hex')}`;
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: true });
    const first = await connect();
    await bind(first.client, user);
    const second = await connect();
    await bind(second.client, user);

    for (const payload of ['one', 'two']) expect((await newSync(admin, { bizType, linkToken: user, payload, thirdMsgId: `${user}-${payload}` })).body.code).toBe('SUCCESS');
    // A slow ack may see a batch re-sent: ack every frame until both payloads came.
    const received = new Set<string>();
    while (received.size < 2) {
      const data = await nextSync(first.client);
      for (const op of data.op) received.add(op.pl);
      ack(first.client, data);
    }
    // The second device never acks: with one batch in flight per channel it only ever gets "one".
    expect((await nextSync(second.client)).op.map((op) => op.pl)).toEqual(['one']);

    await statusWhen(`userId=${user}`, (view) => view.arrivals30d === 2);
    const ofUser = await status(viewer, `userId=${user}`);
    expect(ofUser.status).toBe(200);
    expect(ofUser.body).toMatchObject({ target: { type: 'USER', id: user }, connected: true, connectedDevices: [first.token, second.token].sort(), pushes30d: 2, arrivals30d: 2 });
    const rowsOf = (view: StatusView, device: string) => view.pushList.filter((row) => row.device === device).map((row) => [row.thirdMsgId, row.status]);
    expect(ofUser.body.pushList).toHaveLength(3);
    expect(rowsOf(ofUser.body, first.token)).toEqual([
      [`${user}-two`, 'ACKED'],
      [`${user}-one`, 'ACKED'],
    ]);
    expect(rowsOf(ofUser.body, second.token)).toEqual([[`${user}-one`, 'PENDING']]);

    const ofDevice = await status(admin, `deviceToken=${second.token}`);
    expect(ofDevice.body).toMatchObject({ target: { type: 'DEVICE', id: second.token }, connected: true, connectedDevices: [second.token], pushes30d: 1, arrivals30d: 0 });
    // "two" was never sent to it: owed, so PENDING without a send time.
    expect(ofDevice.body.pushList.filter((row) => row.bizType === bizType).map((row) => [row.thirdMsgId, row.status, row.sentAt === null])).toEqual(
      expect.arrayContaining([
        [`${user}-two`, 'PENDING', true],
        [`${user}-one`, 'PENDING', false],
      ]),
    );
    second.client.close();
    await second.client.waitClosed();
    const afterClose = await statusWhen(`deviceToken=${second.token}`, (view) => !view.connected);
    expect(afterClose).toMatchObject({ connected: false, connectedDevices: [] });

    expect((await status(admin, `userId=${user}&deviceToken=${first.token}`)).body.code).toBe('ARGS_INVALID');
    expect((await status(admin, '')).body.code).toBe('ARGS_INVALID');
  });

  it('derives TRIMMED for data the threshold passed over', async () => {
    const bizType = await newConfig({ pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true, threshold: 1 });
    const { client, token } = await connect();
    client.close();
    await client.waitClosed();
    for (const payload of ['old', 'new']) expect((await newSync(admin, { bizType, linkToken: token, payload, thirdMsgId: payload })).body.code).toBe('SUCCESS');
    const again = await connect({ deviceToken: token });
    const data = await nextSync(again.client);
    expect(data.op.map((op) => op.pl)).toEqual(['new']);
    ack(again.client, data);

    const acked = await statusWhen(`deviceToken=${token}`, (view) => view.arrivals30d === 1);
    const rows = acked.pushList.filter((row) => row.bizType === bizType);
    expect(rows.map((row) => [row.thirdMsgId, row.status])).toEqual([
      ['new', 'ACKED'],
      ['old', 'TRIMMED'],
    ]);
  });

  it('records the signature switch as Open / Close Signature in the operation records', async () => {
    expect((await operator.call('PATCH', `/admin/v1/apps/${INSTANCE}/settings`, { signatureEnabled: false })).status).toBe(200);
    expect((await operator.call('PATCH', `/admin/v1/apps/${INSTANCE}/settings`, { signatureEnabled: true })).status).toBe(200);

    const records = await operations({ operator: operatorId });
    expect(records.slice(0, 2).map((record) => [record.action, record.details])).toEqual([
      ['OPEN_SIGNATURE', { signatureEnabled: { from: false, to: true } }],
      ['CLOSE_SIGNATURE', { signatureEnabled: { from: true, to: false } }],
    ]);
    expect((await operations({ action: 'CLOSE_SIGNATURE' })).map((record) => record.operator)).toEqual([operatorId]);
    expect(records[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await operations({ operator: OWNER_ID, action: 'OPEN_SIGNATURE' })).toEqual([]);
  });
});
