import { BatchedInserts, type Collection, type Filter, type Store } from '@pushsync/platform';
import type { PushType } from '../push-request';
import type { PushTask } from './push-task';

export class TaskRepository {
  /** The tasks of pushes accepted at the same time share their writes. */
  private readonly inserts: BatchedInserts<PushTask>;

  private constructor(private readonly tasks: Collection<PushTask>) {
    this.inserts = new BatchedInserts(tasks);
  }

  public static async open(store: Store): Promise<TaskRepository> {
    return new TaskRepository(
      await store.collection<PushTask>({
        name: 'push_tasks',
        indexes: [
          { name: 'app_created', fields: { workspaceId: 1, appId: 1, createdAt: -1 } },
          // the live broadcasts a connecting device may still be owed.
          { name: 'type_expire', fields: { type: 1, expireAt: 1 } },
        ],
      }),
    );
  }

  public insert(task: PushTask): Promise<void> {
    return this.inserts.insert(task);
  }

  public find(appId: string, workspaceId: string, id: string): Promise<PushTask | null> {
    return this.tasks.findOne({ _id: id, appId, workspaceId });
  }

  public async count(id: string, counts: { pushed?: number; acked?: number }): Promise<void> {
    const inc: Record<string, number> = {};
    if (counts.pushed) inc.pushedCount = counts.pushed;
    if (counts.acked) inc.ackedCount = counts.acked;
    if (Object.keys(inc).length > 0) await this.tasks.updateOne({ _id: id }, { $inc: inc });
  }

  public async finish(id: string, now: number): Promise<void> {
    await this.tasks.updateOne({ _id: id, finishedAt: null }, { $set: { finishedAt: now } });
  }

  /**
   * Makes `planId` the task's broadcast plan (with the devices it reaches as targets), unless one was adopted already (a plan replayed
   * after its shards were produced and adopted); answers whether it was adopted.
   */
  public async adoptPlan(id: string, planId: string, shardCount: number, targetCount: number): Promise<boolean> {
    return (await this.tasks.updateOne({ _id: id, shardPlanId: null }, { $set: { shardPlanId: planId, shardCount, targetCount } })).matched > 0;
  }

  /**
   * Records how many shards of the plan are done (a count of their records, so a shard counted
   * twice, or a lost update, is corrected by the next count) and finishes the task with the last one.
   */
  public async shardsDone(task: Pick<PushTask, '_id' | 'shardPlanId' | 'shardCount'>, done: number, now: number): Promise<void> {
    if (task.shardPlanId === null || task.shardCount === null) return;
    await this.tasks.updateOne({ _id: task._id, shardPlanId: task.shardPlanId, shardsDone: { $lt: done } }, { $set: { shardsDone: done } });
    if (done >= task.shardCount) await this.finish(task._id, now);
  }

  public async revoke(id: string, now: number): Promise<void> {
    await this.tasks.updateOne({ _id: id }, { $set: { revokedAt: now } });
  }

  /** Broadcasts of any app still valid and not revoked. */
  public liveBroadcasts(now: number): Promise<PushTask[]> {
    return this.tasks.find({ type: 'BROADCAST', expireAt: { $gt: now }, revokedAt: null });
  }

  /** The push task list (mps.md §3.13, §6.3): created since `since`, newest first. */
  public page(appId: string, workspaceId: string, filter: { since: number; types: PushType[]; taskId?: string; taskName?: string }, skip: number, limit: number): Promise<PushTask[]> {
    return this.tasks.find(this.listFilter(appId, workspaceId, filter), { sort: { createdAt: -1, _id: -1 }, skip, limit });
  }

  public countPage(appId: string, workspaceId: string, filter: { since: number; types: PushType[]; taskId?: string; taskName?: string }): Promise<number> {
    return this.tasks.count(this.listFilter(appId, workspaceId, filter));
  }

  public async deleteOlderThan(before: number): Promise<void> {
    await this.tasks.deleteMany({ createdAt: { $lt: before } });
  }

  private listFilter(appId: string, workspaceId: string, filter: { since: number; types: PushType[]; taskId?: string; taskName?: string }): Filter {
    return {
      workspaceId,
      appId,
      createdAt: { $gte: filter.since },
      type: { $in: filter.types },
      ...(filter.taskId ? { _id: filter.taskId } : {}),
      ...(filter.taskName ? { taskName: filter.taskName } : {}),
    };
  }
}
