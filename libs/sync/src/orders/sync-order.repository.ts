import { BatchedInserts, type Collection, type Store } from '@pushsync/platform';
import type { SyncOrder } from './sync-order';

export class SyncOrderRepository {
  /** The intake's concurrent accepts share their writes. */
  private readonly inserts: BatchedInserts<SyncOrder>;

  private constructor(private readonly orders: Collection<SyncOrder>) {
    this.inserts = new BatchedInserts(orders);
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
  public insert(order: SyncOrder): Promise<void> {
    return this.inserts.insert(order);
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
