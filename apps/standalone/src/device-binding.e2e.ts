import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFrame } from '@pushsync/protocol';
import { AdminClient, CometTestClient, ServiceProcess, TenantClient, freePort, type CometTransport, type HttpAnswer } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const WS = 'wsd';

interface RpcResult {
  success: boolean;
  code: number;
  name: string;
  message: string;
}
interface Refusal {
  code: string;
  numericCode?: number;
}
type Report = RpcResult & { deliveryToken?: string; tokenIssued?: boolean };

/** Device bindings over HTTP (REST v1 for tenant servers, client endpoints for connectionless devices) on the standalone process. */
describe('standalone: device bindings over HTTP', () => {
  let dataDir: string;
  let base: string;
  let tcp: CometTransport;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  const open: CometTestClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-devices-'));
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
    }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
  }, 60_000);

  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const tenantOf = async (appId: string) => {
    const tenant = await admin.newTenant(appId, WS);
    const app = await admin.call<{ clientKey: string }>('GET', `/admin/v1/apps/${WS}_${appId}`);
    expect(app.status).toBe(200);
    return { client: new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret), app: { appId, workspaceId: WS }, clientKey: app.body.clientKey };
  };
  const clientPost = async <T = RpcResult>(path: string, body: unknown): Promise<HttpAnswer<T>> => {
    const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as T };
  };
  const refused = (answer: HttpAnswer<unknown>) => {
    const body = answer.body as Refusal;
    return [answer.status, body.code, body.numericCode];
  };
  const rpc = (answer: HttpAnswer<RpcResult>) => [answer.status, answer.body.success, answer.body.code, answer.body.name];
  /** A device registered over the client endpoint (as an APNs-only iOS device would). */
  const reportedDevice = async (app: { appId: string; workspaceId: string }, clientKey: string) => {
    const answer = await clientPost<Report>('/client/v1/devices/report', { ...app, clientKey, platform: 'IOS', vendor: 'APNS', vendorToken: randomBytes(32).toString('hex') });
    expect(answer.body).toMatchObject({ success: true, code: 100, tokenIssued: true });
    return answer.body.deliveryToken!;
  };

  it('binds and unbinds over signed REST v1 with the RPC result under result', async () => {
    const { client, app, clientKey } = await tenantOf('app-bind');
    const token = await reportedDevice(app, clientKey);
    const bound = await client.post<{ code: string; requestId: string; result: RpcResult }>('/v1/devices/bind', { ...app, deliveryToken: token, userId: 'u-1' });
    expect([bound.status, bound.body]).toEqual([200, { code: 'OK', requestId: expect.any(String), result: { success: true, code: 100, name: 'SUCCESS', message: 'success' } }]);
    // Unbinding another user leaves the binding; unbinding the bound one (or anyone) removes it, idempotently.
    expect((await client.post('/v1/devices/unbind', { ...app, deliveryToken: token, userId: 'someone-else' })).status).toBe(200);
    const unbound = await client.post<{ code: string; result: RpcResult }>('/v1/devices/unbind', { ...app, deliveryToken: token });
    expect([unbound.status, unbound.body.code, unbound.body.result.code]).toEqual([200, 'OK', 100]);
    expect((await client.post('/v1/devices/unbind', { ...app, deliveryToken: token, userId: 'u-1' })).status).toBe(200);
  });

  it('answers each REST v1 rule with its code', async () => {
    const { client, app, clientKey } = await tenantOf('app-codes');
    const token = await reportedDevice(app, clientKey);
    expect(refused(await client.post('/v1/devices/bind', { ...app, deliveryToken: token, userId: '' }))).toEqual([400, 'NEED_USERID', 3012]);
    expect(refused(await client.post('/v1/devices/bind', { ...app, deliveryToken: '', userId: 'u' }))).toEqual([400, 'NEED_DELIVERYTOKEN', 3001]);
    expect(refused(await client.post('/v1/devices/unbind', { ...app, deliveryToken: '' }))).toEqual([400, 'NEED_DELIVERYTOKEN', 3001]);
    expect(refused(await client.post('/v1/devices/bind', { ...app, deliveryToken: 'AAAAAAAAAAAAAAAAAAAAAA', userId: 'u' }))).toEqual([400, 'DELIVERYTOKEN_INVALID', 3054]);
    expect(refused(await client.post('/v1/devices/unbind', { ...app, deliveryToken: 'not-a-token' }))).toEqual([400, 'DELIVERYTOKEN_INVALID', 3054]);
    expect(refused(await client.post('/v1/devices/bind', { ...app, deliveryToken: token, userId: 'u'.repeat(129) }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await client.post('/v1/devices/bind', { ...app, deliveryToken: token, userId: 7 }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await client.post('/v1/devices/bind', { ...app, deliveryToken: token, userId: 'u', extra: 1 }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await client.post('/v1/devices/bind', { appId: app.appId, deliveryToken: token, userId: 'u' }))).toEqual([400, 'NEED_APPID_WORKSPACEID', 3003]);
  });

  it('refuses a key of another app with APPID_WRONG (3007), another app token with 3054, and a switched-off API with 3032', async () => {
    const own = await tenantOf('app-own');
    const other = await tenantOf('app-other');
    const otherToken = await reportedDevice(other.app, other.clientKey);
    expect(refused(await own.client.post('/v1/devices/bind', { ...other.app, deliveryToken: otherToken, userId: 'u' }))).toEqual([403, 'APPID_WRONG', 3007]);
    expect(refused(await own.client.post('/v1/devices/unbind', { ...other.app, deliveryToken: otherToken }))).toEqual([403, 'APPID_WRONG', 3007]);
    expect(refused(await own.client.post('/v1/devices/bind', { ...own.app, deliveryToken: otherToken, userId: 'u' }))).toEqual([400, 'DELIVERYTOKEN_INVALID', 3054]);

    expect((await admin.call('PATCH', `/admin/v1/apps/${WS}_app-own/settings`, { apiEnabled: false })).status).toBe(200);
    expect(refused(await own.client.post('/v1/devices/bind', { ...own.app, deliveryToken: otherToken, userId: 'u' }))).toEqual([403, 'REST_API_SWITCH_NOT_OPEN', 3032]);
    expect((await admin.call('PATCH', `/admin/v1/apps/${WS}_app-own/settings`, { apiEnabled: true })).status).toBe(200);
  });

  it('client report issues a token, records the vendor token idempotently, and answers rule violations in the RPC result', async () => {
    const { app, clientKey } = await tenantOf('app-report');
    const first = await clientPost<Report>('/client/v1/devices/report', { ...app, clientKey, platform: 'IOS', vendor: 'APNS', vendorToken: 'apns-1', osVersion: '17.1', appVersion: '2.0.0' });
    expect([first.status, first.body]).toEqual([200, { success: true, code: 100, name: 'SUCCESS', message: 'success', deliveryToken: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), tokenIssued: true }]);
    const token = first.body.deliveryToken!;
    const again = await clientPost<Report>('/client/v1/devices/report', { ...app, clientKey, deliveryToken: token, platform: 'IOS', vendor: 'APNS', vendorToken: 'apns-2' });
    expect(again.body).toMatchObject({ success: true, deliveryToken: token, tokenIssued: false });
    expect(rpc(await clientPost('/client/v1/devices/report', { ...app, clientKey, deliveryToken: token, platform: 'IOS', vendor: 'FCM', vendorToken: 'fcm-1' }))).toEqual([200, true, 100, 'SUCCESS']);

    expect(rpc(await clientPost('/client/v1/devices/report', { ...app, clientKey, deliveryToken: 'AAAAAAAAAAAAAAAAAAAAAA', platform: 'IOS', vendor: 'APNS', vendorToken: 'x' }))).toEqual([200, false, 3054, 'DELIVERYTOKEN_INVALID']);
    expect(rpc(await clientPost('/client/v1/devices/report', { ...app, clientKey, platform: 'IOS', vendor: 'NOKIA', vendorToken: 'x' }))).toEqual([200, false, 3028, 'INVALID_PARAM']);
    expect(rpc(await clientPost('/client/v1/devices/report', { ...app, clientKey, platform: 'IOS', vendor: 'APNS', vendorToken: '' }))).toEqual([200, false, 3028, 'INVALID_PARAM']);
    expect(refused(await clientPost('/client/v1/devices/report', { ...app, clientKey, platform: 'BLACKBERRY', vendor: 'APNS', vendorToken: 'x' }))).toEqual([400, 'INVALID_PARAM', 3028]);
    expect(refused(await clientPost('/client/v1/devices/report', { ...app, clientKey, platform: 'IOS', vendor: 'APNS', vendorToken: 'x', extra: true }))).toEqual([400, 'INVALID_PARAM', 3028]);

    // The reported token is a comet device token: the handshake keeps it and the vendor token stays recorded.
    const { client, ack } = await CometTestClient.handshake(tcp, { ...app, clientKey, deviceToken: token, platform: 'IOS' });
    open.push(client);
    expect(ack).toMatchObject({ deviceToken: token, tokenIssued: false });
  });

  it('client bind/unbind answer the RPC result with each code', async () => {
    const { app, clientKey } = await tenantOf('app-cbind');
    const token = await reportedDevice(app, clientKey);
    expect(rpc(await clientPost('/client/v1/devices/bind', { ...app, clientKey, deliveryToken: token, userId: 'u-1' }))).toEqual([200, true, 100, 'SUCCESS']);
    expect(rpc(await clientPost('/client/v1/devices/unbind', { ...app, clientKey, deliveryToken: token, userId: 'u-1' }))).toEqual([200, true, 100, 'SUCCESS']);
    expect(rpc(await clientPost('/client/v1/devices/unbind', { ...app, clientKey, deliveryToken: token }))).toEqual([200, true, 100, 'SUCCESS']);
    const needUser = await clientPost('/client/v1/devices/bind', { ...app, clientKey, deliveryToken: token, userId: ' ' });
    expect([needUser.status, needUser.body]).toEqual([200, { success: false, code: 3012, name: 'NEED_USERID', message: 'need userid' }]);
    expect(rpc(await clientPost('/client/v1/devices/bind', { ...app, clientKey, deliveryToken: '', userId: 'u' }))).toEqual([200, false, 3001, 'NEED_DELIVERYTOKEN']);
    expect(rpc(await clientPost('/client/v1/devices/unbind', { ...app, clientKey, deliveryToken: '' }))).toEqual([200, false, 3001, 'NEED_DELIVERYTOKEN']);
    expect(rpc(await clientPost('/client/v1/devices/bind', { ...app, clientKey, deliveryToken: 'AAAAAAAAAAAAAAAAAAAAAA', userId: 'u' }))).toEqual([200, false, 3054, 'DELIVERYTOKEN_INVALID']);
    expect(rpc(await clientPost('/client/v1/devices/bind', { ...app, clientKey, deliveryToken: token, userId: 'u'.repeat(129) }))).toEqual([200, false, 3028, 'INVALID_PARAM']);
  });

  it('refuses a wrong client key or unknown app with 401, another app key with 401, and a disabled app with 403', async () => {
    const { app, clientKey } = await tenantOf('app-ckey');
    const other = await tenantOf('app-ckey-other');
    const token = await reportedDevice(app, clientKey);
    const bind = (body: Record<string, unknown>) => clientPost('/client/v1/devices/bind', { ...app, clientKey, deliveryToken: token, userId: 'u', ...body });
    expect(refused(await bind({ clientKey: 'wrong' }))).toEqual([401, 'CLIENT_KEY_INVALID', undefined]);
    expect(refused(await bind({ clientKey: other.clientKey }))).toEqual([401, 'CLIENT_KEY_INVALID', undefined]);
    expect(refused(await bind({ appId: 'no-such-app' }))).toEqual([401, 'CLIENT_KEY_INVALID', undefined]);
    expect(refused(await clientPost('/client/v1/devices/report', { ...app, clientKey: 'wrong', platform: 'IOS', vendor: 'APNS', vendorToken: 'x' }))).toEqual([401, 'CLIENT_KEY_INVALID', undefined]);
    // The other app's key names its own app: the token of this app is not one of its devices.
    expect(rpc(await clientPost('/client/v1/devices/bind', { ...other.app, clientKey: other.clientKey, deliveryToken: token, userId: 'u' }))).toEqual([200, false, 3054, 'DELIVERYTOKEN_INVALID']);

    expect((await admin.call('POST', `/admin/v1/apps/${WS}_app-ckey/disable`)).status).toBeLessThan(300);
    expect(refused(await bind({}))).toEqual([403, 'APP_DISABLED', undefined]);
    expect(refused(await bind({ clientKey: 'wrong' }))).toEqual([401, 'CLIENT_KEY_INVALID', undefined]);
    expect((await admin.call('POST', `/admin/v1/apps/${WS}_app-ckey/enable`)).status).toBeLessThan(300);
    expect(rpc(await bind({}))).toEqual([200, true, 100, 'SUCCESS']);
  });

  it('a device bound over HTTP connects over comet as its user: a delivery to the user reaches it', async () => {
    const { client: tenant, app, clientKey } = await tenantOf('app-e2e');
    const token = await reportedDevice(app, clientKey);
    expect(rpc(await clientPost('/client/v1/devices/bind', { ...app, clientKey, deliveryToken: token, userId: 'alice' }))).toEqual([200, true, 100, 'SUCCESS']);

    const { client } = await CometTestClient.handshake(tcp, { ...app, clientKey, deviceToken: token, platform: 'IOS' });
    open.push(client);
    const toAlice = await admin.call<{ published: Array<{ tokens: string[] }>; offline: string[] }>('POST', '/admin/v1/comet/deliveries', { ...app, userId: 'alice', message: { msgId: 'm-alice', title: 'Hi' } });
    expect(toAlice.status).toBe(200);
    expect(toAlice.body.published.flatMap((batch) => batch.tokens)).toEqual([token]);
    expect((await client.next('pushMessage')).pushMessage).toMatchObject({ msgId: 'm-alice', title: 'Hi' });

    // Unbound over REST v1 while disconnected: the next connection carries no user.
    client.close();
    await client.waitClosed();
    expect((await tenant.post('/v1/devices/unbind', { ...app, deliveryToken: token })).status).toBe(200);
    const { client: again } = await CometTestClient.handshake(tcp, { ...app, clientKey, deviceToken: token, platform: 'IOS' });
    open.push(again);
    const afterUnbind = await admin.call<{ published: Array<{ tokens: string[] }> }>('POST', '/admin/v1/comet/deliveries', { ...app, userId: 'alice', message: { msgId: 'm-2' } });
    expect(afterUnbind.body.published.flatMap((batch) => batch.tokens)).toEqual([]);
    // The operator tool names exactly one of deviceTokens and userId.
    expect((await admin.call('POST', '/admin/v1/comet/deliveries', { ...app, message: { msgId: 'm-3' } })).status).toBe(400);
    expect((await admin.call('POST', '/admin/v1/comet/deliveries', { ...app, userId: 'alice', deviceTokens: [token], message: { msgId: 'm-3' } })).status).toBe(400);
    // The comet RPC sees the same device: binding over the connection answers success.
    again.send(createFrame('bindUser', { userId: 'bob', sessionId: '' }, 7));
    expect(await again.next('rpcResult')).toMatchObject({ seq: 7, rpcResult: { success: true, code: 100 } });
  });
});

describe('standalone: client device endpoints rate limit', () => {
  let dataDir: string;
  let standalone: ServiceProcess;

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 429 RATE_LIMITED once an app is over RATE_LIMIT_PER_APP (burst twice the rate), per app', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-devices-rate-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '1' }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
    const admin = new AdminClient(base, OWNER);
    const keyOf = async (appId: string) => (await admin.newTenant(appId, WS)).clientKey;
    const report = async (appId: string, clientKey: string) =>
      (await fetch(`${base}/client/v1/devices/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appId, workspaceId: WS, clientKey, platform: 'IOS', vendor: 'APNS', vendorToken: 't' }) })).status;
    const [keyA, keyB] = [await keyOf('rate-a'), await keyOf('rate-b')];
    // Sent at once: the burst of 2 passes, the rest is refused (a token refilled meanwhile may let one more through).
    const statuses = await Promise.all(Array.from({ length: 6 }, () => report('rate-a', keyA)));
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(2);
    expect(await report('rate-b', keyB)).toBe(200);
  }, 60_000);
});
