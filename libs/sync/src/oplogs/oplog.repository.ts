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

  /**
   * The highest id ever given on the channel: its counter, which the sequencer records after each
   * batch, then the oplogs a crash left beyond it, read by `_id`. FerretDB answers `_id` reads from
   * its primary key but scans the whole collection for any other filter. Oplogs beyond the counter
   * are at most one batch old, far younger than any expiry, so the walk meets no gap.
   */
  public async lastId(channel: ChannelRef): Promise<number> {
    const counter = await this.counters.findOne({ _id: channelId(channel) });
    let last = counter?.last ?? 0;
    while ((await this.oplogs.findOne({ _id: OplogRepository.oplogDocumentId(channel, last + 1) })) !== null) last++;
    return last;
  }

  /** Records the last id of a channel; only its single writer calls it, so read-then-write is enough (both by `_id`, see lastId). */
  public async recordLastId(channel: ChannelRef, last: number): Promise<void> {
    const id = channelId(channel);
    const counter = await this.counters.findOne({ _id: id });
    if ((counter?.last ?? 0) < last) await this.counters.updateOne({ _id: id }, { $set: { last } }, { upsert: true });
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
