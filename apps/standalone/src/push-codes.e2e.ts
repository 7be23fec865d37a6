import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import RPCClient from '@alicloud/pop-core';
import { signRestV1 } from '@pushsync/tenancy';
import { AdminClient, ServiceProcess, TenantClient, freePort } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-codes', workspaceId: 'wcodes' };
const OTHER_APP = { appId: 'app-codes-other', workspaceId: 'wcodes' };
const APP_PARAMETERS = { AppId: APP.appId, WorkspaceId: APP.workspaceId };
/** Holds 1400 three-byte characters: within the 4000-character content limit, over the 4096-byte client payload. */
const HEAVY_TEMPLATE = 'heavy_template';

type Body = Record<string, unknown>;
interface Refusal {
  code: string;
  numericCode?: number;
  message: string;
}
interface RpcAnswer {
  ResultCode: string;
  ResultMessage: string;
  PushResult?: { Success: boolean };
}

const SIMPLE: Body = { ...APP, taskName: 'codes', title: 'Title', content: 'Content', deliveryType: 3, targetMsgkey: { user1: 'm1' }, expiredSeconds: 300 };
const TEMPLATE: Body = { ...APP, taskName: 'codes', deliveryType: 3, targetMsgkey: { user1: 'm1' }, templateName: HEAVY_TEMPLATE, expiredSeconds: 300 };
const MULTIPLE: Body = { ...APP, taskName: 'codes', deliveryType: 3, templateName: HEAVY_TEMPLATE, expiredSeconds: 300, targetMsgs: [{ target: 'user1', msgKey: 'm1' }] };
const BROADCAST: Body = { ...APP, taskName: 'codes', deliveryType: 1, msgkey: 'b1', templateName: HEAVY_TEMPLATE, expiredSeconds: 300 };
const BASE_OF = { simple: SIMPLE, template: TEMPLATE, multiple: MULTIPLE, broadcast: BROADCAST };

/** The base request of `type` with `changes` applied; an `undefined` change removes the parameter. */
function pushBody(type: keyof typeof BASE_OF, changes: Body): Body {
  return Object.fromEntries(Object.entries({ ...BASE_OF[type], ...changes }).filter(([, value]) => value !== undefined));
}

const entries = (count: number, prefix: string) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `v${i}`]));

/**
 * The mps.md §3.17 result codes the push APIs answer, each through a real face (REST v1 and the
 * mPaaS RPC face signed by @alicloud/pop-core) on the standalone process; docs/push-result-codes.md
 * lists where every one of the 45 codes is raised and tested.
 */
