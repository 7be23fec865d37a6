import { randomBytes } from 'node:crypto';
import RPCClient from '@alicloud/pop-core';
import { AdminClient, CometTestClient, TenantClient, startPlatform, type CometTransport } from '@pushsync/testing';

const OWNER = `e2eowner.${randomBytes(24).toString('base64url')}`;
const APP = { appId: 'app-sched', workspaceId: 'wsched' };
const DAY = 86_400_000;

interface ScheduleList {
  totalCount: number;
  list: Array<{ uniqueId: string; parentId: string; pushTime: number; pushTitle: string; type: number; deliveryType: number; strategyType: number; executedStatus: number; createType: number }>;
}

/** Timed and cyclic pushes (mps.md §2.8, §3.5, §3.15, §3.16) on the standalone process. */
describe.each(['standalone', 'cluster'] as const)('%s: scheduled pushes', (mode) => {
  let stopPlatform: (() => Promise<void>) | undefined;
  let tenant: TenantClient;
  let rpc: RPCClient;
  let tcp: CometTransport;
  let clientKey: string;
  const open: CometTestClient[] = [];

  beforeAll(async () => {
    const platform = await startPlatform(mode, 'pushsched', OWNER, { RATE_LIMIT_PER_APP: '100000' });
    stopPlatform = () => platform.stop();
    tcp = { kind: 'tcp', port: platform.cometPort };
    const base = platform.base;
    const admin = new AdminClient(base, OWNER);
    const created = await admin.newTenant(APP.appId, APP.workspaceId);
    tenant = new TenantClient(base, created.accessKeyId, created.accessKeySecret);
    rpc = new RPCClient({ accessKeyId: created.accessKeyId, accessKeySecret: created.accessKeySecret, endpoint: base, apiVersion: '2019-08-21' });
    clientKey = created.clientKey;
  }, 180_000);

  afterAll(async () => {
    for (const client of open) client.close();
    await stopPlatform?.();
  }, 60_000);

  const connect = async () => {
    const { client, ack } = await CometTestClient.handshake(tcp, { ...APP, clientKey, platform: 'ANDROID', appVersion: '1.0.0' });
    open.push(client);
    return { client, token: ack.deviceToken };
  };
  const simple = (token: string, extra: Record<string, unknown>) =>
    tenant.post<{ code: string; data: string; numericCode?: number; message?: string }>('/v1/push/simple', { ...APP, taskName: 'sched', title: 'Later', content: 'Timed', deliveryType: 1, targetMsgkey: { [token]: `k-${randomBytes(4).toString('hex')}` }, expiredSeconds: 300, ...extra });
  const list = (query: Record<string, string>) => tenant.get<ScheduleList>('/v1/push/schedules', { ...APP, ...query });

  it('fires a timed push at its fixed time, once, and lists it as executed', async () => {
    const { client, token } = await connect();
    const fixedTime = Math.ceil((Date.now() + 2500) / 1000) * 1000;
    const answer = await simple(token, { strategyType: 1, StrategyContent: JSON.stringify({ fixedTime }) });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatch(/^[0-9a-f]{32}$/);
    const window = { startTime: String(fixedTime - 1000), endTime: String(fixedTime + 1000) };
    expect((await list({ ...window, uniqueId: answer.body.data })).body).toMatchObject({ totalCount: 1, list: [{ uniqueId: answer.body.data, parentId: answer.body.data, pushTime: fixedTime, pushTitle: 'Later', type: 0, strategyType: 1, executedStatus: 0, createType: 0 }] });
    await expect(client.next('pushMessage', 1000)).rejects.toThrow(/no pushMessage/);
    const frame = await client.next('pushMessage', 10_000);
    expect(Date.now()).toBeGreaterThanOrEqual(fixedTime);
    expect(frame.pushMessage).toMatchObject({ title: 'Later', taskId: answer.body.data });
    expect(frame.pushMessage!.expireAtMs).toBe(fixedTime + 300_000);
    expect((await list({ ...window, uniqueId: answer.body.data })).body.list[0]!.executedStatus).toBe(1);
    await expect(client.next('pushMessage', 2000)).rejects.toThrow(/no pushMessage/);
  });

  it('creates a cyclic weekly task as sub tasks in the window, and cancels them by master id; the mPaaS face answers {id=1,...}', async () => {
    const { token } = await connect();
    const today = Date.now() - (Date.now() % DAY);
    const answer = await simple(token, { strategyType: 2, StrategyContent: { startTime: today, endTime: today + 20 * DAY, circleType: 2, circleValue: [1, 2, 3, 4, 5, 6, 7], time: '23:59:59' } });
    expect(answer.status).toBe(200);
    const master = answer.body.data;
    const listed = await list({ startTime: String(today), endTime: String(today + 30 * DAY), uniqueId: master });
    expect(listed.body.totalCount).toBeGreaterThanOrEqual(20);
    expect(listed.body.list.every((item) => item.parentId === master && item.strategyType === 2 && item.executedStatus === 0)).toBe(true);
    const sub = listed.body.list[listed.body.list.length - 1]!.uniqueId;

    const bySub = (await rpc.request('CancelPushScheduler', { AppId: APP.appId, WorkspaceId: APP.workspaceId, Type: '1', UniqueIds: `${sub}, unknown-id` }, { method: 'POST' })) as { ResultCode: string; ResultContent: string };
    expect(bySub).toMatchObject({ ResultCode: 'OK', ResultContent: `{${sub}=1,unknown-id=0}` });
    const byMaster = await tenant.post<{ result: Record<string, number> }>('/v1/push/schedules/cancel', { ...APP, type: 0, uniqueIds: master });
    expect(byMaster.body.result).toEqual({ [master]: 1 });
    expect((await list({ startTime: String(today), endTime: String(today + 30 * DAY), uniqueId: master })).body.totalCount).toBe(0);
  });

  it('refuses strategies that break §3.5 rules with 3028 naming the rule', async () => {
    const { token } = await connect();
    const today = Date.now() - (Date.now() % DAY);
    const refused = async (strategyType: number, content: Record<string, unknown> | undefined) => {
      const answer = await simple(token, { strategyType, ...(content ? { StrategyContent: content } : {}) });
      expect(answer.status).toBe(400);
      expect(answer.body.numericCode).toBe(3028);
      return answer.body.message ?? '';
    };
    expect(await refused(1, undefined)).toMatch(/StrategyContent/);
    expect(await refused(1, { fixedTime: Date.now() - 60_000 })).toMatch(/fixedTime/);
    expect(await refused(2, { startTime: today, endTime: today + 200 * DAY, circleType: 1, time: '09:00:00' })).toMatch(/180/);
    expect(await refused(2, { startTime: today, endTime: today + DAY, circleType: 2, time: '09:00:00' })).toMatch(/circleValue/);
    expect((await rpc.request('CancelPushScheduler', { AppId: APP.appId, WorkspaceId: APP.workspaceId, UniqueIds: Array.from({ length: 31 }, (_, i) => `id${i}`).join(',') }, { method: 'POST' })) as { ResultCode: string }).toMatchObject({
      ResultCode: 'INVALID_PARAM',
    });
  });
});
