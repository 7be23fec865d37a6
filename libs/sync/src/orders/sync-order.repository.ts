import { Coalescer, DuplicateKeyError, type Collection, type InsertOutcome, type Store } from '@pushsync/platform';
import type { SyncOrder } from './sync-order';

/** Orders inserted in one round trip at most: the intake's concurrent accepts share their writes. */
const INSERT_BATCH = 500;

export class SyncOrderRepository {
  private readonly inserts: Coalescer<SyncOrder, InsertOutcome>;

  private constructor(private readonly orders: Collection<SyncOrder>) {
    this.inserts = new Coalescer((batch) => orders.insertMany(batch), { maxBatch: INSERT_BATCH });
  }

  public static async open(store: Store): Promise<SyncOrderRepository> {
    return new SyncOrderRepository(
      await store.collection<SyncOrder>({
        name: 'sync_orders',
        indexes: [
          { name: 'relay', fields: { state: 1, dueAt: 1 } },
          { name: 'expiry', fields: { expireAt: 1 } },
          { name: 'app_biz', fields: { workspaceId: 1, appId: 1, bizType: 1 } },
        ],
      }),
    );
  }

  /** Reserves the idempotency key: throws DuplicateKeyError when the order exists. */
  public async insert(order: SyncOrder): Promise<void> {
    if ((await this.inserts.submit(order)) === 'duplicate') throw new DuplicateKeyError(this.orders.name, '_id');
  }

  public find(id: string): Promise<SyncOrder | null> {
    return this.orders.findOne({ _id: id });
  }

  public async markSequenced(id: string, oplogId: number): Promise<void> {
    await this.orders.updateOne({ _id: id }, { $set: { state: 'SEQUENCED', oplogId } });
  }

  /** Accepted orders that are due and were last produced before `producedBefore`. */
  public stale(now: number, producedBefore: number, limit: number): Promise<SyncOrder[]> {
    return this.orders.find({ state: 'ACCEPTED', dueAt: { $lte: now }, producedAt: { $lt: producedBefore } }, { sort: { dueAt: 1 }, limit });
  }

  public async touchProduced(ids: string[], at: number): Promise<void> {
    if (ids.length > 0) await this.orders.updateMany({ _id: { $in: ids } }, { $set: { producedAt: at } });
  }

  public deleteExpired(now: number): Promise<number> {
    return this.orders.deleteMany({ expireAt: { $lt: now } });
  }

  public deleteOfBizType(workspaceId: string, appId: string, bizType: string): Promise<number> {
    return this.orders.deleteMany({ workspaceId, appId, bizType });
  }
}
