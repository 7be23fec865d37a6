import { DuplicateKeyError, type Collection, type Filter, type Store, type StoredDocument } from '@pushsync/platform';
import type { PushType } from '../push-request';

export const COUNTER_NAMES = ['pushTotalNum', 'pushNum', 'arrivalNum', 'openNum', 'ignoreNum'] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counts = Record<CounterName, number>;

/** `taskId` ALL_TASKS: the bucket summed over every task, so a query without a task filter reads one document per day and dimension, not one per task. */
export const ALL_TASKS = '';

/** One statistics bucket (mps.md §2.10 "Statistics time series", by day): an app's counts for one UTC day, push type, platform, channel and task. */
export interface CounterKey {
  appId: string;
  workspaceId: string;
  /** Epoch ms of the UTC midnight that starts the day. */
  day: number;
  type: PushType;
  /** IOS, ANDROID, HARMONYOS or WEB (DECISIONS D4). */
  platform: string;
  /** IOS, FCM, HMS, HONOR, HARMONYOS, MIUI, OPPO, VIVO, ANDROID (self-built) or WEB (DECISIONS D4). */
  channel: string;
  taskId: string;
}

export type PushCounter = StoredDocument & CounterKey & Partial<Counts>;

export interface CounterQuery {
  fromDay: number;
  toDay: number;
  type?: PushType;
  platform?: string;
  channel?: string;
  taskId?: string;
}

/** Push statistics counters on the Store port: single-document `$inc` upserts (FerretDB 1.x has no transactions). */
export class PushCounterRepository {
  private constructor(private readonly counters: Collection<PushCounter>) {}

  public static async open(store: Store): Promise<PushCounterRepository> {
    return new PushCounterRepository(
      await store.collection<PushCounter>({
        name: 'push_counters',
        // QueryPushAnalysisCoreIndex: an app's buckets of one task (or of all tasks) over a range of days.
        indexes: [{ name: 'app_task_day', fields: { workspaceId: 1, appId: 1, taskId: 1, day: 1 } }],
      }),
    );
  }

  public async add(key: CounterKey, counts: Partial<Counts>): Promise<void> {
    const id = [key.workspaceId, key.appId, key.day, key.type, key.platform, key.channel, key.taskId].join(':');
    const update = { $inc: counts as Record<string, number>, $setOnInsert: { ...key } };
    try {
      await this.counters.updateOne({ _id: id }, update, { upsert: true });
    } catch (error) {
      // Two first increments of one bucket raced: the loser's insert failed, so it now finds the bucket.
      if (!(error instanceof DuplicateKeyError)) throw error;
      await this.counters.updateOne({ _id: id }, update, { upsert: true });
    }
  }

  /** The buckets of a task (ALL_TASKS when `taskId` is absent) from `fromDay` to `toDay`, both included. */
  public find(appId: string, workspaceId: string, query: CounterQuery): Promise<PushCounter[]> {
    const filter: Filter = {
      workspaceId,
      appId,
      taskId: query.taskId ?? ALL_TASKS,
      day: { $gte: query.fromDay, $lte: query.toDay },
      ...(query.type ? { type: query.type } : {}),
      ...(query.platform ? { platform: query.platform } : {}),
      ...(query.channel ? { channel: query.channel } : {}),
    };
    return this.counters.find(filter);
  }

  /** Removes the buckets of days before `day` (retention). */
  public async deleteBefore(day: number): Promise<void> {
    await this.counters.deleteMany({ day: { $lt: day } });
  }

  /** Every bucket of one task, whatever the day. */
  public ofTask(appId: string, workspaceId: string, taskId: string): Promise<PushCounter[]> {
    return this.counters.find({ workspaceId, appId, taskId });
  }
}

export function sumCounts(counters: readonly Partial<Counts>[]): Counts {
  const total: Counts = { pushTotalNum: 0, pushNum: 0, arrivalNum: 0, openNum: 0, ignoreNum: 0 };
  for (const counter of counters) for (const name of COUNTER_NAMES) total[name] += counter[name] ?? 0;
  return total;
}
