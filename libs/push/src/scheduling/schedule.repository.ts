import { DuplicateKeyError, type Collection, type Filter, type JsonValue, type Store, type StoredDocument } from '@pushsync/platform';
import type { PushType } from '../push-request';
import type { ScheduleClaim, ScheduledOccurrence, ScheduledPush } from './schedule';

export interface AppRef {
  appId: string;
  workspaceId: string;
}

/** Trigger times from `from` to `until` inclusive; `type` and `uniqueId` only when given. */
export interface ListCriteria {
  from: number;
  until: number;
  type?: PushType;
  uniqueId?: string;
}

/** The stored request is JSON-serialisable by the contract of `Schedules.create`. */
type MasterDocument = ScheduledPush<JsonValue> & StoredDocument;

/** Pending: neither executed, cancelled nor missed. Claimed ones are pending too until they finish. */
const PENDING = { executedStatus: 0, cancelled: false, missed: false } as const;

/** A claim won on a pending occurrence: its holder alone changes the occurrence until the lease passes. */
export interface HeldOccurrence {
  claim: ScheduleClaim;
  occurrence: ScheduledOccurrence;
}

/**
 * Master tasks, their occurrences and the claims on them, on the Store port. FerretDB 1.x does
 * not apply conditional updates atomically (docs/decisions.md), so replicas never race on an
 * update: an occurrence is taken by inserting the next generation of its claim under a unique
 * `_id`, and only the winner writes the occurrence's state.
 */
export class ScheduleRepository<R = unknown> {
  private constructor(
    private readonly masters: Collection<MasterDocument>,
    private readonly occurrences: Collection<ScheduledOccurrence>,
    private readonly claims: Collection<ScheduleClaim>,
  ) {}

  public static async open<R = unknown>(store: Store): Promise<ScheduleRepository<R>> {
    const masters = await store.collection<MasterDocument>({
      name: 'push_schedules',
      // create: the per-app count of unfinished master tasks (the 100 limit).
      indexes: [{ name: 'app_status', fields: { workspaceId: 1, appId: 1, status: 1 } }],
    });
    const occurrences = await store.collection<ScheduledOccurrence>({
      name: 'push_schedule_occurrences',
      indexes: [
        // the scheduler's poll: pending occurrences in trigger-time order.
        { name: 'pending_push_time', fields: { executedStatus: 1, cancelled: 1, missed: 1, pushTime: 1 } },
        // QueryPushSchedulerList: an app's occurrences in a trigger-time window.
        { name: 'app_push_time', fields: { workspaceId: 1, appId: 1, pushTime: 1 } },
        // a master's occurrences: cancelling it, finishing it, listing by master id.
        { name: 'parent_push_time', fields: { parentId: 1, pushTime: 1 } },
      ],
    });
    const claims = await store.collection<ScheduleClaim>({
      name: 'push_schedule_claims',
      // claiming: the latest generation of an occurrence's claims (the _id makes each generation unique).
      indexes: [{ name: 'occurrence_generation', fields: { occurrenceId: 1, generation: -1 } }],
    });
    return new ScheduleRepository<R>(masters, occurrences, claims);
  }

  public insertMaster(master: ScheduledPush<R>): Promise<void> {
    return this.masters.insertOne(master as unknown as MasterDocument);
  }

  public insertOccurrence(occurrence: ScheduledOccurrence): Promise<void> {
    return this.occurrences.insertOne(occurrence);
  }

  public async findMaster(id: string): Promise<ScheduledPush<R> | null> {
    return (await this.masters.findOne({ _id: id })) as unknown as ScheduledPush<R> | null;
  }

  public async findMasters(ids: string[]): Promise<ScheduledPush<R>[]> {
    return (await this.masters.find({ _id: { $in: ids } })) as unknown as ScheduledPush<R>[];
  }

  public countUnfinished(app: AppRef): Promise<number> {
    return this.masters.count({ workspaceId: app.workspaceId, appId: app.appId, status: 'active' });
  }

  /** Marks an active master of the app cancelled; false when it is not this app's or no longer active. */
  public async cancelMaster(app: AppRef, id: string): Promise<boolean> {
    const result = await this.masters.updateOne({ _id: id, workspaceId: app.workspaceId, appId: app.appId, status: 'active' }, { $set: { status: 'cancelled' } });
    return result.modified === 1;
  }

