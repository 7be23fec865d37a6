import pino from 'pino';
import { SqliteStore } from '@pushsync/platform';
import {
  AccessKeyRepository,
  AdminKeyRepository,
  OperationRecordRepository,
  PlatformKeys,
  TenantAdministration,
  TenantAppRepository,
  type Operator,
  type TenantApp,
} from '@pushsync/tenancy';
import { PUSH_STATUS } from './push-status';
import type { Receipt } from './receipt';
import { nextAttemptAfterFailure, RECEIPT_RETRY, Receipts, retryDelayMs } from './receipt-outbox';
import { ReceiptOutboxRepository } from './receipt-outbox.repository';
import { ReceiptSender } from './receipt-sender';

const OWNER: Operator = { id: 'owner1', role: 'owner', apps: [] };
const HOUR = 3600 * 1000;

function receipt(msgId: string): Receipt {
  return { msgId, status: PUSH_STATUS.ACKED, targetId: 'user-1', deviceToken: 'token-1', osType: 'android' };
}

interface Call {
  url: string;
  body: string;
  at: number;
}

describe('retry schedule', () => {
  it('waits 1 s after the first failure, doubling up to 10 min', () => {
    expect(Array.from({ length: 13 }, (_, index) => retryDelayMs(RECEIPT_RETRY, index + 1))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000, 600000, 600000, 600000,
    ]);
    expect(retryDelayMs(RECEIPT_RETRY, 5000)).toBe(600000);
  });

  it('starts no attempt more than 24 h after the first', () => {
    const firstAttemptAt = 1_000;
    expect(nextAttemptAfterFailure(RECEIPT_RETRY, firstAttemptAt, 1, firstAttemptAt + 100)).toBe(firstAttemptAt + 1100);
    expect(nextAttemptAfterFailure(RECEIPT_RETRY, firstAttemptAt, 200, firstAttemptAt + 24 * HOUR - 600000)).toBe(firstAttemptAt + 24 * HOUR);
    expect(nextAttemptAfterFailure(RECEIPT_RETRY, firstAttemptAt, 200, firstAttemptAt + 24 * HOUR - 599999)).toBeNull();
  });
});

