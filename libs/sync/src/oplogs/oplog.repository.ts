import { BatchedInserts, DuplicateKeyError, type Collection, type Store } from '@pushsync/platform';
import { channelId, type ChannelRef } from '../channel';
import type { Oplog } from './oplog';

interface ChannelCounter {
  _id: string;
  [field: string]: string | number;
  last: number;
}

/** Ids per page: a channel's oplogs are read page by page, never the whole channel at once. */
export const OPLOG_PAGE_SIZE = 100;
/** Empty pages read in a row before the rest is read in one query: a device far behind expired data. */
const EMPTY_PAGES_BEFORE_SCAN = 10;

/** An oplog as stored: with its page (`<channel>#<id / OPLOG_PAGE_SIZE>`), which reads select by equality. */
type StoredOplog = Oplog & { page: string };

function pageKey(channel: ChannelRef, index: number): string {
  return `${channelId(channel)}#p${index}`;
}

const pageIndex = (id: number): number => Math.floor(id / OPLOG_PAGE_SIZE);

/**
 * Oplogs, and the last id given on each channel (kept after its oplogs expire, so ids never go back).
 * A channel is read page by page: on FerretDB 1.x, whose indexes answer equality only, a filter on
 * the channel plus an id range read and decoded every oplog of the channel (a 10,000-oplog catch-up
 * read 350,000 oplogs).
 */
export class OplogRepository {
  /** The claims of the channels sequenced at once share their writes. */
  private readonly inserts: BatchedInserts<StoredOplog>;

  private constructor(
    private readonly oplogs: Collection<StoredOplog>,
    private readonly counters: Collection<ChannelCounter>,
  ) {
    this.inserts = new BatchedInserts(oplogs);
  }

  public static async open(store: Store): Promise<OplogRepository> {
    const oplogs = await store.collection<StoredOplog>({
      name: 'sync_oplogs',
      indexes: [
        { name: 'channel_id', fields: { instanceId: 1, bizType: 1, key: 1, id: 1 }, unique: true },
        { name: 'page', fields: { page: 1 } },
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
    return this.inserts.insert({ ...oplog, page: pageKey(oplog, pageIndex(oplog.id)) });
  }

  public findByOrder(orderId: string): Promise<Oplog | null> {
    return this.oplogs.findOne({ orderId });
  }

  /**
   * The highest id ever given on the channel: its counter, which the sequencer records after each
   * batch, then the oplogs a crash left beyond it, read by `_id` (FerretDB 1.x filters `id` and the
   * channel in its own process, after reading every oplog of the channel). Oplogs beyond the counter
   * are at most one batch old, far younger than any expiry, so the walk meets no gap.
   */
  public async lastId(channel: ChannelRef): Promise<number> {
    const counter = await this.counters.findOne({ _id: channelId(channel) });
    let last = counter?.last ?? 0;
    while ((await this.oplogs.findOne({ _id: OplogRepository.oplogDocumentId(channel, last + 1) })) !== null) last++;
    return last;
  }

  /** Records the last id of a channel, never lowering it: a rebalance may briefly leave a former writer behind. */
  public async recordLastId(channel: ChannelRef, last: number): Promise<void> {
    const id = channelId(channel);
    if ((await this.counters.updateOne({ _id: id, last: { $lt: last } }, { $set: { last } })).matched > 0) return;
    try {
      await this.counters.insertOne({ _id: id, last });
    } catch (error) {
      // The counter exists and is at `last` or beyond.
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
  }

  /** Oplogs of a channel after `afterId`, in id order. */
  public after(channel: ChannelRef, afterId: number, limit: number): Promise<Oplog[]> {
    return this.between(channel, afterId, Number.MAX_SAFE_INTEGER, limit, 'oldest-first');
  }

  /** Oplogs of a channel in (afterId, beforeId), newest first: how a backlog is read when only the newest N may be sent. */
  public newestBetween(channel: ChannelRef, afterId: number, beforeId: number, limit: number): Promise<Oplog[]> {
    return this.between(channel, afterId, beforeId, limit, 'newest-first');
  }

  public inRange(channel: ChannelRef, fromId: number, toId: number): Promise<Oplog[]> {
    return this.between(channel, fromId - 1, toId + 1, Number.POSITIVE_INFINITY, 'oldest-first');
  }

  /**
   * Up to `limit` oplogs with ids in (afterId, beforeId), read a page at a time from the end the order
   * starts at, up to the channel's last id. A run of empty pages (data expired far ahead of the
   * reader) ends in one query for the rest, filtered by id.
   */
  private async between(channel: ChannelRef, afterId: number, beforeId: number, limit: number, order: 'oldest-first' | 'newest-first'): Promise<Oplog[]> {
    const low = afterId + 1;
    const high = Math.min(beforeId - 1, await this.lastId(channel));
    if (low > high || limit <= 0) return [];
    const inRange = (oplog: Oplog) => oplog.id >= low && oplog.id <= high;
    const byOrder = order === 'oldest-first' ? (a: Oplog, b: Oplog) => a.id - b.id : (a: Oplog, b: Oplog) => b.id - a.id;
    const [firstPage, lastPage] = [pageIndex(low), pageIndex(high)];
    const found: Oplog[] = [];
    let emptyInARow = 0;
    for (let step = 0; step <= lastPage - firstPage && found.length < limit; step++) {
      if (emptyInARow === EMPTY_PAGES_BEFORE_SCAN) {
        const [from, to] = order === 'oldest-first' ? [firstPage + step, lastPage] : [firstPage, lastPage - step];
        const rest = await this.oplogs.find({ instanceId: channel.instanceId, bizType: channel.bizType, key: channel.key, id: { $gte: Math.max(low, from * OPLOG_PAGE_SIZE), $lte: Math.min(high, (to + 1) * OPLOG_PAGE_SIZE - 1) } }, { sort: { id: order === 'oldest-first' ? 1 : -1 }, ...(Number.isFinite(limit) ? { limit: limit - found.length } : {}) });
        found.push(...rest);
        break;
      }
      const index = order === 'oldest-first' ? firstPage + step : lastPage - step;
      const page = (await this.oplogs.find({ page: pageKey(channel, index) })).filter(inRange);
      emptyInARow = page.length === 0 ? emptyInARow + 1 : 0;
      found.push(...page.sort(byOrder));
    }
    return found.slice(0, limit);
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

  /** The oplogs of a channel with the given ids (those still stored), in id order. */
  public async ofIds(channel: ChannelRef, ids: number[]): Promise<Oplog[]> {
    const wanted = new Set(ids);
    const pages = [...new Set(ids.map(pageIndex))];
    const found = await Promise.all(pages.map((index) => this.oplogs.find({ page: pageKey(channel, index) })));
    return found.flat().filter((oplog) => wanted.has(oplog.id)).sort((a, b) => a.id - b.id);
  }
}
