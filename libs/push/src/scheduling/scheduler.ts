import { randomUUID } from 'node:crypto';
import type { PlatformLogger } from '@pushsync/platform';
import type { ScheduledOccurrence, ScheduledPush, SchedulerClock } from './schedule';
import type { HeldOccurrence, ScheduleRepository } from './schedule.repository';

/**
 * Executes one occurrence of a master task. It may be called again for the same occurrence when
 * the replica that called it first died, stalled longer than the lease, or the call threw; it must
 * therefore be idempotent keyed by `occurrence._id` (for example, message ids derived from it), so
 * that a repeated call pushes nothing twice. `occurrence.pushTime` is the scheduled time: validity
 * (`expiredSeconds`) counts from it, not from the call (DECISIONS D4). A rejection is retried after
 * `retryDelayMs` until the occurrence expires.
 */
export type FireOccurrence<R> = (occurrence: ScheduledOccurrence, master: ScheduledPush<R>) => Promise<void>;

export interface PushSchedulerOptions {
  clock: SchedulerClock;
  logger: PlatformLogger;
  /** Shown in `claimedBy`, followed by a random suffix that tells instances of one replica apart. */
  replicaName?: string;
  pollIntervalMs?: number;
  /** How long a claim holds without renewal; each poll renews the claims of fires still running. */
  leaseMs?: number;
  retryDelayMs?: number;
  /** Due occurrences taken per poll. */
  batchSize?: number;
}

/**
 * The durable scheduler (mps.md §2.8, DECISIONS D4). Every replica runs one; all poll the same
 * store. An occurrence is fired only by the replica whose insert won the next generation of its
 * claim; the claim stays live while that replica lives (its lease is renewed at every poll), and
 * the occurrence can be taken again only after the lease passed without it being executed. An
 * occurrence taken more than its `expiredSeconds` after its trigger time is recorded as missed
 * instead of fired.
 */
export class PushScheduler<R = unknown> {
  private readonly clock: SchedulerClock;
  private readonly logger: PlatformLogger;
  private readonly claimer: string;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly retryDelayMs: number;
  private readonly batchSize: number;
  /** By occurrence id: the claim it runs under and the fire's completion. */
  private readonly inFlight = new Map<string, { claimId: string; done: Promise<void> }>();
  private timer: NodeJS.Timeout | null = null;
  private currentPoll: Promise<void> | null = null;
  private running = false;

  public constructor(
    private readonly schedules: ScheduleRepository<R>,
    private readonly fire: FireOccurrence<R>,
    options: PushSchedulerOptions,
  ) {
    this.clock = options.clock;
    this.logger = options.logger;
    this.claimer = `${options.replicaName ?? 'scheduler'}:${randomUUID()}`;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 10_000;
    this.batchSize = options.batchSize ?? 100;
  }

  /** Polls every `pollIntervalMs` until `stop`. */
  public start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleNextPoll();
  }

  /** Stops polling and waits for the poll and the fires under way. */
  public async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.currentPoll;
    await this.drain();
  }

  /** Waits until the fires this instance started have finished. */
  public async drain(): Promise<void> {
    await Promise.all([...this.inFlight.values()].map((fire) => fire.done));
  }

  /**
   * One pass: renews the leases of running fires, takes the due occurrences nobody holds, records
   * those past their expiry as missed and starts the fires of the others (without waiting for
   * them: see `drain`).
   */
  public async poll(): Promise<void> {
    const now = this.clock.now();
    if (this.inFlight.size > 0) await this.schedules.renewClaims([...this.inFlight.values()].map((fire) => fire.claimId), now + this.leaseMs);
    for (const due of await this.schedules.due(now, this.batchSize)) {
      if (this.inFlight.has(due._id)) continue;
      const held = await this.schedules.hold(due._id, this.claimer, now, now + this.leaseMs);
      if (held === null) continue;
      if (held.occurrence.expiresAt < now) await this.recordMissed(held.occurrence);
      else this.startFire(held);
    }
  }

  private scheduleNextPoll(): void {
    this.timer = setTimeout(() => {
      this.currentPoll = this.poll()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'polling scheduled pushes failed; trying again at the next poll'))
        .finally(() => {
          this.currentPoll = null;
          if (this.running) this.scheduleNextPoll();
        });
    }, this.pollIntervalMs);
  }

  private async recordMissed(occurrence: ScheduledOccurrence): Promise<void> {
    await this.schedules.markMissed(occurrence._id);
    this.logger.warn({ uniqueId: occurrence._id, parentId: occurrence.parentId, pushTime: occurrence.pushTime }, 'scheduled push missed: found after its expiredSeconds');
    await this.schedules.finishIfDone(occurrence.parentId);
  }

  private startFire(held: HeldOccurrence): void {
    const id = held.occurrence._id;
    const done = this.execute(held)
      .catch((error: unknown) => this.logger.warn({ err: error, uniqueId: id }, 'recording a scheduled push failed; another claim after the lease fires it again'))
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, { claimId: held.claim._id, done });
  }

  private async execute({ claim, occurrence }: HeldOccurrence): Promise<void> {
    const master = await this.schedules.findMaster(occurrence.parentId);
    if (master === null || master.status === 'cancelled') {
      await this.schedules.markCancelled(occurrence._id);
      return;
    }
    try {
      await this.fire(occurrence, master);
    } catch (error) {
      this.logger.warn({ err: error, uniqueId: occurrence._id }, 'firing a scheduled push failed; retried until it expires');
      await this.schedules.releaseClaim(claim._id, this.clock.now() + this.retryDelayMs);
      return;
    }
    await this.schedules.markExecuted(occurrence._id, this.clock.now());
    await this.schedules.finishIfDone(occurrence.parentId);
  }
}