describe('receipt outbox', () => {
  let store: SqliteStore;
  let apps: TenantAppRepository;
  let outbox: ReceiptOutboxRepository;
  let administration: TenantAdministration;
  let platformKeys: PlatformKeys;
  let clock: { now: number };
  let app: TenantApp;
  let calls: Call[];
  let answer: (call: Call) => Promise<Response>;

  const now = () => clock.now;
  const fakeFetch: typeof fetch = async (input, init) => {
    const call = { url: String(input), body: Buffer.from(init?.body as Uint8Array).toString('utf8'), at: clock.now };
    calls.push(call);
    return answer(call);
  };
  const newSender = (options: Partial<ConstructorParameters<typeof ReceiptSender>[0]> = {}) =>
    new ReceiptSender({ outbox, apps, platformKeys, logger: pino({ level: 'silent' }), now, fetch: fakeFetch, ...options });

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    clock = { now: 10 * HOUR };
    apps = await TenantAppRepository.open(store);
    outbox = await ReceiptOutboxRepository.open(store);
    platformKeys = new PlatformKeys(apps, now);
    administration = new TenantAdministration(apps, await AccessKeyRepository.open(store), await AdminKeyRepository.open(store), await OperationRecordRepository.open(store), platformKeys, now);
    await administration.createApp(OWNER, { appId: 'app1', workspaceId: 'ws1' });
    app = await administration.changeSettings(OWNER, 'ws1', 'app1', { receiptStatus: true, receiptUrl: 'https://tenant.example/receipts' });
    calls = [];
    answer = async () => new Response(null, { status: 200 });
  });

  afterEach(() => store.close());

  it('queues nothing while the app has receipts off, including an app stored before receipts existed', async () => {
    const receipts = new Receipts({ outbox, now });
    const legacy: TenantApp = { ...app, receiptStatus: undefined, receiptUrl: undefined };
    expect(await receipts.enqueue({ ...app, receiptStatus: false }, receipt('m1'))).toBe('receipts-off');
    expect(await receipts.enqueue(legacy, receipt('m2'))).toBe('receipts-off');
    expect(await outbox.countQueued(app._id)).toBe(0);
    expect(await receipts.enqueue(app, receipt('m3'))).toBe('queued');
    expect((await outbox.oldest(app._id, 10)).map((queued) => queued.msgId)).toEqual(['m3']);
  });

  it('wakes the sender after each enqueue', async () => {
    let kicks = 0;
    const receipts = new Receipts({ outbox, now, sender: { kick: () => (kicks += 1) } });
    await receipts.enqueue(app, receipt('m1'));
    await receipts.enqueue({ ...app, receiptStatus: false }, receipt('m2'));
    expect(kicks).toBe(1);
  });

  it('keeps at most the backlog limit per app, dropping and counting the oldest', async () => {
    const receipts = new Receipts({ outbox, now, backlogLimit: 3 });
    for (const msgId of ['m1', 'm2', 'm3', 'm4', 'm5']) {
      clock.now += 1;
      await receipts.enqueue(app, receipt(msgId));
    }
    expect((await outbox.oldest(app._id, 10)).map((queued) => queued.msgId)).toEqual(['m3', 'm4', 'm5']);
    expect(await outbox.countersOf(app._id)).toMatchObject({ pending: 3, dropped: 2, abandoned: 0 });
  });

  it('does not drop on a counter left too high by a crash, and sets the counter right', async () => {
    const receipts = new Receipts({ outbox, now, backlogLimit: 3 });
    await receipts.enqueue(app, receipt('m1'));
    await outbox.adjustPending(app._id, 5);
    clock.now += 1;
    await receipts.enqueue(app, receipt('m2'));
    expect((await outbox.oldest(app._id, 10)).map((queued) => queued.msgId)).toEqual(['m1', 'm2']);
    expect(await outbox.countersOf(app._id)).toMatchObject({ pending: 2, dropped: 0 });
  });

  it('retries failures 1 s doubling to 10 min and gives up 24 h after the first attempt, counting it', async () => {
    answer = async () => new Response('busy', { status: 503 });
    const sender = newSender();
    await new Receipts({ outbox, now }).enqueue(app, receipt('m1'));
    const firstAttemptAt = clock.now;
    for (;;) {
      await sender.sendDue();
      const [waiting] = await outbox.oldest(app._id, 1);
      if (!waiting) break;
      clock.now = waiting.nextAttemptAt;
    }
    const gaps = calls.slice(1).map((call, index) => call.at - calls[index].at);
    // 1+2+...+512 s = 1023 s, then every 10 min while the attempt still starts within 24 h.
    expect(calls).toHaveLength(11 + 142);
    expect(gaps.slice(0, 11)).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000, 600000]);
    expect(new Set(gaps.slice(10))).toEqual(new Set([600000]));
    expect(calls.at(-1)!.at - firstAttemptAt).toBeLessThanOrEqual(24 * HOUR);
    expect(calls.at(-1)!.at + 600000 - firstAttemptAt).toBeGreaterThan(24 * HOUR);
    expect(await outbox.countersOf(app._id)).toMatchObject({
      pending: 0,
      abandoned: 1,
      lastAbandoned: { msgId: 'm1', at: calls.at(-1)!.at, reason: 'no 2xx answer within 86400000 ms of the first attempt; last: HTTP 503' },
    });
  });

  it('reads the URL at send time, so a changed URL applies to queued receipts', async () => {
    await new Receipts({ outbox, now }).enqueue(app, receipt('m1'));
    await administration.changeSettings(OWNER, 'ws1', 'app1', { receiptUrl: 'https://new.example/cb?k=1' });
    expect(await newSender().sendDue()).toBe(1);
    expect(calls.map((call) => call.url.replace(/sign=.*$/, 'sign='))).toEqual(['https://new.example/cb?k=1&sign=']);
    expect(await outbox.countQueued(app._id)).toBe(0);
  });

  it('abandons queued receipts without sending once receipts are turned off', async () => {
    await new Receipts({ outbox, now }).enqueue(app, receipt('m1'));
    await administration.changeSettings(OWNER, 'ws1', 'app1', { receiptStatus: false });
    await newSender().sendDue();
    expect(calls).toEqual([]);
    expect(await outbox.countersOf(app._id)).toMatchObject({ pending: 0, abandoned: 1, lastAbandoned: { msgId: 'm1', reason: 'receipts were turned off for the app' } });
  });

  it('retries a receipt whose sender crashed holding it once the lease ends', async () => {
    await new Receipts({ outbox, now }).enqueue(app, receipt('m1'));
    expect(await outbox.claimDue(clock.now, clock.now + 60_000, 'crashed-sender', [])).not.toBeNull();
    const sender = newSender({ leaseMs: 60_000 });
    clock.now += 59_999;
    expect(await sender.sendDue()).toBe(0);
    clock.now += 1;
    expect(await sender.sendDue()).toBe(1);
    expect(calls).toHaveLength(1);
    expect(await outbox.countQueued(app._id)).toBe(0);
  });

  it('sends at most perAppConcurrency receipts of one app at once, leaving the other slots to other apps', async () => {
    await administration.createApp(OWNER, { appId: 'app2', workspaceId: 'ws1' });
    const other = await administration.changeSettings(OWNER, 'ws1', 'app2', { receiptStatus: true, receiptUrl: 'https://other.example/receipts' });
    const receipts = new Receipts({ outbox, now });
    for (const msgId of ['a1', 'a2', 'a3', 'a4', 'a5']) {
      clock.now += 1;
      await receipts.enqueue(app, receipt(msgId));
    }
    await receipts.enqueue(other, receipt('b1'));

    const releases: Array<() => void> = [];
    let threeCalls!: () => void;
    const threeCallsMade = new Promise<void>((resolve) => (threeCalls = resolve));
    answer = () =>
      new Promise<Response>((resolve) => {
        releases.push(() => resolve(new Response(null, { status: 200 })));
        if (calls.length === 3) threeCalls();
      });
    const draining = newSender({ concurrency: 4, perAppConcurrency: 2 }).sendDue();
    await threeCallsMade;
    const claimed = await (await store.collection({ name: 'push_receipts' })).find({ claimToken: { $ne: null } });
    expect(claimed.map((queued) => queued['msgId']).sort()).toEqual(['a1', 'a2', 'b1']);

    answer = async () => new Response(null, { status: 200 });
    releases.forEach((release) => release());
    expect(await draining).toBe(6);
    expect(await outbox.countQueued(app._id)).toBe(0);
  });
});
