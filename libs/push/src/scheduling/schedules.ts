import { invalidParam } from '../push-codes';
import { PUSH_TYPE_NUMBER, type DeliveryType, type PushType } from '../push-request';
import { occurrencesOf } from './occurrences';
import { MAX_UNFINISHED_SCHEDULES_PER_APP, newScheduleId, type CreateType, type ScheduledPush, type SchedulerClock } from './schedule';
import type { AppRef, ScheduleRepository } from './schedule.repository';
import { currentSecondStart, noFutureFireTime, type PushStrategy } from './strategy';

/** What the intake schedules: a strategy planned by `planStrategy` in the app's `timeZone`, and the request to execute. */
export interface NewSchedule<R> extends AppRef {
  type: PushType;
  deliveryType: DeliveryType;
  strategy: PushStrategy;
  timeZone: string;
  expiredSeconds: number;
  /** Stored as given and handed back to the fire callback; must be JSON-serialisable. */
  request: R;
  pushTitle: string;
  pushContent: string;
  createType: CreateType;
}

/** QueryPushSchedulerList (mps.md §3.15); startTime and endTime bound the trigger time. */
export interface ScheduleListQuery {
  startTime: number;
  endTime: number;
  /** 0 simple, 1 template, 2 multiple, 3 broadcast. */
  type?: number;
  uniqueId?: string;
  pageNumber?: number;
  pageSize?: number;
}

export interface ScheduleListItem {
  uniqueId: string;
  parentId: string;
  pushTime: number;
  pushTitle: string;
  pushContent: string;
  type: number;
  deliveryType: DeliveryType;
  strategyType: 1 | 2;
  executedStatus: 0 | 1;
  createType: CreateType;
  gmtCreate: number;
}

/** Per id, in the order given: 1 cancelled, 0 failed (unknown, another app's, or no longer pending). */
export type CancelResult = Map<string, 0 | 1>;

/** mps.md §3.16: at most 30 ids per cancellation. */
export const MAX_CANCEL_IDS = 30;
/** mps.md §3.15: 500 by default; also the largest page. */
export const MAX_LIST_PAGE_SIZE = 500;

/** How long a cancellation holds an occurrence it is cancelling; only a cancellation that died midway lets it pass. */
const CANCEL_LEASE_MS = 60_000;

const PUSH_TYPE_OF_NUMBER = new Map(Object.entries(PUSH_TYPE_NUMBER).map(([name, number]) => [number, name as PushType]));

/** `{714613eb=1,714613ed=0}`: the ResultContent of CancelPushScheduler. */
export function formatCancelResult(result: CancelResult): string {
  return `{${[...result].map(([id, outcome]) => `${id}=${outcome}`).join(',')}}`;
}

/** The scheduled-push use cases of mps.md §2.8, §3.15 and §3.16. */
export class Schedules<R = unknown> {
  public constructor(
    private readonly schedules: ScheduleRepository<R>,
    private readonly clock: SchedulerClock,
  ) {}

  /**
   * Stores a master task and all its occurrences (at most one a day for at most 181 days). The
   * master is stored first so that the scheduler finds it for any occurrence; if storing an
   * occurrence fails the master is cancelled and the error rethrown. A process that dies in between
   * leaves the occurrences stored so far scheduled, as with any request whose answer was lost.
   */
  public async create(input: NewSchedule<R>): Promise<ScheduledPush<R>> {
    const now = this.clock.now();
    if ((await this.schedules.countUnfinished(input)) >= MAX_UNFINISHED_SCHEDULES_PER_APP) {
      throw invalidParam(`an app may have at most ${MAX_UNFINISHED_SCHEDULES_PER_APP} unfinished timed or cyclic push tasks`);
    }
    const pushTimes = occurrencesOf(input.strategy, input.timeZone, currentSecondStart(now), Number.MAX_SAFE_INTEGER);
    if (pushTimes.length === 0) throw noFutureFireTime();
    const master: ScheduledPush<R> = {
      _id: newScheduleId(),
      appId: input.appId,
      workspaceId: input.workspaceId,
      type: input.type,
      deliveryType: input.deliveryType,
      strategyType: input.strategy.type === 'TIMED' ? 1 : 2,
      strategy: input.strategy,
      expiredSeconds: input.expiredSeconds,
      request: input.request,
      pushTitle: input.pushTitle,
      pushContent: input.pushContent,
      createType: input.createType,
      gmtCreate: now,
      status: 'active',
    };
    await this.schedules.insertMaster(master);
    try {
      for (const pushTime of pushTimes) {
        await this.schedules.insertOccurrence({
          // mps.md §2.8: a timed task's uniqueId equals its parentId.
          _id: master.strategyType === 1 ? master._id : newScheduleId(),
          appId: master.appId,
          workspaceId: master.workspaceId,
          parentId: master._id,
          type: master.type,
          pushTime,
          expiresAt: pushTime + master.expiredSeconds * 1000,
          executedStatus: 0,
          cancelled: false,
          missed: false,
          firedAt: null,
        });
      }
    } catch (error) {
      // The store error is the one to answer; a failed compensation leaves what was stored scheduled.
      await this.cancelMaster(master, master._id, now).catch(() => false);
      throw error;
    }
    return master;
  }

