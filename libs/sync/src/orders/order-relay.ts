import type { BatchingProducer } from '@pushsync/platform';
import { channelId } from '../channel';
import { encodeOrderRecord } from '../sequencer';
import { SYNC_ORDERS_TOPIC } from '../topics';
import type { SyncOrderRepository } from './sync-order.repository';

/**
 * An order not sequenced this long after its last produce is produced again. Long enough that a
 * sequencer working through a backlog is not flooded with copies of what it has not reached yet.
 */
export const RELAY_AFTER_MS = 10_000;

/**
 * The outbox relay of DECISIONS D3: produces orders left unsequenced (a produce that failed, a
 * sequencer that died before its commit) and orders whose validTimeStart has come. Every replica may
 * run it; a record produced twice is ignored by the sequencer.
 */
export class OrderRelay {
  public constructor(
    private readonly orders: SyncOrderRepository,
    private readonly producer: BatchingProducer,
    private readonly clock: { now(): number },
  ) {}

  /** One pass; returns how many orders it produced. */
  public async relay(limit = 1000): Promise<number> {
    const now = this.clock.now();
    const stale = await this.orders.stale(now, now - RELAY_AFTER_MS, limit);
    if (stale.length === 0) return 0;
    await this.producer.sendAll(
      SYNC_ORDERS_TOPIC.name,
      stale.map((order) => ({ key: channelId(order), value: encodeOrderRecord(order._id) })),
    );
    await this.orders.touchProduced(
      stale.map((order) => order._id),
      now,
    );
    return stale.length;
  }
}
