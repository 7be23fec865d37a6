import { SqliteStore, type ConsumedRecord, type RecordBatch } from '@pushsync/platform';
import { channelId, type ChannelRef } from './channel';
import type { OplogDispatcher } from './delivery/dispatcher';
import type { Oplog } from './oplogs/oplog';
import { OplogRepository } from './oplogs/oplog.repository';
import type { SyncOrder } from './orders/sync-order';
import { SyncOrderRepository } from './orders/sync-order.repository';
import { encodeOrderRecord, Sequencer } from './sequencer';

const NOW = 1_800_000_000_000;
const channel = (key: string): ChannelRef => ({ instanceId: 'ws_APP', bizType: 'LOCK', key });

function order(key: string, thirdMsgId: string): SyncOrder {
  return {
    _id: JSON.stringify(['S', 'ws_APP', 'LOCK', key, thirdMsgId]),
    appId: 'APP',
    workspaceId: 'ws',
    instanceId: 'ws_APP',
    scope: 'SINGLE',
    bizType: 'LOCK',
    key,
    thirdMsgId,
    payload: `${key}:${thirdMsgId}`,
    binary: false,
    filters: { platforms: null, appMinVersion: null, appMaxVersion: null, uidSegments: null },
    validTimeStart: null,
    validTimeEnd: null,
    persistent: true,
    pushObject: 'DEVICE',
    multiDevice: true,
    targets: null,
    createdAt: NOW,
    dueAt: NOW,
    producedAt: NOW,
    expireAt: NOW + 86_400_000,
    state: 'ACCEPTED',
    oplogId: null,
  };
}

/** The orders topic's records of these orders, keyed by channel as the intake produces them. */
function batchOf(orders: SyncOrder[]): RecordBatch {
  const records: ConsumedRecord[] = orders.map((o, offset) => ({
    topic: 'sync.orders',
    partition: 0,
    offset,
    key: channelId(o),
    value: encodeOrderRecord(o),
    timestamp: NOW,
  }));
  return { topic: 'sync.orders', partition: 0, records };
}

