import { DuplicateKeyError, type Collection, type Store, type StoredDocument } from '@pushsync/platform';

/** A shard sent (mps.md §3.4 progress): written once its devices were handed to their nodes. */
export interface SentShard extends StoredDocument {
  /** `<taskId>:<planId>:<index>` (shardIdOf). */
  _id: string;
  taskId: string;
  planId: string;
  sent: number;
  sentAt: number;
}

export class BroadcastShardRepository {
  private constructor(private readonly shards: Collection<SentShard>) {}

  public static async open(store: Store): Promise<BroadcastShardRepository> {
    return new BroadcastShardRepository(
      await store.collection<SentShard>({
        name: 'push_broadcast_shards',
        indexes: [
          { name: 'task_plan', fields: { taskId: 1, planId: 1 } },
          { name: 'sent_at', fields: { sentAt: 1 } },
        ],
      }),
    );
  }

  public async isSent(id: string): Promise<boolean> {
    return (await this.shards.findOne({ _id: id })) !== null;
  }

  /** Records the shard as sent; false when it was recorded already (a replayed shard: it is not counted again). */
  public async recordSent(shard: SentShard): Promise<boolean> {
    try {
      await this.shards.insertOne(shard);
      return true;
    } catch (error) {
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
  }

  public countSent(taskId: string, planId: string): Promise<number> {
    return this.shards.count({ taskId, planId });
  }

  public async deleteOlderThan(before: number): Promise<void> {
    await this.shards.deleteMany({ sentAt: { $lt: before } });
  }
}
