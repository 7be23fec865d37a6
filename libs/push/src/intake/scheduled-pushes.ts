import type { PlatformLogger } from '@pushsync/platform';
import { invalidParam } from '../push-codes';
import type { StrategyRequest } from '../push-request';
import { queryParameters, requiredTimeOf, textOf, timeOf, type AppRef } from '../queries/query-parameters';
import type { ScheduledOccurrence, ScheduledPush } from '../scheduling/schedule';
import type { ScheduleRepository } from '../scheduling/schedule.repository';
import { PushScheduler } from '../scheduling/scheduler';
import { formatCancelResult, MAX_LIST_PAGE_SIZE, Schedules } from '../scheduling/schedules';
import { planStrategy } from '../scheduling/strategy';
import type { PreparedPush, PushApp } from './prepared-push';
import type { PushIntake, PushScheduling } from './push-intake';

/** What a schedule stores to execute at each trigger time: the rendered push and its app's time zone. */
export interface ScheduledRequest {
  prepared: PreparedPush;
  timeZone: string;
}

/**
 * Timed and cyclic pushes (mps.md §2.8, §3.5, §3.15, §3.16; DECISIONS D4): the intake's
 * PushScheduling, the scheduler's fire callback and the two schedule APIs. Each occurrence
 * executes the stored push as the task whose id is the occurrence id, so a fire repeated after a
 * crash writes nothing twice (PushIntake.execute is idempotent per task id).
 */
export class ScheduledPushes implements PushScheduling {
  private readonly schedules: Schedules<ScheduledRequest>;
  private readonly scheduler: PushScheduler<ScheduledRequest>;

  public constructor(
    repository: ScheduleRepository<ScheduledRequest>,
    private readonly intake: () => PushIntake,
    private readonly clock: { now(): number },
    logger: PlatformLogger,
    options: { leaseMs?: number; pollIntervalMs?: number } = {},
  ) {
    this.schedules = new Schedules(repository, clock);
    this.scheduler = new PushScheduler(repository, (occurrence, master) => this.fire(occurrence, master), { clock, logger, replicaName: 'push-core', ...options });
  }

  public start(): void {
    this.scheduler.start();
  }

  public stop(): Promise<void> {
    return this.scheduler.stop();
  }

  public async schedule(app: PushApp, prepared: PreparedPush, strategy: StrategyRequest): Promise<string> {
    const planned = planStrategy(strategy, { now: this.clock.now(), timeZone: app.timeZone });
    const first = prepared.entries[0]!.message;
    const master = await this.schedules.create({
      appId: app.appId,
      workspaceId: app.workspaceId,
      type: prepared.type,
      deliveryType: prepared.deliveryType,
      strategy: planned,
      timeZone: app.timeZone,
      expiredSeconds: prepared.expiredSeconds,
      request: { prepared, timeZone: app.timeZone },
      pushTitle: first.title,
      pushContent: first.content,
      createType: prepared.createType,
    });
    return master._id;
  }

  /** QueryPushSchedulerList (§3.15): `endtTime` (sic) is accepted for `endTime`. */
  public list(app: AppRef, params: Record<string, unknown>, lenient: boolean) {
    const parameters = queryParameters(params, ['startTime', 'endTime', 'endtTime', 'type', 'uniqueId', 'pageNumber', 'pageSize'], lenient);
    const endTime = timeOf(parameters, 'endTime') ?? timeOf(parameters, 'endtTime');
    if (endTime === undefined) throw invalidParam('endTime: required');
    const type = parameters.number('type');
    const pageNumber = parameters.number('pageNumber');
    const pageSize = parameters.number('pageSize');
    if (pageSize !== undefined && pageSize > MAX_LIST_PAGE_SIZE) throw invalidParam(`pageSize: at most ${MAX_LIST_PAGE_SIZE}`);
    return this.schedules.list(app, { startTime: requiredTimeOf(parameters, 'startTime'), endTime, type, uniqueId: textOf(parameters, 'uniqueId'), pageNumber, pageSize });
  }

  /** CancelPushScheduler (§3.16): the result per id, and the `{id=1,id=0}` text the mPaaS face answers. */
  public async cancel(app: AppRef, params: Record<string, unknown>, lenient: boolean): Promise<{ result: Record<string, 0 | 1>; formatted: string }> {
    const parameters = queryParameters(params, ['type', 'uniqueIds'], lenient);
    const uniqueIds = textOf(parameters, 'uniqueIds');
    if (uniqueIds === undefined) throw invalidParam('uniqueIds: required');
    const cancelled = await this.schedules.cancel(app, parameters.number('type') ?? 0, uniqueIds);
    return { result: Object.fromEntries(cancelled), formatted: formatCancelResult(cancelled) };
  }

  /** Validity counts from the occurrence's trigger time (DECISIONS D4), so a late fire keeps its original expiry. */
  private async fire(occurrence: ScheduledOccurrence, master: ScheduledPush<ScheduledRequest>): Promise<void> {
    const { prepared, timeZone } = master.request;
    await this.intake().execute({ appId: master.appId, workspaceId: master.workspaceId, timeZone }, prepared, occurrence._id, occurrence._id, occurrence.pushTime);
  }
}
