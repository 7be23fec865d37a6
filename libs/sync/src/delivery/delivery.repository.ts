import type { Collection, Store } from '@pushsync/platform';
import type { ChannelRef } from '../channel';

export type BatchStatus = 'PENDING' | 'ACKED' | 'DROPPED';

/**
 * One batch of oplogs sent to one device (one SyncData frame): the unit of acks, re-sends and
 * attempts, and the record the 30-day statistics count (DECISIONS D3 "Statistics").
 */
export interface DeliveredBatch {
  _id: string;
  [field: string]: string | number | number[] | null;
  instanceId: string;
  token: string;
  userId: string | null;
  bizType: string;
  key: string;
  firstId: number;
  lastId: number;
  ids: number[];
  attempts: number;
  status: BatchStatus;
  firstSentAt: number;
  lastSentAt: number;
}

export class DeliveryRepository {
  private constructor(private readonly batches: Collection<DeliveredBatch>) {}

  public static async open(store: Store): Promise<DeliveryRepository> {
    return new DeliveryRepository(
      await store.collection<DeliveredBatch>({
        name: 'sync_deliveries',
        indexes: [
          { name: 'device_channel', fields: { instanceId: 1, token: 1, bizType: 1, key: 1, status: 1 } },
          { name: 'device_recent', fields: { instanceId: 1, token: 1, firstSentAt: -1 } },
          { name: 'user_recent', fields: { instanceId: 1, userId: 1, firstSentAt: -1 } },
          { name: 'pending', fields: { status: 1, lastSentAt: 1 } },
          { name: 'age', fields: { firstSentAt: 1 } },
        ],
      }),
    );
  }

  public static batchId(channel: ChannelRef, token: string, firstId: number): string {
    return JSON.stringify([channel.instanceId, token, channel.bizType, channel.key, firstId]);
  }

  public insert(batch: DeliveredBatch): Promise<void> {
    return this.batches.insertOne(batch);
  }

  public pendingOf(channel: ChannelRef, token: string): Promise<DeliveredBatch[]> {
    return this.batches.find({ instanceId: channel.instanceId, token, bizType: channel.bizType, key: channel.key, status: 'PENDING' }, { sort: { firstId: 1 } });
  }

  public async resent(ids: string[], at: number): Promise<void> {
    if (ids.length > 0) await this.batches.updateMany({ _id: { $in: ids } }, { $inc: { attempts: 1 }, $set: { lastSentAt: at } });
  }

  public async settle(ids: string[], status: Exclude<BatchStatus, 'PENDING'>): Promise<void> {
    if (ids.length > 0) await this.batches.updateMany({ _id: { $in: ids }, status: 'PENDING' }, { $set: { status } });
  }

  /** Pending batches that another device took over (single-device data): the new device gets the data. */
  public async discard(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.batches.deleteMany({ _id: { $in: ids }, status: 'PENDING' });
  }

  /** Devices with unacknowledged batches (resumed by the worker that gains their partition). */
  public async devicesWithPending(limit: number): Promise<Array<{ instanceId: string; token: string }>> {
    const pending = await this.batches.find({ status: 'PENDING' }, { sort: { lastSentAt: 1 }, limit });
    const seen = new Map<string, { instanceId: string; token: string }>();
    for (const batch of pending) seen.set(`${batch.instanceId}|${batch.token}`, { instanceId: batch.instanceId, token: batch.token });
    return [...seen.values()];
  }

  public ofDevice(instanceId: string, token: string, since: number, limit: number): Promise<DeliveredBatch[]> {
    return this.batches.find({ instanceId, token, firstSentAt: { $gte: since } }, { sort: { firstSentAt: -1 }, limit });
  }

  public ofUser(instanceId: string, userId: string, since: number, limit: number): Promise<DeliveredBatch[]> {
    return this.batches.find({ instanceId, userId, firstSentAt: { $gte: since } }, { sort: { firstSentAt: -1 }, limit });
  }

  public deleteOlderThan(before: number): Promise<number> {
    return this.batches.deleteMany({ firstSentAt: { $lt: before } });
  }

  public deleteOfBizType(instanceId: string, bizType: string): Promise<number> {
    return this.batches.deleteMany({ instanceId, bizType });
  }
}