describe('standalone: push result codes through the faces', () => {
  let dataDir: string;
  let base: string;
  let standalone: ServiceProcess;
  let tenant: TenantClient;
  let keys: { accessKeyId: string; accessKeySecret: string };
  let rpc: RPCClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pushsync-codes-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    standalone = new ServiceProcess('standalone', { PUSHSYNC_DATA_DIR: dataDir, HTTP_PORT: String(port), PUSHSYNC_ADMIN_KEY: OWNER, RATE_LIMIT_PER_APP: '100000' }).start();
    await standalone.waitUntilReady(`${base}/readyz`);
    const admin = new AdminClient(base, OWNER);
    keys = await admin.newTenant(APP.appId, APP.workspaceId);
    await admin.newTenant(OTHER_APP.appId, OTHER_APP.workspaceId);
    tenant = new TenantClient(base, keys.accessKeyId, keys.accessKeySecret);
    rpc = new RPCClient({ accessKeyId: keys.accessKeyId, accessKeySecret: keys.accessKeySecret, endpoint: base, apiVersion: '2019-08-21' });
    const template = await tenant.post('/v1/templates', { ...APP, name: HEAVY_TEMPLATE, title: 'Heavy', content: '界'.repeat(1400) });
    expect(template.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await standalone?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const refusalOf = async (path: string, body: Body, overrides: { secret?: string } = {}) => {
    const answer = await tenant.post<Refusal>(path, body, overrides);
    return { status: answer.status, code: answer.body.code, numericCode: answer.body.numericCode };
  };
  const rpcPushSimple = (client: RPCClient, changes: Record<string, string | undefined>) => {
    const parameters = { ...APP_PARAMETERS, TaskName: 'codes', Title: 'Title', Content: 'Content', DeliveryType: '3', TargetMsgkey: '{"user1":"m1"}', ExpiredSeconds: '300', ...changes };
    const sent = Object.fromEntries(Object.entries(parameters).filter(([, value]) => value !== undefined));
    return client.request('PushSimple', sent, { method: 'POST' }) as Promise<RpcAnswer>;
  };

  /** [case, path, body, HTTP status, code, numericCode]: each request breaks exactly one rule. */
  const REST_CASES: [string, keyof typeof BASE_OF, Body, number, string, number][] = [
    ['appId absent', 'simple', { appId: undefined }, 400, 'NEED_APPID_WORKSPACEID', 3003],
    ['a key of this app naming another app', 'simple', OTHER_APP, 403, 'APPID_WRONG', 3007],
    ['deliveryType 4', 'simple', { deliveryType: 4 }, 400, 'DELIVERY_TYPE_NOT_SUPPORTED', 3009],
    ['taskName empty', 'simple', { taskName: '' }, 400, 'TASKNAME_NULL', 3019],
    ['expiredSeconds 0', 'simple', { expiredSeconds: 0 }, 400, 'EXPIREDSECONDS_WRONG', 3020],
    ['targetMsgkey without entries', 'template', { targetMsgkey: {} }, 400, 'TOKEN_OR_USERID_NULL', 3021],
    ['title empty', 'simple', { title: '' }, 400, 'PAYLOAD_NOT_ENOUGH', 3024],
    ['templateName absent', 'template', { templateName: undefined }, 400, 'NEED_TEMPLATE', 3025],
    ['expiredSeconds 604801', 'multiple', { expiredSeconds: 604_801 }, 400, 'EXPIREDTIME_TOO_LONG', 3026],
    ['11 targets', 'simple', { targetMsgkey: entries(11, 'user') }, 400, 'SINGLE_PUSH_TARGET_TOO_MUCH', 3029],
    ['a broadcast to users', 'broadcast', { deliveryType: 3 }, 400, 'BROADCAST_ONLY_SUPPORT_BY_DEVICE', 3030],
    ['21 extension parameters', 'simple', { extendedParams: entries(21, 'k') }, 400, 'EXTEND_PARAM_TO_MUCH', 3035],
    ['content of 4001 characters', 'simple', { content: 'c'.repeat(4001) }, 400, 'SINGLE_PUSH_CONTENT_TOO_LONG', 3043],
    ['a reserved extension key', 'simple', { extendedParams: { taskId: '1' } }, 400, 'INVALID_EXTEND_PARAM', 3044],
    ['11 extension parameters on one TargetMsg', 'multiple', { targetMsgs: [{ target: 'user1', msgKey: 'm1', extendedParams: entries(11, 'k') }] }, 400, 'MULTIPLE_INNER_EXTEND_PARAM_TO_MUCH', 3049],
    ['a simple message over 4096 bytes for the client', 'simple', { content: '界'.repeat(1400) }, 400, 'MSG_PAYLOAD_TOO_LONG', 3050],
    ['a rendered template over 4096 bytes for the client', 'template', {}, 400, 'MSG_PAYLOAD_TOO_LONG', 3050],
    ['all users without unBindPeriod', 'broadcast', { pushStatus: 1 }, 400, 'BROADCAST_ALL_USER_NEED_UNBIND_PERIOD', 3051],
    ['unBindPeriod 5', 'broadcast', { pushStatus: 2, unBindPeriod: 5 }, 400, 'BROADCAST_ALL_USER_UNBIND_PERIOD_INVALID', 3052],
    ['all users over the Android self-built channel', 'broadcast', { pushStatus: 1, unBindPeriod: 1, androidChannel: 'transparent' }, 400, 'BROADCAST_ALL_USER_NOT_SUPPORT_SELFCHANNEL_ANDROID', 3053],
    ['an Android target that is not a device token', 'simple', { deliveryType: 1, targetMsgkey: { 'not-a-token': 'm1' } }, 400, 'DELIVERYTOKEN_INVALID', 3054],
    ['401 TargetMsgs', 'multiple', { targetMsgs: Array.from({ length: 401 }, (_, i) => ({ target: `user${i}`, msgKey: `m${i}` })) }, 400, 'MULTIPLE_TARGET_NUMBER_TOO_MUCH', 3055],
    ['androidChannel vendor', 'broadcast', { androidChannel: 'vendor' }, 400, 'ANDROID_CHANNEL_PARAM_INVALID', 3057],
    ['badge_add_num not an integer', 'simple', { extendedParams: { badge_add_num: 'x', badge_class: 'com.example.Main' } }, 400, 'BADGE_ADD_NUM_INVALID', 3058],
    ['badge_add_num without badge_class', 'simple', { extendedParams: { badge_add_num: '1' } }, 400, 'BADGE_ADD_NUM_NEED_BADGE_CLASS', 3059],
  ];

  it.each(REST_CASES)('REST v1 answers %s (/v1/push/%s) with its code', async (_case, type, changes, status, code, numericCode) => {
    expect(await refusalOf(`/v1/push/${type}`, pushBody(type, changes))).toEqual({ status, code, numericCode });
  });

  it('REST v1 answers a push signed with a wrong secret with 401 SIGNATURE_MISMATCH (-1)', async () => {
    expect(await refusalOf('/v1/push/simple', SIMPLE, { secret: `${keys.accessKeySecret}-wrong` })).toEqual({ status: 401, code: 'SIGNATURE_MISMATCH', numericCode: -1 });
  });

  /** A correctly signed POST of raw bytes, with a chosen content type and, optionally, another Authorization scheme. */
  const rawPost = async (path: string, body: Buffer, contentType: string, scheme?: string) => {
    const headers: Record<string, string> = { ...signRestV1({ accessKeyId: keys.accessKeyId, secret: keys.accessKeySecret, method: 'POST', path, body }), 'content-type': contentType };
    if (scheme) headers.Authorization = headers.Authorization!.replace(/^\S+/, scheme);
    const answer = await fetch(`${base}${path}`, { method: 'POST', headers, body: new Uint8Array(body) });
    const refusal = (await answer.json()) as Refusal;
    return { status: answer.status, code: refusal.code, numericCode: refusal.numericCode };
  };

  it('REST v1 answers 3031 REQUEST_SHOULD_BE_UTF8 for bytes that are not UTF-8 and for another declared charset', async () => {
    const json = Buffer.from(JSON.stringify({ ...SIMPLE, title: 'TITLE' }), 'utf8');
    const broken = Buffer.from(json);
    broken[json.indexOf('TITLE')] = 0xff;
    expect(await rawPost('/v1/push/simple', broken, 'application/json')).toEqual({ status: 400, code: 'REQUEST_SHOULD_BE_UTF8', numericCode: 3031 });
    expect(await rawPost('/v1/push/simple', json, 'application/json; charset=ISO-8859-1')).toEqual({ status: 400, code: 'REQUEST_SHOULD_BE_UTF8', numericCode: 3031 });
  });

  it('REST v1 answers 3033 UNKNOWN_REST_SIGN_TYPE for a signature scheme other than PS-HMAC-SHA256 and PS-RSA-SHA256', async () => {
    expect(await rawPost('/v1/push/simple', Buffer.from(JSON.stringify(SIMPLE)), 'application/json', 'PS-MD5')).toEqual({ status: 401, code: 'UNKNOWN_REST_SIGN_TYPE', numericCode: 3033 });
  });

  it('REST v1 answers an empty appId or workspaceId with 3003, not as another app', async () => {
    expect(await refusalOf('/v1/push/simple', pushBody('simple', { appId: '' }))).toEqual({ status: 400, code: 'NEED_APPID_WORKSPACEID', numericCode: 3003 });
    expect(await refusalOf('/v1/push/simple', pushBody('simple', { workspaceId: '' }))).toEqual({ status: 400, code: 'NEED_APPID_WORKSPACEID', numericCode: 3003 });
  });

  /** [case, PushSimple parameters changed, ResultCode]. */
  const RPC_CASES: [string, Record<string, string | undefined>, string][] = [
    ['WorkspaceId absent', { WorkspaceId: undefined }, 'NEED_APPID_WORKSPACEID'],
    ['a key of this app naming another app', { AppId: OTHER_APP.appId }, 'APPID_WRONG'],
    ['DeliveryType 4', { DeliveryType: '4' }, 'DELIVERY_TYPE_NOT_SUPPORTED'],
    ['ExpiredSeconds 604801', { ExpiredSeconds: '604801' }, 'EXPIREDTIME_TOO_LONG'],
    ['an Android target that is not a device token', { DeliveryType: '1', TargetMsgkey: '{"not-a-token":"m1"}' }, 'DELIVERYTOKEN_INVALID'],
  ];

  it.each(RPC_CASES)('the mPaaS face answers PushSimple with %s in ResultCode', async (_case, changes, resultCode) => {
    expect(await rpcPushSimple(rpc, changes)).toMatchObject({ ResultCode: resultCode, PushResult: { Success: false } });
  });

  it('the mPaaS face refuses a PushSimple signed with a wrong secret: the SDK raises SIGNATURE_MISMATCH', async () => {
    const forged = new RPCClient({ accessKeyId: keys.accessKeyId, accessKeySecret: `${keys.accessKeySecret}-wrong`, endpoint: base, apiVersion: '2019-08-21' });
    await expect(rpcPushSimple(forged, {})).rejects.toMatchObject({ code: 'SIGNATURE_MISMATCH' });
  });
});
