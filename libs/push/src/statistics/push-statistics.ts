import type { DeviceRepository } from '@pushsync/devices';
import type { PushOutcomes } from '../delivery/push-outcomes';
import type { MessageRepository } from '../messages/message.repository';
import { deliveryIdOf, type PushMessage } from '../messages/push-message';
import { invalidParam } from '../push-codes';
import type { DeliveryType, PushType } from '../push-request';
import { PUSH_STATUS, type PushStatus } from '../receipts/push-status';
import { dayOf, oneOf, queryParameters, requiredTimeOf, textOf, type AppRef } from '../queries/query-parameters';
import { taskById, taskFigures, type TaskFigures } from '../queries/task-figures';
import type { PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import { ALL_TASKS, sumCounts, type Counts, type PushCounterRepository } from './push-counter.repository';

/** DECISIONS D4: the analysis dimensions. */
export const ANALYSIS_PLATFORMS = ['IOS', 'ANDROID', 'HARMONYOS', 'WEB'] as const;
export const ANALYSIS_CHANNELS = ['IOS', 'FCM', 'HMS', 'HONOR', 'HARMONYOS', 'MIUI', 'OPPO', 'VIVO', 'ANDROID', 'WEB'] as const;
export const ANALYSIS_TYPES: readonly PushType[] = ['SIMPLE', 'TEMPLATE', 'MULTIPLE', 'BROADCAST'];
/** mps.md §3.12, §6.2: the longest range QueryPushAnalysisCoreIndex answers. */
export const MAX_ANALYSIS_RANGE_DAYS = 90;

/** Device targets name their platform (live activities are iOS). */
const PLATFORM_OF_DELIVERY_TYPE: Partial<Record<DeliveryType, string>> = { 1: 'ANDROID', 2: 'IOS', 5: 'IOS', 6: 'IOS', 7: 'HARMONYOS', 8: 'WEB' };
/** A device record's platform (libs/devices) -> the analysis platform. */
const PLATFORM_OF_DEVICE: Record<string, string> = { ANDROID: 'ANDROID', IOS: 'IOS', HARMONY: 'HARMONYOS', HARMONYOS: 'HARMONYOS', WEB: 'WEB' };
/** Channels only one platform uses; the vendor channels serve Android and HarmonyOS devices alike, the self-built one every platform. */
const PLATFORM_OF_CHANNEL: Record<string, string> = { IOS: 'IOS', HARMONYOS: 'HARMONYOS', WEB: 'WEB' };

export interface CoreIndex extends Counts {
  openRate: number;
  ignoreRate: number;
}

export interface TaskDetail extends TaskFigures {
  taskId: string;
}

/**
 * The statistics pipeline (mps.md §2.7) as outcomes of deliveries, counted per app, UTC day, push
 * type, platform, channel and task (one bucket per task and one for all tasks), and the analysis
 * queries over them (§3.12, §3.14):
 * - pushTotalNum and pushNum: a delivery's first send (written to a connection or handed to a vendor);
 * - arrivalNum: a device's ack, or the vendor's acceptance (status 2);
 * - openNum / ignoreNum: the client's reports.
 * Events count on the day they happen.
 */
export class PushStatistics implements PushOutcomes {
  public constructor(
    private readonly counters: PushCounterRepository,
    private readonly messages: Pick<MessageRepository, 'findDeliveries'>,
    private readonly tasks: Pick<TaskRepository, 'find'>,
    private readonly devices: Pick<DeviceRepository, 'find'>,
    private readonly clock: { now(): number },
  ) {}

  public async pushed(message: PushMessage, delivery: { token: string; channel: string | null }): Promise<void> {
    const channel = delivery.channel ?? 'ANDROID';
    await this.add(message, message.type, message.taskId, channel, await this.platformOf(message, delivery.token, channel, null), { pushTotalNum: 1, pushNum: 1 });
  }

  public async settled(message: PushMessage, token: string, status: PushStatus, platform: string | null): Promise<void> {
    if (status !== PUSH_STATUS.ACKED) return;
    const channel = await this.channelOf(message, token, platform);
    await this.add(message, message.type, message.taskId, channel, await this.platformOf(message, token, channel, platform), { arrivalNum: 1 });
  }

  public async reported(message: PushMessage, token: string, kind: 'OPENED' | 'IGNORED'): Promise<void> {
    const channel = await this.channelOf(message, token, null);
    await this.add(message, message.type, message.taskId, channel, await this.platformOf(message, token, channel, null), kind === 'OPENED' ? { openNum: 1 } : { ignoreNum: 1 });
  }

  /**
   * A broadcast's devices are written by the comet nodes (no per-device send event): `sent`
   * devices of the task's platform received it over the self-built channel.
   */
  public async broadcastSent(task: Pick<PushTask, '_id' | 'appId' | 'workspaceId' | 'deliveryType'>, sent: number): Promise<void> {
    if (sent <= 0) return;
    const platform = PLATFORM_OF_DELIVERY_TYPE[task.deliveryType] ?? 'ANDROID';
    await this.add(task, 'BROADCAST', task._id, platform === 'WEB' ? 'WEB' : 'ANDROID', platform, { pushTotalNum: sent, pushNum: sent });
  }

  /** QueryPushAnalysisCoreIndex (mps.md §3.12): the counts of whole UTC days from startTime's to endTime's. */
  public async coreIndex(app: AppRef, params: Record<string, unknown>, lenient: boolean): Promise<CoreIndex> {
    const parameters = queryParameters(params, ['startTime', 'endTime', 'platform', 'channel', 'type', 'taskId'], lenient);
    const startTime = requiredTimeOf(parameters, 'startTime');
    const endTime = requiredTimeOf(parameters, 'endTime');
    if (endTime < startTime) throw invalidParam('endTime: must not be before startTime');
    if (endTime - startTime > MAX_ANALYSIS_RANGE_DAYS * 86_400_000) throw invalidParam(`the interval from startTime to endTime must not exceed ${MAX_ANALYSIS_RANGE_DAYS} days`);
    const counts = sumCounts(
      await this.counters.find(app.appId, app.workspaceId, {
        fromDay: dayOf(startTime),
        toDay: dayOf(endTime),
        platform: oneOf(parameters, 'platform', ANALYSIS_PLATFORMS),
        channel: oneOf(parameters, 'channel', ANALYSIS_CHANNELS),
        type: oneOf(parameters, 'type', ANALYSIS_TYPES),
        taskId: textOf(parameters, 'taskId'),
      }),
    );
    return { ...counts, openRate: percentOf(counts.openNum, counts.arrivalNum), ignoreRate: percentOf(counts.ignoreNum, counts.arrivalNum) };
  }

  /** QueryPushAnalysisTaskDetail (mps.md §3.14). An unknown task answers 3028 INVALID_PARAM of kind not-found. */
  public async taskDetail(app: AppRef, params: Record<string, unknown>, lenient: boolean): Promise<TaskDetail> {
    const parameters = queryParameters(params, ['taskId'], lenient);
    const taskId = textOf(parameters, 'taskId');
    if (taskId === undefined) throw invalidParam('taskId: required');
    const task = await taskById(this.tasks, app, taskId);
    return { taskId: task._id, ...taskFigures(task, this.clock.now()) };
  }

  private async add(app: AppRef, type: PushType, taskId: string, channel: string, platform: string, counts: Partial<Counts>): Promise<void> {
    const key = { appId: app.appId, workspaceId: app.workspaceId, day: dayOf(this.clock.now()), type, platform, channel };
    await this.counters.add({ ...key, taskId }, counts);
    await this.counters.add({ ...key, taskId: ALL_TASKS }, counts);
  }

  /** The channel the delivery went through (a broadcast's deliveries are recorded at the ack as self-built). */
  private async channelOf(message: PushMessage, token: string, platform: string | null): Promise<string> {
    const [delivery] = await this.messages.findDeliveries([deliveryIdOf(message._id, token)]);
    if (delivery?.channel) return delivery.channel;
    return platform === 'WEB' || message.deliveryType === 8 ? 'WEB' : 'ANDROID';
  }

  /** A device target's type, else the platform the event names, else the channel's only platform, else the device record. */
  private async platformOf(message: PushMessage, token: string, channel: string, reported: string | null): Promise<string> {
    const known = PLATFORM_OF_DELIVERY_TYPE[message.deliveryType] ?? (reported === null ? undefined : PLATFORM_OF_DEVICE[reported]) ?? PLATFORM_OF_CHANNEL[channel];
    if (known !== undefined) return known;
    const device = await this.devices.find(message.workspaceId, message.appId, token);
    // A device deleted since: Android, the platform of most devices on a vendor or self-built channel.
    return (device && PLATFORM_OF_DEVICE[device.platform]) ?? 'ANDROID';
  }
}

/** `part` as a percentage of `whole`, to 2 decimals; 0 when `whole` is 0 (mps.md §2.7). */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100;
}