describe('Sequencer', () => {
  let store: SqliteStore;
  let orders: SyncOrderRepository;
  let oplogs: OplogRepository;
  let dispatched: Oplog[];
  let onDispatch: (oplog: Oplog) => Promise<void>;
  const newSequencer = (): Sequencer =>
    new Sequencer(orders, oplogs, { dispatch: (oplog: Oplog) => onDispatch(oplog) } as unknown as OplogDispatcher, { now: () => NOW });

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    orders = await SyncOrderRepository.open(store);
    oplogs = await OplogRepository.open(store);
    dispatched = [];
    onDispatch = async (oplog) => void dispatched.push(oplog);
  });

  afterEach(async () => {
    await store.close();
  });

  const submit = async (list: SyncOrder[]): Promise<RecordBatch> => {
    for (const o of list) await orders.insert(o);
    return batchOf(list);
  };
  const idsOf = (key: string): Array<[string, number]> => dispatched.filter((oplog) => oplog.key === key).map((oplog) => [oplog.thirdMsgId, oplog.id]);

  it('sequences the channels of a batch concurrently, each channel in offset order', async () => {
    const batch = await submit([order('a', '1'), order('a', '2'), order('b', '1'), order('a', '3'), order('b', '2')]);
    // Channel a's first oplog is held until channel b has one: one channel after the other would never finish.
    let bStarted = (): void => undefined;
    const bReached = new Promise<void>((resolve) => (bStarted = resolve));
    onDispatch = async (oplog) => {
      if (oplog.key === 'a' && oplog.id === 1) await bReached;
      if (oplog.key === 'b') bStarted();
      dispatched.push(oplog);
    };
    await newSequencer().handleBatch(batch);
    expect(idsOf('a')).toEqual([['1', 1], ['2', 2], ['3', 3]]);
    expect(idsOf('b')).toEqual([['1', 1], ['2', 2]]);
    expect((await orders.find(order('a', '3')._id))?.state).toBe('SEQUENCED');
    expect(await oplogs.lastId(channel('a'))).toBe(3);
  });

  it("claims a channel's next ids while its earlier oplogs are still being handed over, and hands them over in id order", async () => {
    const batch = await submit([order('a', '1'), order('a', '2'), order('a', '3')]);
    let thirdClaimed = (): void => undefined;
    const claimed = new Promise<void>((resolve) => (thirdClaimed = resolve));
    const insert = oplogs.insert.bind(oplogs);
    jest.spyOn(oplogs, 'insert').mockImplementation(async (oplog) => {
      await insert(oplog);
      if (oplog.id === 3) thirdClaimed();
    });
    onDispatch = async (oplog) => {
      if (oplog.id === 1) await claimed;
      dispatched.push(oplog);
    };
    await newSequencer().handleBatch(batch);
    expect(idsOf('a')).toEqual([['1', 1], ['2', 2], ['3', 3]]);
    for (const thirdMsgId of ['1', '2', '3']) expect((await orders.find(order('a', thirdMsgId)._id))?.state).toBe('SEQUENCED');
  });

  it('fails the batch, without an unhandled rejection, when a hand-over fails while later orders of its channel are being claimed', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const batch = await submit([order('a', '1'), order('a', '2'), order('a', '3')]);
      let firstFailed = (): void => undefined;
      const failed = new Promise<void>((resolve) => (firstFailed = resolve));
      const insert = oplogs.insert.bind(oplogs);
      jest.spyOn(oplogs, 'insert').mockImplementation(async (oplog) => {
        if (oplog.id === 2) await failed.then(() => new Promise((resolve) => setImmediate(resolve)));
        await insert(oplog);
      });
      onDispatch = async (oplog) => {
        if (oplog.id === 1) {
          firstFailed();
          throw new Error('nats unavailable');
        }
        dispatched.push(oplog);
      };
      await expect(newSequencer().handleBatch(batch)).rejects.toThrow('nats unavailable');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect((await orders.find(order('a', '1')._id))?.state).toBe('ACCEPTED');
    } finally {
      process.off('unhandledRejection', record);
    }
  });

  it('sequences an order from its record, reading nothing of it from the store, and skips expired orders and records that are no order', async () => {
    const expired = { ...order('a', '2'), expireAt: NOW };
    const batch = batchOf([order('a', '1'), expired, order('a', '3')]);
    batch.records.push({ ...batch.records[0]!, offset: 3, value: Buffer.from('not an order') });
    await newSequencer().handleBatch(batch);
    expect(idsOf('a')).toEqual([['1', 1], ['3', 2]]);
  });

  it('hands a replayed order over again with the id it got, unless this sequencer handed it over already', async () => {
    const batch = await submit([order('a', '1'), order('a', '2')]);
    await newSequencer().handleBatch(batch);
    const restarted = newSequencer();
    await restarted.handleBatch(batch);
    await restarted.handleBatch(batch);
    expect(idsOf('a')).toEqual([['1', 1], ['2', 2], ['1', 1], ['2', 2]]);
    expect(await oplogs.lastId(channel('a'))).toBe(2);
  });

  it('continues a channel after a crash from its oplogs beyond the recorded counter', async () => {
    await newSequencer().handleBatch(await submit([order('a', '1'), order('a', '2')]));
    // The process dies while handing oplog 4 over: oplogs 3 and 4 are stored, the counter still says 2.
    let reached4 = (): void => undefined;
    const crashed = new Promise<void>((resolve) => (reached4 = resolve));
    onDispatch = (oplog) => {
      dispatched.push(oplog);
      if (oplog.id < 4) return Promise.resolve();
      reached4();
      return new Promise<void>(() => undefined);
    };
    void newSequencer().handleBatch(await submit([order('a', '3'), order('a', '4')]));
    await crashed;
    expect(await oplogs.after(channel('a'), 0, 10)).toHaveLength(4);

    onDispatch = async (oplog) => void dispatched.push(oplog);
    dispatched = [];
    await newSequencer().handleBatch(await submit([order('a', '5')]));
    expect(idsOf('a')).toEqual([['5', 5]]);
    expect(await oplogs.lastId(channel('a'))).toBe(5);
  });

  it('lets every channel of a failing batch finish before failing it; the retry reuses the oplogs already claimed', async () => {
    const batch = await submit([order('a', '1'), order('b', '1'), order('b', '2')]);
    let failA = true;
    onDispatch = async (oplog) => {
      if (oplog.key === 'a' && failA) throw new Error('produce failed');
      dispatched.push(oplog);
    };
    const sequencer = newSequencer();
    await expect(sequencer.handleBatch(batch)).rejects.toThrow('produce failed');
    expect((await orders.find(order('b', '2')._id))?.state).toBe('SEQUENCED');
    failA = false;
    await sequencer.handleBatch(batch);
    expect(idsOf('a')).toEqual([['1', 1]]);
    expect(idsOf('b')).toEqual([['1', 1], ['2', 2]]);
  });
});
