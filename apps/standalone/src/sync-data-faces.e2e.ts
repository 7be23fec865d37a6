import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import RPCClient from '@alicloud/pop-core';
import { canonicalQuery, signRestV1 } from '@pushsync/tenancy';
import { AdminClient, ServiceProcess, TenantClient, freePort, type HttpAnswer } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const WS = 'wsdata';
const APP = { appId: 'app-data', workspaceId: WS };
const OTHER_APP = { appId: 'app-data-other', workspaceId: WS };
const HOUR = 60 * 60 * 1000;

interface RestAnswer {
  code: string;
  success?: boolean;
  requestId: string;
  message?: string;
}
interface WebapiAnswer {
  success: boolean;
  msg: string;
  message?: string;
}
interface RpcAnswer {
  RequestId: string;
  ResultCode: string;
  ResultMessage: string;
  Result?: boolean;
}

const unique = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

/** The sync data APIs (mss.md §3.2-§3.3) on the three tenant faces of DECISIONS D2, one standalone process. */
describe('standalone: sync data faces', () => {
  let dataDir: string;
  let base: string;
  let standalone: ServiceProcess;
  let admin: AdminClient;
  let tenant: { accessKeyId: string; accessKeySecret: string };
  let client: TenantClient;
  let rpc: RPCClient;

  /** A webapi call signed like REST v1 (path and instanceId query signed), the body sent as given. */
  const webapi = async (scope: 'single' | 'global', instanceId: string, body: string): Promise<HttpAnswer<WebapiAnswer>> => {
    const path = `/webapi/sync/${scope}`;
    const query = canonicalQuery({ instanceId });
    const signature = signRestV1({ accessKeyId: tenant.accessKeyId, secret: tenant.accessKeySecret, method: 'POST', path, query, body, nonce: randomBytes(12).toString('hex') });
    const response = await fetch(`${base}${path}?${query}`, { method: 'POST', headers: { ...signature, 'content-type': 'application/json' }, body });
    return { status: response.status, body: (await response.json()) as WebapiAnswer };
  };
  const unsignedWebapi = async (scope: 'single' | 'global', instanceId: string, body: string): Promise<HttpAnswer<WebapiAnswer>> => {
    const response = await fetch(`${base}/webapi/sync/${scope}?instanceId=${instanceId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, body: (await response.json()) as WebapiAnswer };
  };
  const rpcCall = (action: string, parameters: Record<string, string>) => rpc.request(action, { AppId: APP.appId, WorkspaceId: WS, ...parameters }, { method: 'POST' }) as Promise<RpcAnswer>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-sync-data-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    admin = new AdminClient(base, OWNER);
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '1000' }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
    tenant = await admin.newTenant(APP.appId, WS);
    await admin.newTenant(OTHER_APP.appId, WS);
    client = new TenantClient(base, tenant.accessKeyId, tenant.accessKeySecret);
    rpc = new RPCClient({ accessKeyId: tenant.accessKeyId, accessKeySecret: tenant.accessKeySecret, endpoint: base, apiVersion: '2020-10-28' });
    const configs = [
      { bizType: 'LOCKS', description: 'persistent, per user', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: true },
      { bizType: 'VOLATILE', description: 'not persistent', pushRange: 'SPECIFY', pushObject: 'USER', multiDevice: true, persistent: false },
      { bizType: 'NEWS', description: 'to everyone', pushRange: 'GLOBAL', pushObject: 'DEVICE' },
      { bizType: 'PAUSED', description: 'taken offline', pushRange: 'SPECIFY', pushObject: 'DEVICE', persistent: true },
    ];
    for (const config of configs) {
      const created = await client.post('/v1/sync/configs', { ...APP, ...config });
      if (created.status !== 201) throw new Error(`create ${config.bizType}: ${created.status} ${JSON.stringify(created.body)}`);
    }
    expect((await client.post('/v1/sync/configs/PAUSED/offline', APP)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('REST v1', () => {
    const single = (body: Record<string, unknown>) => client.post<RestAnswer>('/v1/sync/single', { ...APP, ...body });
    const global = (body: Record<string, unknown>) => client.post<RestAnswer>('/v1/sync/global', { ...APP, ...body });

    it('accepts a single order, answers a repeated thirdMsgId DUPLICATED_BIZ_ID and an offline target of a non-persistent config NOT_ONLINE', async () => {
      const order = { bizType: 'LOCKS', linkToken: 'user1234', thirdMsgId: unique('rest'), payload: '{"lock":true}', osType: 'IOS/ANDROID', appMinVersion: '1.0', validTimeStart: Date.now(), validTimeEnd: String(Date.now() + HOUR) };
      const accepted = await single(order);
      expect([accepted.status, accepted.body]).toEqual([200, { code: 'SUCCESS', success: true, requestId: expect.any(String) }]);
      const again = await single({ ...order, payload: 'other data' });
      expect([again.status, again.body.code, again.body.success]).toEqual([200, 'DUPLICATED_BIZ_ID', true]);

      const volatile = { bizType: 'VOLATILE', linkToken: 'nobody-online', thirdMsgId: unique('rest'), payload: 'now or never' };
      expect([(await single(volatile)).body.code, (await single(volatile)).body.code]).toEqual(['NOT_ONLINE', 'NOT_ONLINE']);
    });

    it('accepts a global order with a UID range given as numbers, and a binary payload', async () => {
      const accepted = await global({ bizType: 'NEWS', thirdMsgId: unique('rest'), binaryPayload: Buffer.from([0, 1, 2, 255]).toString('base64'), minUid: 0, maxUid: 49, validTimeEnd: Date.now() + HOUR });
      expect([accepted.status, accepted.body.code, accepted.body.success]).toEqual([200, 'SUCCESS', true]);
      const withUids = await global({ bizType: 'NEWS', thirdMsgId: unique('rest'), payload: 'p', uids: '01,02,99' });
      expect(withUids.body.code).toBe('SUCCESS');
    });

    const valid = { bizType: 'LOCKS', linkToken: 'user1', thirdMsgId: 'refused', payload: 'p' };
    it.each<[string, 'single' | 'global', Record<string, unknown>, string, RegExp]>([
      ['thirdMsgId missing', 'single', { ...valid, thirdMsgId: undefined }, 'THIRD_MSG_ID_IS_NULL', /thirdMsgId/],
      ['bizType blank', 'single', { ...valid, bizType: ' ' }, 'ARGS_IS_NULL', /bizType/],
      ['linkToken missing', 'single', { ...valid, linkToken: undefined }, 'ARGS_IS_NULL', /linkToken/],
      ['no payload', 'global', { bizType: 'NEWS', thirdMsgId: 'x' }, 'ARGS_IS_NULL', /payload/],
      ['both payloads', 'single', { ...valid, binaryPayload: 'AA==' }, 'PAYLOAD_CONFLICT', /payload and binaryPayload/],
      ['payload of 4097 characters', 'single', { ...valid, payload: 'p'.repeat(4097) }, 'PAYLOAD_LONG', /payload/],
      ['thirdMsgId of 101 bytes', 'single', { ...valid, thirdMsgId: 't'.repeat(101) }, 'THIRD_MSG_ID_LONG', /thirdMsgId/],
      ['bizType of 31 characters', 'single', { ...valid, bizType: 'B'.repeat(31) }, 'ARGS_INVALID', /bizType/],
      ['unknown osType', 'single', { ...valid, osType: 'SYMBIAN' }, 'ARGS_INVALID', /osType/],
      ['malformed uids', 'global', { bizType: 'NEWS', thirdMsgId: 'x', payload: 'p', uids: '1,2' }, 'ARGS_INVALID', /uids/],
      ['minUid above maxUid', 'global', { bizType: 'NEWS', thirdMsgId: 'x', payload: 'p', minUid: '60', maxUid: 50 }, 'ARGS_INVALID', /minUid/],
      ['validTimeEnd passed', 'single', { ...valid, validTimeEnd: Date.now() - 1000 }, 'INVALID_VALID_TIME', /validTimeEnd/],
      ['validTimeEnd beyond 30 days', 'single', { ...valid, validTimeEnd: Date.now() + 31 * 24 * HOUR }, 'INVALID_VALID_TIME', /validTimeEnd/],
      ['an unknown bizType', 'single', { ...valid, bizType: 'GHOST' }, 'BIZ_NOT_ONLINE', /GHOST/],
      ['an offline configuration', 'single', { ...valid, bizType: 'PAUSED' }, 'BIZ_NOT_ONLINE', /PAUSED/],
      ['the single API on a global configuration', 'single', { ...valid, bizType: 'NEWS' }, 'NOT_SUPPORT_GLOBAL', /NEWS/],
      ['the global API on a specify configuration', 'global', { bizType: 'LOCKS', thirdMsgId: 'x', payload: 'p' }, 'NOT_SUPPORT_GLOBAL', /LOCKS/],
      ['an unknown field', 'single', { ...valid, colour: 'red' }, 'ARGS_INVALID', /unknown field colour/],
      ['linkToken on the global API', 'global', { bizType: 'NEWS', thirdMsgId: 'x', payload: 'p', linkToken: 'user1' }, 'ARGS_INVALID', /unknown field linkToken/],
      ['a UID field on the single API', 'single', { ...valid, uids: '01' }, 'ARGS_INVALID', /unknown field uids/],
      ['a number as payload', 'single', { ...valid, payload: 42 }, 'ARGS_INVALID', /payload/],
      ['a boolean as validTimeEnd', 'single', { ...valid, validTimeEnd: true }, 'ARGS_INVALID', /validTimeEnd/],
      ['appId missing', 'single', { ...valid, appId: undefined }, 'ARGS_IS_NULL', /appId/],
    ])('refuses %s with 400', async (_, scope, body, code, message) => {
      const answer = await (scope === 'single' ? single : global)(body);
      expect([answer.status, answer.body.code]).toEqual([400, code]);
      expect(answer.body.message).toMatch(message);
      expect(answer.body.requestId).toEqual(expect.any(String));
    });

    it('refuses malformed JSON with 400 before anything else', async () => {
      const response = await fetch(`${base}/v1/sync/single`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"bizType": ' });
      const body = (await response.json()) as RestAnswer;
      expect([response.status, body.code]).toEqual([400, 'MALFORMED_REQUEST']);
      expect(body.message).toMatch(/JSON/);
    });

    it('answers 403 INVALID_TENANT_ID to a key of another app and 401 to an unsigned request', async () => {
      const crossSingle = await client.post<RestAnswer>('/v1/sync/single', { ...OTHER_APP, ...valid });
      const crossGlobal = await client.post<RestAnswer>('/v1/sync/global', { ...OTHER_APP, bizType: 'NEWS', thirdMsgId: 'x', payload: 'p' });
      expect([crossSingle.status, crossSingle.body.code, crossGlobal.status, crossGlobal.body.code]).toEqual([403, 'INVALID_TENANT_ID', 403, 'INVALID_TENANT_ID']);
      const unsigned = await fetch(`${base}/v1/sync/single`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...APP, ...valid }) });
      expect(unsigned.status).toBe(401);
    });

    it('documents both routes in the OpenAPI document', async () => {
      const openapi = (await (await fetch(`${base}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
      expect(openapi.paths['/v1/sync/single'].post.requestBody).toBeDefined();
      expect(openapi.paths['/v1/sync/global'].post.requestBody).toBeDefined();
      expect(openapi.paths['/webapi/sync/single']).toBeUndefined();
    });
  });

  describe('mPaaS OpenAPI (RPC) face', () => {
    it('runs CreateOpenSingleData signed by @alicloud/pop-core, ResultCode carrying the MSS code and Result the success flag', async () => {
      const order = { BizType: 'LOCKS', LinkToken: 'user77', ThirdMsgId: unique('rpc'), Payload: 'hello', ValidTimeEnd: String(Date.now() + HOUR), TenantId: 'ignored', ExtAttrStr: '{}', CheckOnline: 'true' };
      const accepted = await rpcCall('CreateOpenSingleData', order);
      expect(accepted).toMatchObject({ RequestId: expect.any(String), ResultCode: 'SUCCESS', Result: true });
      expect((await rpcCall('CreateOpenSingleData', order)).ResultCode).toBe('DUPLICATED_BIZ_ID');
    });

    it('runs CreateOpenGlobalData with lowerCamel names and numbers as strings', async () => {
      const accepted = await rpcCall('CreateOpenGlobalData', { bizType: 'NEWS', thirdMsgId: unique('rpc'), payload: 'to all', MinUid: '1', MaxUid: '5' });
      expect(accepted).toMatchObject({ ResultCode: 'SUCCESS', Result: true });
    });

    it('answers refusals with HTTP 200, the MSS code and Result false', async () => {
      expect(await rpcCall('CreateOpenSingleData', { BizType: 'LOCKS', LinkToken: 'u', Payload: 'p' })).toMatchObject({ ResultCode: 'THIRD_MSG_ID_IS_NULL', Result: false, ResultMessage: expect.stringMatching(/thirdMsgId/) });
      expect(await rpcCall('CreateOpenSingleData', { BizType: 'GHOST', LinkToken: 'u', ThirdMsgId: 'x', Payload: 'p' })).toMatchObject({ ResultCode: 'BIZ_NOT_ONLINE', Result: false });
      expect(await rpcCall('CreateOpenGlobalData', { BizType: 'NEWS', ThirdMsgId: 'x', Payload: 'p', Uids: '7' })).toMatchObject({ ResultCode: 'ARGS_INVALID', Result: false });
    });

    it('answers INVALID_TENANT_ID for another app on the sync actions, APPID_WRONG still on the others', async () => {
      const other = { AppId: OTHER_APP.appId, WorkspaceId: WS };
      const sync = (await rpc.request('CreateOpenGlobalData', { ...other, BizType: 'NEWS', ThirdMsgId: 'x', Payload: 'p' }, { method: 'POST' })) as RpcAnswer;
      expect(sync).toMatchObject({ ResultCode: 'INVALID_TENANT_ID', Result: false });
      const status = (await rpc.request('DescribeServiceStatus', other, { method: 'POST' })) as RpcAnswer;
      expect(status.ResultCode).toBe('APPID_WRONG');
      expect(status).not.toHaveProperty('Result');
    });
  });

  describe('MSS private-cloud face (/webapi/sync)', () => {
    const instanceId = `${WS}_${APP.appId}`;

    it('accepts signed orders with numbers as numbers, ignores unknown fields and answers {success, msg}', async () => {
      const order = JSON.stringify({ bizType: 'LOCKS', linkToken: 'user88', thirdMsgId: unique('web'), payload: '{"name":"李四"}', validTimeEnd: Date.now() + HOUR, appId: APP.appId, colour: 'red' });
      const accepted = await webapi('single', instanceId, order);
      expect([accepted.status, accepted.body]).toEqual([200, expect.objectContaining({ success: true, msg: 'SUCCESS' })]);
      const again = await webapi('single', instanceId, order);
      expect([again.status, again.body.success, again.body.msg]).toEqual([200, true, 'DUPLICATED_BIZ_ID']);
      const globalOrder = await webapi('global', instanceId, JSON.stringify({ bizType: 'NEWS', thirdMsgId: unique('web'), payload: 'all', minUid: 10, maxUid: '20', linkToken: 'ignored on global' }));
      expect(globalOrder.body).toMatchObject({ success: true, msg: 'SUCCESS' });
    });

    it('answers refusals with HTTP 200, success false and the CN spellings', async () => {
      const missingId = await webapi('single', instanceId, JSON.stringify({ bizType: 'LOCKS', linkToken: 'u', payload: 'p' }));
      expect([missingId.status, missingId.body.success, missingId.body.msg]).toEqual([200, false, 'THIRDMSGID_IS_NULL']);
      const unknownBiz = await webapi('global', instanceId, JSON.stringify({ bizType: 'GHOST', thirdMsgId: 'x', payload: 'p' }));
      expect([unknownBiz.status, unknownBiz.body.msg]).toEqual([200, 'BIZ_NOT_ONLINE']);
      const tooLong = await webapi('single', instanceId, JSON.stringify({ bizType: 'LOCKS', linkToken: 'u', thirdMsgId: 'x', payload: 'p'.repeat(4097) }));
      expect(tooLong.body).toMatchObject({ success: false, msg: 'PAYLOAD_LONG' });
    });

    it('answers a wrong type and malformed JSON with ARGS_INVALID naming the problem', async () => {
      const wrongType = await webapi('single', instanceId, JSON.stringify({ bizType: 'LOCKS', linkToken: 'u', thirdMsgId: 'x', payload: true }));
      expect([wrongType.status, wrongType.body.success, wrongType.body.msg]).toEqual([200, false, 'ARGS_INVALID']);
      expect(wrongType.body.message).toMatch(/payload/);
      const notAnObject = await webapi('single', instanceId, '[1, 2]');
      expect(notAnObject.body).toMatchObject({ success: false, msg: 'ARGS_INVALID', message: expect.stringMatching(/JSON object/) });
      const malformed = await webapi('single', instanceId, '{"bizType": ');
      expect([malformed.status, malformed.body.success, malformed.body.msg]).toEqual([200, false, 'ARGS_INVALID']);
      expect(malformed.body.message).toMatch(/^body: .*JSON/);
      const oversize = await webapi('single', instanceId, JSON.stringify({ payload: 'p'.repeat(1024 * 1024) }));
      expect([oversize.status, oversize.body.success, oversize.body.msg]).toEqual([200, false, 'ARGS_INVALID']);
    });

    it('answers INVALID_TENANT_ID for another app or a malformed instanceId, and 401 in the same shape when unsigned', async () => {
      const cross = await webapi('single', `${WS}_${OTHER_APP.appId}`, JSON.stringify({ bizType: 'LOCKS', linkToken: 'u', thirdMsgId: 'x', payload: 'p' }));
      expect([cross.status, cross.body.success, cross.body.msg]).toEqual([200, false, 'INVALID_TENANT_ID']);
      const malformedInstance = await webapi('single', 'no-separator', JSON.stringify({ bizType: 'LOCKS' }));
      expect([malformedInstance.status, malformedInstance.body.msg]).toEqual([200, 'INVALID_TENANT_ID']);
      const unsigned = await unsignedWebapi('single', instanceId, JSON.stringify({ bizType: 'LOCKS', linkToken: 'u', thirdMsgId: 'x', payload: 'p' }));
      expect([unsigned.status, unsigned.body.success, unsigned.body.msg]).toEqual([401, false, 'MISSING_AUTHORIZATION']);
    });

    it('accepts unsigned calls for an app whose signature switch is off', async () => {
      await admin.newTenant('app-data-open', WS);
      expect((await admin.call('PATCH', `/admin/v1/apps/${WS}_app-data-open/settings`, { signatureEnabled: false })).status).toBe(200);
      const created = await fetch(`${base}/v1/sync/configs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appId: 'app-data-open', workspaceId: WS, bizType: 'OPEN', description: 'd', pushRange: 'GLOBAL', pushObject: 'DEVICE' }),
      });
      expect(created.status).toBe(201);
      const answer = await unsignedWebapi('global', `${WS}_app-data-open`, JSON.stringify({ bizType: 'OPEN', thirdMsgId: unique('open'), payload: 'p' }));
      expect([answer.status, answer.body]).toEqual([200, expect.objectContaining({ success: true, msg: 'SUCCESS' })]);
    });
  });
});