  /** Marks an active master finished once none of its occurrences is pending. */
  public async finishIfDone(id: string): Promise<void> {
    if ((await this.occurrences.count({ parentId: id, ...PENDING })) > 0) return;
    await this.masters.updateOne({ _id: id, status: 'active' }, { $set: { status: 'finished' } });
  }

  /** Pending occurrences whose time has come, oldest first; some may be held by a claim. */
  public due(now: number, limit: number): Promise<ScheduledOccurrence[]> {
    return this.occurrences.find({ ...PENDING, pushTime: { $lte: now } }, { sort: { pushTime: 1 }, limit });
  }

  public pendingOf(parentId: string): Promise<ScheduledOccurrence[]> {
    return this.occurrences.find({ parentId, ...PENDING });
  }

  public findPending(app: AppRef, id: string): Promise<ScheduledOccurrence | null> {
    return this.occurrences.findOne({ _id: id, workspaceId: app.workspaceId, appId: app.appId, ...PENDING });
  }

  /**
   * Takes a pending occurrence for `holder` until `leaseUntil` by inserting the generation after
   * the latest claim, when that claim's lease has passed. Null when someone holds it, another
   * taker won that generation, or it is no longer pending.
   */
  public async hold(occurrenceId: string, holder: string, now: number, leaseUntil: number): Promise<HeldOccurrence | null> {
    const [latest] = await this.claims.find({ occurrenceId }, { sort: { generation: -1 }, limit: 1 });
    if (latest !== undefined && latest.leaseUntil > now) return null;
    const generation = latest === undefined ? 0 : latest.generation + 1;
    const claim: ScheduleClaim = { _id: `${occurrenceId}#${generation}`, occurrenceId, generation, claimedBy: holder, claimedAt: now, leaseUntil };
    try {
      await this.claims.insertOne(claim);
    } catch (error) {
      if (error instanceof DuplicateKeyError) return null;
      throw error;
    }
    // Read after winning: a previous holder may have finished it before its lease passed.
    const occurrence = await this.occurrences.findOne({ _id: occurrenceId, ...PENDING });
    return occurrence === null ? null : { claim, occurrence };
  }

  /** Extends the leases of claims this holder still works under (no one else writes them). */
  public async renewClaims(claimIds: string[], leaseUntil: number): Promise<void> {
    await this.claims.updateMany({ _id: { $in: claimIds } }, { $set: { leaseUntil } });
  }

  /** Ends a claim early so that the occurrence can be taken again from `retryAt`. */
  public async releaseClaim(claimId: string, retryAt: number): Promise<void> {
    await this.claims.updateOne({ _id: claimId }, { $set: { leaseUntil: retryAt } });
  }

  /** The holder's writes: each sets a final state. */
  public async markExecuted(id: string, firedAt: number): Promise<void> {
    await this.occurrences.updateOne({ _id: id }, { $set: { executedStatus: 1, firedAt } });
  }

  public async markMissed(id: string): Promise<void> {
    await this.occurrences.updateOne({ _id: id }, { $set: { missed: true } });
  }

  public async markCancelled(id: string): Promise<void> {
    await this.occurrences.updateOne({ _id: id }, { $set: { cancelled: true } });
  }

  /** One page of an app's non-cancelled occurrences matching the criteria, in trigger-time order (ties by id, so pages never overlap). */
  public async list(app: AppRef, criteria: ListCriteria, skip: number, limit: number): Promise<{ totalCount: number; occurrences: ScheduledOccurrence[] }> {
    const filter: Filter = {
      workspaceId: app.workspaceId,
      appId: app.appId,
      cancelled: false,
      pushTime: { $gte: criteria.from, $lte: criteria.until },
    };
    if (criteria.type !== undefined) filter.type = criteria.type;
    // A master id matches all its occurrences (parentId); a sub task id, or a timed task's id, matches itself.
    if (criteria.uniqueId !== undefined) filter.$or = [{ parentId: criteria.uniqueId }, { _id: criteria.uniqueId }];
    const [totalCount, occurrences] = await Promise.all([
      this.occurrences.count(filter),
      this.occurrences.find(filter, { sort: { pushTime: 1, _id: 1 }, skip, limit }),
    ]);
    return { totalCount, occurrences };
  }
}
