import type { Collection, Store } from '@pushsync/platform';
import { channelId, type ChannelRef } from '../channel';
import type { Oplog } from './oplog';

interface ChannelCounter {
  _id: string;
  [field: string]: string | number;
  last: number;
}

/** Oplogs, and the last id given on each channel (kept after its oplogs expire, so ids never go back). */
export class OplogRepository {
  private constructor(
    private readonly oplogs: Collection<Oplog>,
    private readonly counters: Collection<ChannelCounter>,
  ) {}

  public static async open(store: Store): Promise<OplogRepository> {
    const oplogs = await store.collection<Oplog>({
      name: 'sync_oplogs',
      indexes: [
        { name: 'channel_id', fields: { instanceId: 1, bizType: 1, key: 1, id: 1 }, unique: true },
        { name: 'order', fields: { orderId: 1 }, unique: true },
        { name: 'expiry', fields: { expireAt: 1 } },
      ],
    });
    const counters = await store.collection<ChannelCounter>({ name: 'sync_channel_counters' });
    return new OplogRepository(oplogs, counters);
  }

  public static oplogDocumentId(channel: ChannelRef, id: number): string {
    return `${channelId(channel)}#${id}`;
  }

  /** Throws DuplicateKeyError when the id is taken on the channel or the order already has an oplog. */
  public insert(oplog: Oplog): Promise<void> {
    return this.oplogs.insertOne(oplog);
  }

  public findByOrder(orderId: string): Promise<Oplog | null> {
    return this.oplogs.findOne({ orderId });
  }

  /** The highest id ever given on the channel. */
  public async lastId(channel: ChannelRef): Promise<number> {
    const [newest] = await this.oplogs.find({ instanceId: channel.instanceId, bizType: channel.bizType, key: channel.key }, { sort: { id: -1 }, limit: 1 });
    const counter = await this.counters.findOne({ _id: channelId(channel) });
    return Math.max(newest?.id ?? 0, counter?.last ?? 0);
  }

  /** Records the last id of a channel; only its single writer calls it, so a plain conditional update is enough. */
  public async recordLastId(channel: ChannelRef, last: number): Promise<void> {
    const id = channelId(channel);
    const updated = await this.counters.updateOne({ _id: id, last: { $lt: last } }, { $set: { last } });
    if (updated.matched === 0) await this.counters.updateOne({ _id: id }, { $setOnInsert: { last } }, { upsert: true });
  }

  /** Oplogs of a channel after `afterId`, in id order. */
  public after(channel: ChannelRef, afterId: number, limit: number): Promise<Oplog[]> {
    return this.oplogs.find({ instanceId: channel.instanceId, bizType: channel.bizType, key: channel.key, id: { $gt: afterId } }, { sort: { id: 1 }, limit });
  }

  /** Oplogs of a channel in (afterId, beforeId), newest first: how a backlog is read when only the newest N may be sent. */
  public newestBetween(channel: ChannelRef, afterId: number, beforeId: number, limit: number): Promise<Oplog[]> {
    return this.oplogs.find({ instanceId: channel.instanceId, bizType: channel.bizType, key: channel.key, id: { $gt: afterId, $lt: beforeId } }, { sort: { id: -1 }, limit });
  }

  public inRange(channel: ChannelRef, fromId: number, toId: number): Promise<Oplog[]> {
    return this.oplogs.find({ instanceId: channel.instanceId, bizType: channel.bizType, key: channel.key, id: { $gte: fromId, $lte: toId } }, { sort: { id: 1 } });
  }

  /** Recent oplogs of the given channels (console status query). */
  public recentOf(channels: ChannelRef[], since: number, limit: number): Promise<Oplog[]> {
    if (channels.length === 0) return Promise.resolve([]);
    return this.oplogs.find({ $or: channels.map((c) => ({ instanceId: c.instanceId, bizType: c.bizType, key: c.key })), createdAt: { $gte: since } }, { sort: { createdAt: -1 }, limit });
  }

  public deleteExpired(now: number): Promise<number> {
    return this.oplogs.deleteMany({ expireAt: { $lt: now } });
  }

  /** Purges a deleted configuration's oplogs. Its counters stay: a re-created bizType must not reuse ids below the sync points devices hold. */
  public deleteOfBizType(instanceId: string, bizType: string): Promise<number> {
    return this.oplogs.deleteMany({ instanceId, bizType });
  }

  /** The oplogs of a channel with the given ids (those still stored). */
  public ofIds(channel: ChannelRef, ids: number[]): Promise<Oplog[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.oplogs.find({ instanceId: channel.instanceId, bizType: channel.bizType, key: channel.key, id: { $in: ids } }, { sort: { id: 1 } });
  }
}
