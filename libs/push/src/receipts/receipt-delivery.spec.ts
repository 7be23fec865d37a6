import { createVerify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { Receipts, type RetrySchedule } from './receipt-outbox';
import { ReceiptOutboxRepository } from './receipt-outbox.repository';
import { ReceiptSender, type ReceiptSenderOptions } from './receipt-sender';

const OWNER: Operator = { id: 'owner1', role: 'owner', apps: [] };
const HOUR = 3600 * 1000;
const silent = pino({ level: 'silent' });

interface Arrival {
  msgId: string;
  body: string;
  contentType: string | undefined;
  signatureValid: boolean;
  /** The injected clock when the request arrived. */
  at: number;
  answeredStatus: number;
}

/**
 * A tenant's receipt endpoint on 127.0.0.1: verifies `sign` the way mps.md §3.19 tells tenants to
 * (reverse `-`/`_`, SHA256withRSA with the published public key) and answers the scripted statuses.
 */
class TenantReceiver {
  public readonly arrivals: Arrival[] = [];
  public statuses: number[] = [];
  public publicKeyPem = '';
  public clock: () => number = Date.now;
  /** When set, requests get no answer at all. */
  public silentTreatment = false;
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private server!: Server;

  public async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.silentTreatment) return;
        const body = Buffer.concat(chunks).toString('utf8');
        const sign = new URL(request.url ?? '/', 'http://receiver').searchParams.get('sign') ?? '';
        const signatureValid = request.method === 'POST' && createVerify('RSA-SHA256').update(body, 'utf8').verify(this.publicKeyPem, sign.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
        const answeredStatus = this.statuses.shift() ?? 200;
        this.arrivals.push({ msgId: (JSON.parse(body) as { msgId: string }).msgId, body, contentType: request.headers['content-type'], signatureValid, at: this.clock(), answeredStatus });
        response.writeHead(answeredStatus).end();
        this.waiters = this.waiters.filter((waiter) => (this.arrivals.length >= waiter.count ? (waiter.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/receipts`;
  }

  public arrived(count: number): Promise<void> {
    return this.arrivals.length >= count ? Promise.resolve() : new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One replica's view of the shared database. */
async function replicaOn(store: SqliteStore, now: () => number) {
  const apps = await TenantAppRepository.open(store);
  const platformKeys = new PlatformKeys(apps, now);
  const outbox = await ReceiptOutboxRepository.open(store);
  const administration = new TenantAdministration(apps, await AccessKeyRepository.open(store), await AdminKeyRepository.open(store), await OperationRecordRepository.open(store), platformKeys, now);
  const sender = (options: Partial<ReceiptSenderOptions> = {}) => new ReceiptSender({ outbox, apps, platformKeys, logger: silent, now, ...options });
  return { apps, outbox, administration, sender };
}

function acked(msgId: string): Receipt {
  return { msgId, status: PUSH_STATUS.ACKED, targetId: 'user-1', deviceToken: 'device-token-1', osType: 'android' };
}

describe('receipt delivery to a real receiver (embedded store)', () => {
  let directory: string;
  let stores: SqliteStore[];
  let receiver: TenantReceiver;
  let receiptUrl: string;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'receipts-'));
    stores = [];
    receiver = new TenantReceiver();
    receiptUrl = await receiver.start();
  });

  afterEach(async () => {
    await receiver.stop();
    await Promise.all(stores.map((store) => store.close()));
    rmSync(directory, { recursive: true, force: true });
  });

  const openStore = () => {
    const store = new SqliteStore(join(directory, 'pushsync.db'));
    stores.push(store);
    return store;
  };

  async function appWithReceipts(replica: Awaited<ReturnType<typeof replicaOn>>): Promise<TenantApp> {
    await replica.administration.createApp(OWNER, { appId: 'app1', workspaceId: 'ws1' });
    receiver.publicKeyPem = await replica.administration.platformPublicKey(OWNER, 'ws1', 'app1');
    return replica.administration.changeSettings(OWNER, 'ws1', 'app1', { receiptStatus: true, receiptUrl });
  }

  it('retries after 500s at 1 s then 2 s, and once answered 200 never sends the receipt again', async () => {
    const clock = { now: 50 * HOUR };
    receiver.clock = () => clock.now;
    receiver.statuses = [500, 500, 200];
    const replica = await replicaOn(openStore(), () => clock.now);
    const app = await appWithReceipts(replica);
    const sender = replica.sender();
    const enqueuedAt = clock.now;
    expect(await new Receipts({ outbox: replica.outbox, now: () => clock.now }).enqueue(app, acked('biz-1'))).toBe('queued');

    const attemptsAt = async (at: number) => {
      clock.now = at;
      return sender.sendDue();
    };
    expect(await attemptsAt(enqueuedAt)).toBe(1);
    expect(await attemptsAt(enqueuedAt)).toBe(0);
    expect(await attemptsAt(enqueuedAt + 999)).toBe(0);
    expect(await attemptsAt(enqueuedAt + 1000)).toBe(1);
    expect(await attemptsAt(enqueuedAt + 2999)).toBe(0);
    expect(await attemptsAt(enqueuedAt + 3000)).toBe(1);
    expect(await attemptsAt(enqueuedAt + 3000)).toBe(0);
    expect(await attemptsAt(enqueuedAt + 25 * HOUR)).toBe(0);

    expect(receiver.arrivals.map(({ at, answeredStatus }) => [at - enqueuedAt, answeredStatus])).toEqual([
      [0, 500],
      [1000, 500],
      [3000, 200],
    ]);
    const expectedBody = '{"extInfo":{"adToken":"device-token-1","osType":"android"},"msgId":"biz-1","pushSuccess":true,"statusCode":"2","statusDesc":"Acked","targetId":"user-1"}';
    expect(receiver.arrivals.map(({ body, contentType, signatureValid }) => ({ body, contentType, signatureValid }))).toEqual(
      Array.from({ length: 3 }, () => ({ body: expectedBody, contentType: 'application/json; charset=utf-8', signatureValid: true })),
    );
    expect(await replica.outbox.countQueued(app._id)).toBe(0);
    expect(await replica.outbox.countersOf(app._id)).toMatchObject({ pending: 0, dropped: 0, abandoned: 0 });
  });

  it('counts an answer that does not come within the timeout as a failed attempt', async () => {
    receiver.silentTreatment = true;
    const replica = await replicaOn(openStore(), Date.now);
    const app = await appWithReceipts(replica);
    await new Receipts({ outbox: replica.outbox, now: Date.now }).enqueue(app, acked('biz-1'));
    expect(await replica.sender({ timeoutMs: 100 }).sendDue()).toBe(1);
    const [waiting] = await replica.outbox.oldest(app._id, 1);
    expect(waiting).toMatchObject({ attempts: 1, lastError: 'no answer within 100 ms', claimToken: null });
  });

  it('a started sender delivers right after enqueue and retries on its own until the receiver accepts', async () => {
    receiver.statuses = [500, 500, 200];
    const replica = await replicaOn(openStore(), Date.now);
    const app = await appWithReceipts(replica);
    const sender = replica.sender({ pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 40, giveUpAfterMs: HOUR } });
    sender.start();
    try {
      await new Receipts({ outbox: replica.outbox, now: Date.now, sender }).enqueue(app, acked('biz-1'));
      await receiver.arrived(3);
    } finally {
      await sender.stop();
    }
    expect(receiver.arrivals.map((arrival) => [arrival.msgId, arrival.answeredStatus, arrival.signatureValid])).toEqual([
      ['biz-1', 500, true],
      ['biz-1', 500, true],
      ['biz-1', 200, true],
    ]);
    expect(await replica.outbox.countQueued(app._id)).toBe(0);
  });

  it('two senders on one database deliver each receipt once', async () => {
    const first = await replicaOn(openStore(), Date.now);
    const second = await replicaOn(openStore(), Date.now);
    const app = await appWithReceipts(first);
    const retry: RetrySchedule = { baseDelayMs: 10, maxDelayMs: 40, giveUpAfterMs: HOUR };
    const senders = [first.sender({ pollIntervalMs: 10, retry }), second.sender({ pollIntervalMs: 10, retry })];
    senders.forEach((sender) => sender.start());
    const msgIds = Array.from({ length: 60 }, (_, index) => `biz-${index}`);
    try {
      const receipts = [new Receipts({ outbox: first.outbox, now: Date.now, sender: senders[0] }), new Receipts({ outbox: second.outbox, now: Date.now, sender: senders[1] })];
      await Promise.all(msgIds.map((msgId, index) => receipts[index % 2].enqueue(app, acked(msgId))));
      await receiver.arrived(msgIds.length);
    } finally {
      await Promise.all(senders.map((sender) => sender.stop()));
    }
    expect(await first.sender().sendDue()).toBe(0);
    expect(receiver.arrivals.map((arrival) => arrival.msgId).sort()).toEqual([...msgIds].sort());
    expect(receiver.arrivals.every((arrival) => arrival.signatureValid)).toBe(true);
    expect(await second.outbox.countersOf(app._id)).toMatchObject({ pending: 0, dropped: 0, abandoned: 0 });
  });
});