  /** QueryPushSchedulerList: the app's occurrences (cancelled ones excepted) by trigger time. */
  public async list(app: AppRef, query: ScheduleListQuery): Promise<{ totalCount: number; list: ScheduleListItem[] }> {
    if (!Number.isSafeInteger(query.startTime)) throw invalidParam('startTime is required and must be epoch milliseconds');
    if (!Number.isSafeInteger(query.endTime)) throw invalidParam('endTime is required and must be epoch milliseconds');
    if (query.endTime < query.startTime) throw invalidParam('endTime must not be earlier than startTime');
    const type = query.type === undefined ? undefined : PUSH_TYPE_OF_NUMBER.get(query.type);
    if (query.type !== undefined && type === undefined) throw invalidParam('type must be 0 (simple), 1 (template), 2 (multiple) or 3 (broadcast)');
    const pageNumber = query.pageNumber ?? 1;
    const pageSize = query.pageSize ?? MAX_LIST_PAGE_SIZE;
    if (!Number.isSafeInteger(pageNumber) || pageNumber < 1) throw invalidParam('pageNumber must be a positive integer');
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_LIST_PAGE_SIZE) throw invalidParam(`pageSize must be from 1 to ${MAX_LIST_PAGE_SIZE}`);
    const uniqueId = query.uniqueId?.trim() || undefined;

    const page = await this.schedules.list(app, { from: query.startTime, until: query.endTime, type, uniqueId }, (pageNumber - 1) * pageSize, pageSize);
    const masters = new Map((await this.schedules.findMasters([...new Set(page.occurrences.map((o) => o.parentId))])).map((m) => [m._id, m]));
    const list = page.occurrences.flatMap((occurrence): ScheduleListItem[] => {
      const master = masters.get(occurrence.parentId);
      if (master === undefined) return [];
      return [
        {
          uniqueId: occurrence._id,
          parentId: occurrence.parentId,
          pushTime: occurrence.pushTime,
          pushTitle: master.pushTitle,
          pushContent: master.pushContent,
          type: PUSH_TYPE_NUMBER[master.type],
          deliveryType: master.deliveryType,
          strategyType: master.strategyType,
          executedStatus: occurrence.executedStatus,
          createType: master.createType,
          gmtCreate: master.gmtCreate,
        },
      ];
    });
    return { totalCount: page.totalCount, list };
  }

  /**
   * CancelPushScheduler: `type` 0 cancels master tasks (every occurrence not yet fired or firing),
   * 1 single occurrences. An occurrence a replica is firing at this moment cannot be cancelled.
   */
  public async cancel(app: AppRef, type: number, uniqueIds: string): Promise<CancelResult> {
    if (type !== 0 && type !== 1) throw invalidParam('type must be 0 (master task ids) or 1 (sub task ids)');
    const ids = uniqueIds.split(',').map((id) => id.trim()).filter((id) => id.length > 0);
    if (ids.length === 0) throw invalidParam('uniqueIds is required');
    if (ids.length > MAX_CANCEL_IDS) throw invalidParam(`uniqueIds may hold at most ${MAX_CANCEL_IDS} ids`);
    const now = this.clock.now();
    const result: CancelResult = new Map();
    for (const id of new Set(ids)) {
      const cancelled = type === 0 ? await this.cancelMaster(app, id, now) : await this.cancelOccurrence(app, id, now);
      result.set(id, cancelled ? 1 : 0);
    }
    return result;
  }

  private async cancelMaster(app: AppRef, id: string, now: number): Promise<boolean> {
    if (!(await this.schedules.cancelMaster(app, id))) return false;
    // An occurrence a replica holds now is firing; one it takes later sees the master cancelled.
    for (const occurrence of await this.schedules.pendingOf(id)) await this.cancelHeld(occurrence._id, now);
    return true;
  }

  private async cancelOccurrence(app: AppRef, id: string, now: number): Promise<boolean> {
    const occurrence = await this.schedules.findPending(app, id);
    if (occurrence === null || !(await this.cancelHeld(id, now))) return false;
    await this.schedules.finishIfDone(occurrence.parentId);
    return true;
  }

  /** Cancels a pending occurrence by taking its claim as a scheduler would, so that it cannot be firing meanwhile. */
  private async cancelHeld(id: string, now: number): Promise<boolean> {
    if ((await this.schedules.hold(id, 'cancel', now, now + CANCEL_LEASE_MS)) === null) return false;
    await this.schedules.markCancelled(id);
    return true;
  }
}
