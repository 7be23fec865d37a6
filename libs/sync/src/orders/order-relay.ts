import { partitionFor, type BatchingProducer, type Stream } from '@pushsync/platform';
import { channelId } from '../channel';
import { encodeOrderRecord } from '../sequencer';
import { SEQUENCER_GROUP, SYNC_ORDERS_TOPIC } from '../topics';
import type { SyncOrder } from './sync-order';
import type { SyncOrderRepository } from './sync-order.repository';

/** An order not sequenced this long after its last produce is a candidate for producing again. */
export const RELAY_AFTER_MS = 10_000;
/**
 * The longest wait between two reads of the order store while they find nothing to produce: the
 * relay's query is answered by reading every order on FerretDB 1.x, whatever the indexes.
 */
export const RELAY_IDLE_SCAN_MAX_MS = 10_000;
/** End offsets remembered per partition: one per pass that found candidates there. */
const MARKS_KEPT = 64;

interface Mark {
  at: number;
  endOffset: number;
}

/**
 * The outbox relay of DECISIONS D3: produces orders left unsequenced (a produce that failed, a
 * sequencer that died before its commit) and orders whose validTimeStart has come. Every replica may
 * run it; a record produced twice is ignored by the sequencer.
 *
 * An order still waiting in the sequencer's backlog is not lost, and producing it again would only
 * lengthen that backlog (a sequencer behind by minutes would get every waiting order once more
 * every pass). So a produced order counts as lost only once the sequencer group has committed past
 * the partition's end offset as seen by a pass at least RELAY_AFTER_MS after the order's produce,
 * which its record, if it was written, lies before.
 */
export class OrderRelay {
  private readonly marks = new Map<number, Mark[]>();
  private idleWaitMs = 0;
  private nextScanAt = 0;

  public constructor(
    private readonly orders: SyncOrderRepository,
    private readonly producer: BatchingProducer,
    private readonly stream: Pick<Stream, 'committedOffset' | 'endOffset'>,
    private readonly clock: { now(): number },
  ) {}

  /** One pass; returns how many orders it produced. Passes that find nothing space out the next ones (1 s doubling to RELAY_IDLE_SCAN_MAX_MS). */
  public async relay(limit = 1000): Promise<number> {
    const now = this.clock.now();
    if (now < this.nextScanAt) return 0;
    const produced = await this.produceLost(now, limit);
    this.idleWaitMs = produced > 0 ? 0 : Math.min(Math.max(2 * this.idleWaitMs, 1000), RELAY_IDLE_SCAN_MAX_MS);
    this.nextScanAt = now + this.idleWaitMs;
    return produced;
  }

  private async produceLost(now: number, limit: number): Promise<number> {
    const stale = await this.orders.stale(now, now - RELAY_AFTER_MS, limit);
    if (stale.length === 0) return 0;
    const byPartition = new Map<number, SyncOrder[]>();
    for (const order of stale) {
      const partition = partitionFor(channelId(order), SYNC_ORDERS_TOPIC.partitions);
      const orders = byPartition.get(partition);
      if (orders === undefined) byPartition.set(partition, [order]);
      else orders.push(order);
    }
    const lost: SyncOrder[] = [];
    for (const [partition, orders] of byPartition) {
      const passed = await this.passedMarks(partition, now);
      // producedAt 0: held for its validTimeStart, never produced.
      lost.push(...orders.filter((order) => order.producedAt === 0 || passed.some((mark) => mark.at >= order.producedAt + RELAY_AFTER_MS)));
    }
    if (lost.length === 0) return 0;
    await this.producer.sendAll(
      SYNC_ORDERS_TOPIC.name,
      lost.map((order) => ({ key: channelId(order), value: encodeOrderRecord(order) })),
    );
    await this.orders.touchProduced(
      lost.map((order) => order._id),
      now,
    );
    return lost.length;
  }

  /** Records the partition's end offset now, and returns the marks the sequencer group has committed past. */
  private async passedMarks(partition: number, now: number): Promise<Mark[]> {
    const position = { topic: SYNC_ORDERS_TOPIC.name, partition };
    const marks = [...(this.marks.get(partition) ?? []), { at: now, endOffset: await this.stream.endOffset(position) }].slice(-MARKS_KEPT);
    this.marks.set(partition, marks);
    const committed = (await this.stream.committedOffset(SEQUENCER_GROUP, position)) ?? 0;
    return marks.filter((mark) => committed >= mark.endOffset);
  }
}
