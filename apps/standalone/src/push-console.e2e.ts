import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFrame, type FrameOf } from '@pushsync/protocol';
import { eventually } from '@pushsync/platform/testing';
import { AdminClient, CometTestClient, ServiceProcess, TenantClient, freePort, type CometTransport } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const WS = 'wconsole';
const APP_ID = 'consoleapp';
const INSTANCE = `${WS}_${APP_ID}`;
const DAY = 86_400_000;

type PushFrame = FrameOf<'pushMessage'>['pushMessage'] & object;
interface MessageItem {
  messageId: string;
  msgKey: string;
  targetId: string;
  type: string;
  statusCode: number;
  statusDesc: string;
  expireAt: number;
  createdAt: number;
  updatedAt: number;
}
type Paged<T> = { total: number; pageNumber: number; pageSize: number; items: T[] };
type Refusal = { code: string; numericCode?: number; message: string };

/**
 * The console's Message Push pages end to end (mps.md §2.7, §3.12–3.14, §6.1–6.4): pushes over
 * REST v1 to a device on a raw comet connection, which acknowledges and reports them opened; the
 * admin API then shows the messages, push details, tasks, device status and statistics.
 */
describe('standalone: push console', () => {
  let dataDir: string;
  let base: string;
  let tcp: CometTransport;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let viewer: AdminClient;
  let stranger: AdminClient;
  let tenant: TenantClient;
  let clientKey: string;
  let device: { client: CometTestClient; token: string };
  let simpleKey: string;
  let nobodyKey: string;
  let multipleTaskId: string;
  const app = { appId: APP_ID, workspaceId: WS };
  const startedAt = Date.now();

  const nextPush = async (client: CometTestClient): Promise<PushFrame> => (await client.next('pushMessage', 5000)).pushMessage!;
  const consoleGet = <T>(as: AdminClient, path: string) => as.call<T>('GET', `/admin/v1/apps/${INSTANCE}/push/${path}`);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-push-console-'));
    const [port, tcpPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    tcp = { kind: 'tcp', port: tcpPort };
    admin = new AdminClient(base, OWNER);
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), COMET_TCP_PORT: String(tcpPort), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '100000' }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
    const created = await admin.newTenant(APP_ID, WS);
    await admin.newTenant('elsewhere', WS);
    tenant = new TenantClient(base, created.accessKeyId, created.accessKeySecret);
    clientKey = created.clientKey;
    viewer = new AdminClient(base, (await admin.call<{ credential: string }>('POST', '/admin/v1/admin-keys', { name: 'auditor', role: 'viewer', apps: [INSTANCE] })).body.credential);
    stranger = new AdminClient(base, (await admin.call<{ credential: string }>('POST', '/admin/v1/admin-keys', { name: 'other-ops', role: 'operator', apps: [`${WS}_elsewhere`] })).body.credential);

    const { client, ack } = await CometTestClient.handshake(tcp, { ...app, clientKey, platform: 'ANDROID', appVersion: '2.0.0', manufacturer: 'Xiaomi' });
    device = { client, token: ack.deviceToken };
    client.send(createFrame('bindUser', { userId: 'alice', sessionId: '' }, 7));
    expect((await client.next('rpcResult')).rpcResult).toMatchObject({ success: true });

    simpleKey = `order-${randomBytes(4).toString('hex')}`;
    const simple = await tenant.post('/v1/push/simple', { ...app, taskName: 'console e2e', title: 'Hello', content: 'World', deliveryType: 1, targetMsgkey: { [device.token]: simpleKey }, expiredSeconds: 300 });
    expect(simple.status).toBe(200);
    const pushed = await nextPush(client);
    client.send(createFrame('pushAck', { msgId: pushed.msgId }));
    client.send(createFrame('pushReport', { msgId: pushed.msgId, kind: 'OPENED' }));

    nobodyKey = `m-${randomBytes(4).toString('hex')}`;
    const templateName = `tpl_${randomBytes(4).toString('hex')}`;
    expect((await tenant.post('/v1/templates', { ...app, name: templateName, title: 'Hi #name#', content: 'News' })).status).toBe(201);
    const multiple = await tenant.post<{ data: string }>('/v1/push/multiple', {
      ...app,
      taskName: 'spring sale',
      deliveryType: 3,
      templateName,
      expiredSeconds: 300,
      targetMsgs: [
        { target: 'alice', msgKey: `m-${randomBytes(4).toString('hex')}`, templateKeyValue: { name: 'Alice' } },
        { target: 'nobody-bound', msgKey: nobodyKey, templateKeyValue: { name: 'Nobody' } },
      ],
    });
    expect(multiple.status).toBe(200);
    multipleTaskId = multiple.body.data;
    const toAlice = await nextPush(client);
    expect(toAlice.title).toBe('Hi Alice');
    client.send(createFrame('pushAck', { msgId: toAlice.msgId }));
  }, 60_000);

  afterAll(async () => {
    device?.client.close();
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the simple messages with their status, finds the multiple ones only by search, and one by target and customer message id', async () => {
    const shown = async (query: string) => {
      const list = await consoleGet<Paged<MessageItem>>(viewer, `messages${query}`);
      expect(list.status).toBe(200);
      return { total: list.body.total, items: list.body.items.map((item) => [item.targetId, item.type, item.statusDesc]) };
    };
    await eventually(async () => {
      expect(await shown('')).toEqual({ total: 1, items: [[device.token, 'SIMPLE', 'Acked']] });
      expect(await shown('?targetId=alice')).toEqual({ total: 1, items: [['alice', 'MULTIPLE', 'Acked']] });
    });
    expect(await shown(`?msgKey=${nobodyKey}`)).toEqual({ total: 1, items: [['nobody-bound', 'MULTIPLE', 'NoBindInfo']] });
    const found = await consoleGet<Paged<MessageItem>>(admin, `messages?targetId=${device.token}&msgKey=${simpleKey}`);
    expect(found.body.items).toHaveLength(1);
    const [message] = found.body.items;
    expect(message).toMatchObject({ msgKey: simpleKey, statusCode: 2, expireAt: message!.createdAt + 300_000 });

    const details = await consoleGet<MessageItem & { deliveries: unknown[] }>(admin, `messages/${message!.messageId}`);
    expect(details.status).toBe(200);
    expect(details.body.deliveries).toEqual([{ token: device.token, statusCode: 2, statusDesc: 'Acked', channel: 'ANDROID', sends: 1, vendorCode: null, updatedAt: expect.any(Number) }]);
    const unknown = await consoleGet<Refusal>(admin, 'messages/no-such-message');
    expect(unknown.status).toBe(404);
    expect(unknown.body.numericCode).toBe(3028);
  });

  it('lists the multiple task with its counts and shows its details', async () => {
    await eventually(async () => {
      const tasks = await consoleGet<Paged<Record<string, unknown>>>(viewer, 'tasks');
      expect(tasks.body.items).toEqual([expect.objectContaining({ taskId: multipleTaskId, taskName: 'spring sale', type: 'MULTIPLE', pushArrivalNum: 1 })]);
    });
    const detail = await consoleGet<Record<string, unknown>>(viewer, `analysis/tasks/${multipleTaskId}`);
    expect(detail.body).toMatchObject({ taskId: multipleTaskId, pushArrivalNum: 1, duration: expect.stringMatching(/^\d{2,} hour \d{2} minute \d{2} seconds$/) });
    expect((await consoleGet<Paged<unknown>>(viewer, 'tasks?taskName=autumn')).body.items).toEqual([]);
  });

  it('shows the device status by device id and by user id', async () => {
    const byDevice = await consoleGet<{ devices: Record<string, unknown>[] }>(viewer, `devices?deviceId=${device.token}`);
    expect(byDevice.body.devices).toEqual([expect.objectContaining({ token: device.token, platform: 'ANDROID', manufacturer: 'Xiaomi', online: 'Online', userId: 'alice', boundAt: expect.any(Number), unboundAt: null })]);
    expect((await consoleGet<{ devices: { token: string }[] }>(viewer, 'devices?userId=alice')).body.devices.map((found) => found.token)).toEqual([device.token]);
    const neither = await consoleGet<Refusal>(viewer, 'devices');
    expect(neither.status).toBe(400);
    expect(neither.body.numericCode).toBe(3028);
  });

  it('counts pushed, arrived and opened messages for the usage analysis', async () => {
    const range = `startTime=${startedAt}&endTime=${Date.now()}`;
    await eventually(async () => {
      const index = await consoleGet<Record<string, number>>(viewer, `analysis/core-index?${range}`);
      expect(index.body).toEqual({ pushTotalNum: 2, pushNum: 2, arrivalNum: 2, openNum: 1, openRate: 50, ignoreNum: 0, ignoreRate: 0 });
    });
    expect((await consoleGet<Record<string, number>>(viewer, `analysis/core-index?${range}&type=SIMPLE&platform=ANDROID&channel=ANDROID`)).body).toMatchObject({ pushTotalNum: 1, openRate: 100 });
    expect((await consoleGet<Record<string, number>>(viewer, `analysis/core-index?${range}&taskId=${multipleTaskId}`)).body).toMatchObject({ pushTotalNum: 1, arrivalNum: 1, openNum: 0 });
    expect((await consoleGet<Record<string, number>>(viewer, `analysis/core-index?${range}&platform=IOS`)).body).toMatchObject({ pushTotalNum: 0 });

    const tooLong = await consoleGet<Refusal>(viewer, `analysis/core-index?startTime=${startedAt - 91 * DAY}&endTime=${startedAt}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({ numericCode: 3028, message: expect.stringMatching(/90 days/) });
    const unknownField = await consoleGet<Refusal>(viewer, `analysis/core-index?${range}&version=1`);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body).toMatchObject({ numericCode: 3028, message: expect.stringMatching(/version/) });
  });

  it('refuses an operator the app is not granted to', async () => {
    expect((await consoleGet(stranger, 'messages')).status).toBe(403);
    expect((await consoleGet(stranger, 'analysis/core-index?startTime=0&endTime=1')).status).toBe(403);
  });
});
