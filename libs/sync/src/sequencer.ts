import { DuplicateKeyError, type ConsumedRecord, type RecordBatch } from '@pushsync/platform';
import { channelId, type ChannelRef } from './channel';
import type { OplogDispatcher } from './delivery/dispatcher';
import { OplogRepository } from './oplogs/oplog.repository';
import type { Oplog } from './oplogs/oplog';
import type { SyncOrder } from './orders/sync-order';
import type { SyncOrderRepository } from './orders/sync-order.repository';

/** How long a non-persistent oplog is kept: beyond its whole retry budget (10 s doubling to 5 min, 7 sends). */
export const NON_PERSISTENT_TTL_MS = 20 * 60_000;
/** Channels of one batch sequenced at once (each channel's orders one after the other). */
const CONCURRENT_CHANNELS = 16;

/** An order's record on the orders topic: the whole order, so that sequencing it reads nothing from the store. */
export function encodeOrderRecord(order: SyncOrder): Uint8Array {
  return Buffer.from(JSON.stringify(order), 'utf8');
}

/** The order a record carries, or null for a record that is not one. */
export function decodeOrderRecord(value: Uint8Array): SyncOrder | null {
  try {
    const order = JSON.parse(Buffer.from(value).toString('utf8')) as Partial<SyncOrder> | null;
    const valid = typeof order?._id === 'string' && typeof order.instanceId === 'string' && typeof order.bizType === 'string' && typeof order.key === 'string' && typeof order.dueAt === 'number' && typeof order.expireAt === 'number';
    return valid ? (order as SyncOrder) : null;
  } catch {
    return null;
  }
}

/** Orders this sequencer handed over lately: a batch retried after a failure does not hand them over twice. */
const HANDED_OVER_KEPT = 50_000;

/**
 * Turns accepted orders into oplogs (DECISIONS D3 "Oplog ids"). It consumes the orders topic,
 * keyed by channel, so the member owning a partition is the only writer of its channels: it
 * takes the next id from its memory of the channel (recovered from the store when it gains the
 * partition) and claims it by inserting the oplog, whose id and order are both unique. Records
 * carry the whole order. A replayed order (a crash before the commit, the relay, a repeated
 * thirdMsgId) finds the oplog it already got, reuses its id and is handed over again unless this
 * sequencer did so lately; delivery ignores an oplog it has. An expired order is skipped; one whose
 * validTimeStart is ahead waits for the relay.
 * The orders topic is keyed by channel, so a batch's records are grouped by key: channels are
 * sequenced concurrently, the orders of one channel strictly in offset order.
 */
export class Sequencer {
  private readonly lastIds = new Map<string, number>();
  private readonly handedOver = new Set<string>();

  public constructor(
    private readonly orders: SyncOrderRepository,
    private readonly oplogs: OplogRepository,
    private readonly dispatcher: OplogDispatcher,
    private readonly clock: { now(): number },
  ) {}

  /** A rebalance may have handed our channels to someone else and back: forget what we knew. */
  public partitionsAssigned(): void {
    this.lastIds.clear();
  }

  public async handleBatch(batch: RecordBatch): Promise<void> {
    const byChannel = new Map<string, ConsumedRecord[]>();
    for (const record of batch.records) {
      const lane = byChannel.get(record.key);
      if (lane) lane.push(record);
      else byChannel.set(record.key, [record]);
    }
    const touched = new Map<string, ChannelRef>();
    const lanes = byChannel.values();
    const failures: unknown[] = [];
    const worker = async (): Promise<void> => {
      for (const lane of lanes) await this.sequenceLane(lane, touched).catch((error: unknown) => void failures.push(error));
    };
    // Every lane settles before the batch fails: a retry of the batch must not overlap a lane still running.
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_CHANNELS, byChannel.size) }, worker));
    await Promise.all([...touched].map(([id, channel]) => this.oplogs.recordLastId(channel, this.lastIds.get(id) ?? 0)));
    if (failures.length > 0) throw failures[0];
  }

  /**
   * The orders of one channel. Only the id claims run one after the other; the orders are read up
   * front, the hand-overs to delivery follow each other in id order behind the claims, and each
   * order is marked once its own oplog was handed over: a crash in between replays the order, which
   * finds its oplog and hands it over again.
   */
  private async sequenceLane(records: ConsumedRecord[], touched: Map<string, ChannelRef>): Promise<void> {
    const orders = records.map((record) => decodeOrderRecord(record.value));
    let handedOver = Promise.resolve();
    const marked: Array<Promise<void>> = [];
    // Caught as it happens: a hand-over failing while the loop still claims must not be an unhandled rejection.
    let failure: { error: unknown } | undefined;
    try {
      for (const order of orders) {
        if (failure) break;
        const now = this.clock.now();
        if (order === null || this.handedOver.has(order._id) || order.dueAt > now || order.expireAt <= now) continue;
        const oplog = await this.claim(order);
        touched.set(channelId(oplog), oplog);
        handedOver = handedOver.then(() => this.dispatcher.dispatch(oplog));
        marked.push(
          handedOver
            .then(() => this.orders.markSequenced(order._id, oplog.id))
            .then(() => this.remember(order._id))
            .catch((error: unknown) => void (failure ??= { error })),
        );
      }
    } finally {
      await Promise.all(marked);
    }
    if (failure) throw failure.error;
  }

  private remember(orderId: string): void {
    this.handedOver.add(orderId);
    if (this.handedOver.size > HANDED_OVER_KEPT) this.handedOver.delete(this.handedOver.values().next().value!);
  }

  private async claim(order: SyncOrder): Promise<Oplog> {
    const channel: ChannelRef = { instanceId: order.instanceId, bizType: order.bizType, key: order.key };
    const id = channelId(channel);
    for (let attempt = 0; ; attempt++) {
      const next = (this.lastIds.get(id) ?? (await this.oplogs.lastId(channel))) + 1;
      const oplog = this.oplogOf(order, channel, next);
      try {
        await this.oplogs.insert(oplog);
        this.lastIds.set(id, next);
        return oplog;
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
        const existing = await this.oplogs.findByOrder(order._id);
        if (existing) {
          this.lastIds.set(id, Math.max(this.lastIds.get(id) ?? 0, existing.id));
          return existing;
        }
        // Another member wrote this channel while a rebalance was settling: re-read and take the next id.
        this.lastIds.delete(id);
        if (attempt >= 5) throw error;
      }
    }
  }

  private oplogOf(order: SyncOrder, channel: ChannelRef, id: number): Oplog {
    const now = this.clock.now();
    return {
      _id: OplogRepository.oplogDocumentId(channel, id),
      instanceId: order.instanceId,
      appId: order.appId,
      workspaceId: order.workspaceId,
      bizType: order.bizType,
      key: order.key,
      id,
      orderId: order._id,
      thirdMsgId: order.thirdMsgId,
      payload: order.payload,
      binary: order.binary,
      filters: order.filters,
      validTimeEnd: order.validTimeEnd,
      persistent: order.persistent,
      pushObject: order.pushObject,
      multiDevice: order.multiDevice,
      targets: order.targets,
      createdAt: now,
      expireAt: order.persistent ? order.expireAt : Math.min(order.expireAt, now + NON_PERSISTENT_TTL_MS),
    };
  }
}
