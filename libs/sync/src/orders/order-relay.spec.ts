import { partitionFor, type BatchingProducer, type StreamMessage } from '@pushsync/platform';
import { channelId } from '../channel';
import { SYNC_ORDERS_TOPIC } from '../topics';
import { OrderRelay, RELAY_AFTER_MS } from './order-relay';
import type { SyncOrder } from './sync-order';
import type { SyncOrderRepository } from './sync-order.repository';

const T0 = 1_800_000_000_000;

describe('OrderRelay', () => {
  let now: number;
  let waiting: SyncOrder[];
  let scans: number;
  let produced: string[];
  let committed: number;
  let end: number;
  let relay: OrderRelay;

  const order = (id: string, producedAt: number): SyncOrder => ({ _id: id, instanceId: 'ws_APP', bizType: 'LOCK', key: 'device-1', producedAt }) as SyncOrder;

  beforeEach(() => {
    now = T0;
    waiting = [];
    scans = 0;
    produced = [];
    committed = 0;
    end = 0;
    const orders = {
      stale: async (_now: number, producedBefore: number) => {
        scans++;
        return waiting.filter((o) => o.producedAt < producedBefore);
      },
      touchProduced: async (ids: string[], at: number) => waiting.filter((o) => ids.includes(o._id)).forEach((o) => (o.producedAt = at)),
    } as unknown as SyncOrderRepository;
    const producer = { sendAll: async (_topic: string, messages: StreamMessage[]) => produced.push(...messages.map((m) => (JSON.parse(Buffer.from(m.value).toString()) as SyncOrder)._id)) } as unknown as BatchingProducer;
    const partition = partitionFor(channelId(order('x', 0)), SYNC_ORDERS_TOPIC.partitions);
    const stream = {
      committedOffset: async (_group: string, at: { partition: number }) => (at.partition === partition ? committed : null),
      endOffset: async (at: { partition: number }) => (at.partition === partition ? end : 0),
    };
    relay = new OrderRelay(orders, producer, stream, { now: () => now });
  });

  it('leaves an order the sequencer has not reached yet, and produces it once the sequencer passed where it was', async () => {
    waiting.push(order('a', T0));
    end = 500; // the order's record lies somewhere before 500; the sequencer is at 100
    committed = 100;
    now = T0 + RELAY_AFTER_MS + 1;
    expect(await relay.relay()).toBe(0);
    end = 900; // more was produced since
    committed = 499;
    now += 2000;
    expect(await relay.relay()).toBe(0);
    committed = 500; // past the end seen by the first pass: the order's record was not there
    now += 2000;
    expect(await relay.relay()).toBe(1);
    expect(produced).toEqual(['a']);
    // Produced again just now: it waits a full RELAY_AFTER_MS and a new mark before the next try.
    committed = 900;
    now += 2000;
    expect(await relay.relay()).toBe(0);
  });

  it('produces at once what the sequencer is not behind on, and orders held for their validTimeStart', async () => {
    waiting.push(order('lost', T0), order('held', 0));
    end = 40;
    committed = 40;
    now = T0 + RELAY_AFTER_MS + 1;
    expect(await relay.relay()).toBe(2);
    expect(produced.sort()).toEqual(['held', 'lost']);
  });

  it('produces a held order even while the sequencer is behind', async () => {
    waiting.push(order('held', 0));
    end = 40;
    committed = 10;
    expect(await relay.relay()).toBe(1);
  });

  it('reads the order store less often while it finds nothing to produce, and at once again after it produced', async () => {
    const passEvery2s = async (passes: number): Promise<void> => {
      for (let i = 0; i < passes; i++) {
        await relay.relay();
        now += 2000;
      }
    };
    await passEvery2s(30); // 60 s idle: scans at 0, 2, 4 (after waits of 1, 2 s), 8 (4 s), 16 (8 s), then every 10 s
    expect(scans).toBe(9);
    waiting.push(order('held', 0));
    scans = 0;
    await passEvery2s(5); // found within 10 s; produced, so the next pass reads again
    expect(produced).toEqual(['held']);
    expect(scans).toBeGreaterThanOrEqual(2);
  });
});
