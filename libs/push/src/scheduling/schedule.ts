import { randomUUID } from 'node:crypto';
import type { DeliveryType, PushType } from '../push-request';
import type { PushStrategy } from './strategy';

/** Injected everywhere scheduling reads the time, so tests control it. */
export interface SchedulerClock {
  now(): number;
}

/** `createType` of mps.md §3.15: 0 API, 1 console. */
export type CreateType = 0 | 1;

/**
 * A master task (mps.md §2.8): one timed or cyclic push as requested. `request` is what the
 * intake executes at each trigger time (it stores the rendered message, DECISIONS D4); scheduling
 * keeps it as given and never reads it. `active` until every occurrence is executed, missed or
 * cancelled (`finished`), or until the master itself is cancelled.
 */
export interface ScheduledPush<R = unknown> {
  /** The task id answered in PushResult.Data: a UUID as 32 hex digits. */
  _id: string;
  appId: string;
  workspaceId: string;
  type: PushType;
  deliveryType: DeliveryType;
  strategyType: 1 | 2;
  strategy: PushStrategy;
  /** Validity of the message from each fire time; an occurrence later than this is missed (DECISIONS D4). */
  expiredSeconds: number;
  request: R;
  pushTitle: string;
  pushContent: string;
  createType: CreateType;
  gmtCreate: number;
  status: 'active' | 'finished' | 'cancelled';
}

/**
 * One trigger time of a master task (a sub task, mps.md §2.8). A timed task's single occurrence
 * has the master's id. Pending while `executedStatus` is 0 and it is neither cancelled nor
 * missed. Only the holder of its current claim changes it.
 */
export type ScheduledOccurrence = {
  /** uniqueId. */
  _id: string;
  appId: string;
  workspaceId: string;
  parentId: string;
  type: PushType;
  pushTime: number;
  /** pushTime + expiredSeconds: the last instant it may still fire. */
  expiresAt: number;
  executedStatus: 0 | 1;
  cancelled: boolean;
  missed: boolean;
  firedAt: number | null;
};

/**
 * Generation `generation` of the claims on one occurrence; `_id` is `<occurrence id>#<generation>`,
 * so of all who try to take the same generation exactly one insert succeeds. The next generation
 * may be taken once `leaseUntil` has passed.
 */
export type ScheduleClaim = {
  _id: string;
  occurrenceId: string;
  generation: number;
  /** The scheduler instance, or `cancel`. */
  claimedBy: string;
  claimedAt: number;
  leaseUntil: number;
};

/** DECISIONS D4: at most 100 unfinished master tasks per app. */
export const MAX_UNFINISHED_SCHEDULES_PER_APP = 100;

export function newScheduleId(): string {
  return randomUUID().replace(/-/g, '');
}
