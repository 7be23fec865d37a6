import { createVerify, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import RPCClient from '@alicloud/pop-core';
import { createFrame, type FrameBody, type FrameOf } from '@pushsync/protocol';
import { eventually, sleep } from '@pushsync/platform/testing';
import { AdminClient, CometTestClient, TenantClient, startPlatform, type CometTransport } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const WS = 'wpush';

type PushFrame = FrameOf<'pushMessage'>['pushMessage'] & object;
interface ReceivedReceipt {
  body: { msgId: string; pushSuccess: boolean; statusCode: string; statusDesc: string; targetId: string; extInfo: { adToken: string; osType: string } };
  verified: boolean;
}
type RpcAnswer = { RequestId: string; ResultCode: string; ResultMessage: string; PushResult?: { Success: boolean; ResultMsg: string; Data?: string } };

/**
 * Message Push on the self-built channel end to end (mps.md §2.5–2.6, §3.1–3.4, §3.10–3.11,
 * §3.19; DECISIONS D4): tenant pushes through REST v1 and the mPaaS face, devices on raw comet
 * connections so every frame is visible, receipts checked by a receiver written here that
 * verifies the platform key's signature as §3.19 tells tenants to.
 */
describe.each(['standalone', 'cluster'] as const)('%s: push delivery', (mode) => {
  let base: string;
  let tcp: CometTransport;
  let stopPlatform: (() => Promise<void>) | undefined;
  let admin: AdminClient;
  let tenant: TenantClient;
  let rpc: RPCClient;
  let clientKey: string;
  let receiver: Server;
  let publicKey: string;
  const receipts: ReceivedReceipt[] = [];
  const appId = 'pushapp';
  const open: CometTestClient[] = [];

  beforeAll(async () => {
    const platform = await startPlatform(mode, 'pushdelivery', OWNER, { RATE_LIMIT_PER_APP: '100000', PUSH_EXPIRY_SWEEP_MS: '200' });
    stopPlatform = () => platform.stop();
    tcp = { kind: 'tcp', port: platform.cometPort };
    base = platform.base;
    admin = new AdminClient(base, OWNER);
    const created = await admin.newTenant(appId, WS);
    tenant = new TenantClient(base, created.accessKeyId, created.accessKeySecret);
    rpc = new RPCClient({ accessKeyId: created.accessKeyId, accessKeySecret: created.accessKeySecret, endpoint: base, apiVersion: '2019-08-21' });
    clientKey = created.clientKey;
    publicKey = (await admin.call<{ publicKey: string }>('GET', `/admin/v1/apps/${WS}_${appId}/platform-key`)).body.publicKey;
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks);
        const sign = new URL(request.url ?? '/', 'http://receiver').searchParams.get('sign') ?? '';
        const verified = createVerify('RSA-SHA256').update(body).verify(publicKey, Buffer.from(sign.replaceAll('-', '+').replaceAll('_', '/'), 'base64'));
        receipts.push({ body: JSON.parse(body.toString('utf8')) as ReceivedReceipt['body'], verified });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiptUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/receipts`;
    expect((await admin.call('PATCH', `/admin/v1/apps/${WS}_${appId}/settings`, { receiptStatus: true, receiptUrl })).status).toBe(200);
  }, 180_000);

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await stopPlatform?.();
    await new Promise((resolve) => receiver?.close(resolve));
  }, 60_000);

  const app = { appId, workspaceId: WS };
  const unique = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;
  const connect = async (handshake: Partial<FrameBody<'handshake'>> = {}) => {
    const { client, ack } = await CometTestClient.handshake(tcp, { ...app, clientKey, platform: 'ANDROID', appVersion: '1.0.0', ...handshake });
    open.push(client);
    return { client, token: ack.deviceToken };
  };
  const bind = async (client: CometTestClient, userId: string) => {
    client.send(createFrame('bindUser', { userId, sessionId: '' }, 7));
    expect((await client.next('rpcResult')).rpcResult).toMatchObject({ success: true });
  };
  const nextPush = async (client: CometTestClient, timeoutMs = 5000): Promise<PushFrame> => (await client.next('pushMessage', timeoutMs)).pushMessage!;
  const ackPush = (client: CometTestClient, message: PushFrame) => client.send(createFrame('pushAck', { msgId: message.msgId }));
  const simple = (targetMsgkey: Record<string, string>, extra: Record<string, unknown> = {}) =>
    tenant.post<{ code: string; data: string; taskId: string; numericCode?: number; message?: string }>('/v1/push/simple', { ...app, taskName: 'e2e', title: 'Hello', content: 'World', deliveryType: 1, targetMsgkey: JSON.stringify(targetMsgkey), expiredSeconds: 300, ...extra });
  const receiptsFor = (msgId: string) => receipts.filter((receipt) => receipt.body.msgId === msgId);

  it('pushes a simple message to a connected Android device at once; its ack is Acked (2) and sends a signed receipt', async () => {
    const { client, token } = await connect();
    const msgKey = unique('simple');
    const answer = await simple({ [token]: msgKey }, { uri: 'https://example.com/a', extendedParams: { key1: 'value1', badge: '3' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ code: 'OK', data: '' });
    const message = await nextPush(client);
    expect(message).toMatchObject({ title: 'Hello', content: 'World', uri: 'https://example.com/a', action: '0', silent: false, taskId: answer.body.taskId });
    expect(message.extParams).toMatchObject({ key1: 'value1', badge: '3', pushType: 'SIMPLE', channel: 'ANDROID', taskId: answer.body.taskId, notifyType: 'notify' });
    ackPush(client, message);
    await eventually(() => expect(receiptsFor(msgKey)).toHaveLength(1));
    expect(receiptsFor(msgKey)[0]).toEqual({
      verified: true,
      body: { msgId: msgKey, pushSuccess: true, statusCode: '2', statusDesc: 'Acked', targetId: token, extInfo: { adToken: token, osType: 'android' } },
    });
  });

  it('keeps a message for an offline device (status 0) and resends it when the device connects within validity, once acked never again', async () => {
    const first = await connect();
    first.client.close();
    await first.client.waitClosed();
    const msgKey = unique('offline');
    expect((await simple({ [first.token]: msgKey })).status).toBe(200);
    const again = await connect({ deviceToken: first.token });
    const message = await nextPush(again.client);
    expect(message.title).toBe('Hello');
    ackPush(again.client, message);
    await eventually(() => expect(receiptsFor(msgKey)).toHaveLength(1));
    again.client.close();
    await again.client.waitClosed();
    const third = await connect({ deviceToken: first.token });
    await expect(third.client.next('pushMessage', 1500)).rejects.toThrow(/no pushMessage/);
  });

  it('resends an unacknowledged message on reconnect', async () => {
    const { client, token } = await connect();
    expect((await simple({ [token]: unique('unacked') })).status).toBe(200);
    const first = await nextPush(client);
    client.close();
    await client.waitClosed();
    const again = await connect({ deviceToken: token });
    expect((await nextPush(again.client)).msgId).toBe(first.msgId);
  });

  it('pushes to a user: every bound device gets it; a user without a binding (status 1) gets it at the bind, within validity', async () => {
    const userId = unique('user');
    const phone = await connect();
    const tablet = await connect();
    await bind(phone.client, userId);
    await bind(tablet.client, userId);
    expect((await simple({ [userId]: unique('user-msg') }, { deliveryType: 3 })).status).toBe(200);
    const [onPhone, onTablet] = await Promise.all([nextPush(phone.client), nextPush(tablet.client)]);
    expect(onPhone.msgId).toBe(onTablet.msgId);

    const later = unique('later-user');
    const msgKey = unique('nobind');
    expect((await simple({ [later]: msgKey }, { deliveryType: 3 })).status).toBe(200);
    const device = await connect();
    await expect(device.client.next('pushMessage', 800)).rejects.toThrow(/no pushMessage/);
    await bind(device.client, later);
    const message = await nextPush(device.client);
    ackPush(device.client, message);
    await eventually(() => expect(receiptsFor(msgKey).map((receipt) => receipt.body.targetId)).toEqual([later]));
  });

  it('sends a message waiting for a binding when the tenant server binds the device over REST v1', async () => {
    const userId = unique('rest-user');
    expect((await simple({ [userId]: unique('rest-bind') }, { deliveryType: 3 })).status).toBe(200);
    const device = await connect();
    const bound = await tenant.post('/v1/devices/bind', { ...app, deliveryToken: device.token, userId });
    expect(bound.status).toBe(200);
    expect((await nextPush(device.client)).title).toBe('Hello');
  });

  it('renders template pushes, and a multiple push sends each target its own values and answers the task id', async () => {
    const templateName = `tpl_${randomBytes(4).toString('hex')}`;
    const created = await tenant.post('/v1/templates', { ...app, name: templateName, title: 'Hi #name#', content: 'You won #money#', uri: 'https://example.com/#name#', displayType: 'SILENT', style: 1, action: 1 });
    expect(created.status).toBe(201);
    const a = await connect();
    const b = await connect();
    const single = await tenant.post<{ code: string }>('/v1/push/template', { ...app, taskName: 't', deliveryType: 1, targetMsgkey: { [a.token]: unique('tpl') }, expiredSeconds: 60, templateName, templateKeyValue: { name: 'Bob', money: '200' } });
    expect(single.status).toBe(200);
    expect(await nextPush(a.client)).toMatchObject({ title: 'Hi Bob', content: 'You won 200', uri: 'https://example.com/Bob', silent: true, style: 1, action: '1' });

    const multiple = await tenant.post<{ code: string; data: string }>('/v1/push/multiple', {
      ...app,
      taskName: 'm',
      deliveryType: 1,
      templateName,
      expiredSeconds: 60,
      targetMsgs: [
        { target: a.token, msgKey: unique('m'), templateKeyValue: { name: 'Ann', money: '1' } },
        { target: b.token, msgKey: unique('m'), templateKeyValue: { name: 'Ben', money: '2' }, extendedParams: { seat: '7' } },
      ],
    });
    expect(multiple.status).toBe(200);
    expect(multiple.body.data).toMatch(/^[0-9a-f]{32}$/);
    const [toA, toB] = await Promise.all([nextPush(a.client), nextPush(b.client)]);
    expect([toA.title, toB.title]).toEqual(['Hi Ann', 'Hi Ben']);
    expect(toB.extParams.seat).toBe('7');
    expect(toA.taskId).toBe(multiple.body.data);

    const missing = await tenant.post<{ numericCode: number }>('/v1/push/template', { ...app, taskName: 't', deliveryType: 1, targetMsgkey: { [a.token]: unique('tpl') }, expiredSeconds: 60, templateName, templateKeyValue: { name: 'Bob' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'TEMPLATEKV_NOT_ENOUGH', numericCode: 3023 });
    const unknown = await tenant.post<{ numericCode: number }>('/v1/push/template', { ...app, taskName: 't', deliveryType: 1, targetMsgkey: { [a.token]: unique('tpl') }, expiredSeconds: 60, templateName: 'no_such_template' });
    expect(unknown.body).toMatchObject({ code: 'TEMPLATE_NOT_EXIST', numericCode: 3022 });
  });

  it('broadcasts to every connected device of the platform in the audience, once per device, counts its progress to the end, and reaches a device connecting later within validity', async () => {
    const templateName = `bc_${randomBytes(4).toString('hex')}`;
    expect((await tenant.post('/v1/templates', { ...app, name: templateName, title: 'News', content: 'For everyone' })).status).toBe(201);
    const userId = unique('bcuser');
    const bound = await connect();
    await bind(bound.client, userId);
    const unbound = await connect();
    const web = await connect({ platform: 'WEB' });
    const answer = await tenant.post<{ data: string }>('/v1/push/broadcast', { ...app, taskName: 'b', deliveryType: 1, msgkey: unique('bc'), templateName, expiredSeconds: 60 });
    expect(answer.status).toBe(200);
    const message = await nextPush(bound.client);
    expect(message).toMatchObject({ title: 'News', taskId: answer.body.data });
    ackPush(bound.client, message);
    await expect(unbound.client.next('pushMessage', 800)).rejects.toThrow(/no pushMessage/);
    await expect(web.client.next('pushMessage', 200)).rejects.toThrow(/no pushMessage/);
    await eventually(async () => {
      const detail = await tenant.get<{ pushNum: number; endTime: number | null }>('/v1/push/analysis/task-detail', { ...app, taskId: answer.body.data });
      expect(detail.body.pushNum).toBeGreaterThanOrEqual(1);
      expect(detail.body.endTime).toEqual(expect.any(Number));
    });

    const lateUser = unique('late');
    const late = await connect();
    await bind(late.client, lateUser);
    late.client.close();
    await late.client.waitClosed();
    const lateAgain = await connect({ deviceToken: late.token });
    expect((await nextPush(lateAgain.client)).msgId).toBe(message.msgId);

    bound.client.close();
    await bound.client.waitClosed();
    const boundAgain = await connect({ deviceToken: bound.token });
    await expect(boundAgain.client.next('pushMessage', 1500)).rejects.toThrow(/no pushMessage/);
  });

  it('broadcasts to iOS once per user: a device connecting later within validity gets it unless a device of its user acknowledged it', async () => {
    const templateName = `bc_${randomBytes(4).toString('hex')}`;
    expect((await tenant.post('/v1/templates', { ...app, name: templateName, title: 'News', content: 'For iOS' })).status).toBe(201);
    const userId = unique('iosuser');
    const reached = await connect({ platform: 'IOS' });
    await bind(reached.client, userId);
    const sibling = await connect({ platform: 'IOS' });
    await bind(sibling.client, userId);
    sibling.client.close();
    await sibling.client.waitClosed();
    const other = await connect({ platform: 'IOS' });
    await bind(other.client, unique('iosother'));
    other.client.close();
    await other.client.waitClosed();
    const msgkey = unique('bcios');
    expect((await tenant.post('/v1/push/broadcast', { ...app, taskName: 'b', deliveryType: 2, msgkey, templateName, expiredSeconds: 60 })).status).toBe(200);
    const message = await nextPush(reached.client);
    ackPush(reached.client, message);
    await eventually(() => expect(receiptsFor(msgkey)).toHaveLength(1));
    // push-core reads the live broadcasts at most once a second: the reconnects below must find this one.
    await sleep(1100);

    const otherAgain = await connect({ platform: 'IOS', deviceToken: other.token });
    expect((await nextPush(otherAgain.client)).msgId).toBe(message.msgId);
    const siblingAgain = await connect({ platform: 'IOS', deviceToken: sibling.token });
    await expect(siblingAgain.client.next('pushMessage', 1500)).rejects.toThrow(/no pushMessage/);
  });

  it('revokes: an undelivered message is cancelled (Revoked receipt, never sent), a delivered one raises a revoke frame on the device', async () => {
    const offline = await connect();
    offline.client.close();
    await offline.client.waitClosed();
    const pending = unique('rv-pending');
    expect((await simple({ [offline.token]: pending })).status).toBe(200);
    expect((await tenant.post('/v1/push/revoke/message', { ...app, messageId: pending, targetId: offline.token })).status).toBe(200);
    await eventually(() => expect(receiptsFor(pending).map((receipt) => receipt.body.statusCode)).toEqual(['3']));
    const back = await connect({ deviceToken: offline.token });
    await expect(back.client.next('pushMessage', 1500)).rejects.toThrow(/no pushMessage/);

    const delivered = unique('rv-delivered');
    expect((await simple({ [back.token]: delivered })).status).toBe(200);
    const message = await nextPush(back.client);
    ackPush(back.client, message);
    await eventually(() => expect(receiptsFor(delivered)).toHaveLength(1));
    expect((await tenant.post('/v1/push/revoke/message', { ...app, messageId: delivered, targetId: back.token })).status).toBe(200);
    expect((await back.client.next('revoke')).revoke).toEqual({ msgId: message.msgId });

    const unknown = await tenant.post<{ numericCode: number; message: string }>('/v1/push/revoke/message', { ...app, messageId: 'never-sent', targetId: back.token });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ numericCode: 3028, message: expect.stringMatching(/7 days/) });
  });

  it('expires a message nobody received within its validity (status 4, Expired receipt) and never sends it after', async () => {
    const offline = await connect();
    offline.client.close();
    await offline.client.waitClosed();
    const msgKey = unique('expiring');
    expect((await simple({ [offline.token]: msgKey }, { expiredSeconds: 1 })).status).toBe(200);
    await eventually(() => expect(receiptsFor(msgKey).map((receipt) => receipt.body)).toEqual([expect.objectContaining({ statusCode: '4', statusDesc: 'Expired', pushSuccess: false })]), 10_000);
    const back = await connect({ deviceToken: offline.token });
    await expect(back.client.next('pushMessage', 1000)).rejects.toThrow(/no pushMessage/);
  });

  it('answers the mPaaS face in its envelope: PushSimple signed by @alicloud/pop-core, and refusals with the code name', async () => {
    const { client, token } = await connect();
    const accepted = (await rpc.request('PushSimple', { AppId: appId, WorkspaceId: WS, TaskName: 'rpc', Title: 'From', Content: 'RPC', DeliveryType: '1', TargetMsgkey: JSON.stringify({ [token]: unique('rpc') }), ExpiredSeconds: '300' }, { method: 'POST' })) as RpcAnswer;
    expect(accepted).toMatchObject({ ResultCode: 'OK', PushResult: { Success: true, Data: '' } });
    expect((await nextPush(client)).content).toBe('RPC');
    const refused = (await rpc.request('PushSimple', { AppId: appId, WorkspaceId: WS, Title: 'x', Content: 'y', DeliveryType: '1', TargetMsgkey: JSON.stringify({ [token]: 'k' }), ExpiredSeconds: '300' }, { method: 'POST' })) as RpcAnswer;
    expect(refused).toMatchObject({ ResultCode: 'TASKNAME_NULL', PushResult: { Success: false } });
  });

  it('answers 3032 on both faces when the app’s API switch is off', async () => {
    expect((await admin.call('PATCH', `/admin/v1/apps/${WS}_${appId}/settings`, { apiEnabled: false })).status).toBe(200);
    try {
      const rest = await simple({ x: 'y' });
      expect(rest.status).toBe(403);
      expect(rest.body).toMatchObject({ code: 'REST_API_SWITCH_NOT_OPEN', numericCode: 3032 });
      const viaRpc = (await rpc.request('PushSimple', { AppId: appId, WorkspaceId: WS, TaskName: 'rpc' }, { method: 'POST' })) as RpcAnswer;
      expect(viaRpc.ResultCode).toBe('REST_API_SWITCH_NOT_OPEN');
    } finally {
      expect((await admin.call('PATCH', `/admin/v1/apps/${WS}_${appId}/settings`, { apiEnabled: true })).status).toBe(200);
    }
  });
});
