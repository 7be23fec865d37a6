import { createHash, randomUUID } from 'node:crypto';
import { DuplicateKeyError, type BatchingProducer } from '@pushsync/platform';
import { isWellFormedDeviceToken, type DeviceRepository } from '@pushsync/devices';
import { TemplateNotFoundError, type TemplateRepository } from '@pushsync/templates';
import { deliveryIdOf, type PushDelivery, type PushMessage } from '../messages/push-message';
import type { MessageRepository } from '../messages/message.repository';
import { PushRuleError } from '../push-codes';
import type { DeliveryType, PushRequest, StrategyRequest } from '../push-request';
import { PUSH_STATUS, type PushStatus } from '../receipts/push-status';
import { assertPayloadFits } from '../requests/parse-push-request';
import type { PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import { encodeRecord, PUSH_BROADCAST_TOPIC, PUSH_DISPATCH_TOPIC, PUSH_VENDOR_TOPIC, type DispatchRecord, type VendorRecord } from '../topics';
import type { PreparedPush, PushApp } from './prepared-push';
import { directMessage, templateMessage } from './render-message';

/** Where a push with `strategyType` 1 or 2 goes instead of being executed now: answers the master schedule id. */
export interface PushScheduling {
  schedule(app: PushApp, prepared: PreparedPush, strategy: StrategyRequest): Promise<string>;
}

/** What a push API call answers (`PushResult.Data`, DECISIONS D2): the task id, or the master schedule id. */
export interface PushAccepted {
  taskId: string | null;
  scheduleId: string | null;
}

/** The platform a device-target deliveryType names (DECISIONS D4). */
const PLATFORM_OF: Partial<Record<DeliveryType, string>> = { 1: 'ANDROID', 2: 'IOS', 7: 'HARMONY', 8: 'WEB' };
/** An APNs device token: 64 hex characters (older) up to 200 (Apple allows it to grow). */
const APNS_TOKEN = /^[0-9a-fA-F]{64,200}$/;
const INSERT_CONCURRENCY = 32;

/**
 * The push APIs' accept path (ARCHITECTURE "Push"): render the template, store the task, the
 * messages and their per-device deliveries, and hand each delivery to the dispatch topic keyed by
 * device; or store a schedule when the push is timed or cyclic. Execution is idempotent per task
 * id (ids of messages are derived from it), so a schedule occurrence fired twice, or a fan-out
 * replayed after a crash, creates nothing twice.
 */
export class PushIntake {
  public constructor(
    private readonly templates: TemplateRepository,
    private readonly devices: DeviceRepository,
    private readonly messages: MessageRepository,
    private readonly tasks: TaskRepository,
    private readonly producer: BatchingProducer,
    private readonly scheduling: PushScheduling,
    private readonly clock: { now(): number },
  ) {}

  public async accept(app: PushApp, request: PushRequest, createType: 0 | 1): Promise<PushAccepted> {
    const prepared = await this.prepare(app, request, createType);
    if (request.strategy.strategyType !== 0) return { taskId: null, scheduleId: await this.scheduling.schedule(app, prepared, request.strategy) };
    const taskId = randomUUID().replaceAll('-', '');
    await this.execute(app, prepared, taskId);
    return { taskId, scheduleId: null };
  }

  /** Renders the request (3022 unknown template, 3023 missing values, 3050 too large for the self-built channel). */
  public async prepare(app: PushApp, request: PushRequest, createType: 0 | 1): Promise<PreparedPush> {
    const base = { type: request.type, taskName: request.taskName, deliveryType: request.deliveryType, expiredSeconds: request.expiredSeconds, createType };
    let prepared: PreparedPush;
    if (request.type === 'SIMPLE') {
      const message = directMessage(request.content, request);
      prepared = { ...base, templateName: '', entries: request.targets.map((target) => ({ ...target, message })), audience: null };
    } else {
      const template = await this.templates.find(app.workspaceId, app.appId, request.templateName);
      if (template === null) throw new TemplateNotFoundError(request.templateName);
      const entries =
        request.type === 'MULTIPLE'
          ? request.targetMsgs.map((target) => ({ target: target.target, msgKey: target.msgKey, message: templateMessage(template, target.templateValues, request, target.extParams) }))
          : request.type === 'TEMPLATE'
            ? request.targets.map((target) => ({ ...target, message: templateMessage(template, request.templateValues, request) }))
            : [{ target: '', msgKey: request.msgKey, message: templateMessage(template, request.templateValues, request) }];
      prepared = { ...base, templateName: template.name, entries, audience: request.type === 'BROADCAST' ? request.audience : null, ratePerMinute: request.type === 'BROADCAST' ? request.ratePerMinute : null };
    }
    for (const entry of prepared.entries) {
      assertPayloadFits(entry.message);
      if (prepared.type !== 'BROADCAST' && !isTargetWellFormed(prepared.deliveryType, entry.target)) {
        throw new PushRuleError('DELIVERYTOKEN_INVALID', `target ${JSON.stringify(entry.target.slice(0, 80))} is not a device token this platform issued`);
      }
    }
    return prepared;
  }

  /**
   * Creates (or completes, when replayed) the task `taskId` of a prepared push and hands its
   * deliveries to dispatch. Validity counts from `validFrom` (a schedule's trigger time), else from now.
   */
  public async execute(app: PushApp, prepared: PreparedPush, taskId: string, occurrenceId: string | null = null, validFrom?: number): Promise<void> {
    const now = this.clock.now();
    const expireAt = (validFrom ?? now) + prepared.expiredSeconds * 1000;
    const message = (index: number, entry: PreparedPush['entries'][number], status: PushStatus): PushMessage => ({
      _id: messageIdOf(taskId, index),
      appId: app.appId,
      workspaceId: app.workspaceId,
      taskId,
      type: prepared.type,
      msgKey: entry.msgKey,
      deliveryType: prepared.deliveryType,
      targetId: entry.target,
      message: entry.message,
      occurrenceId,
      status,
      createdAt: now,
      expireAt,
      updatedAt: now,
    });
    const task: PushTask = {
      _id: taskId,
      appId: app.appId,
      workspaceId: app.workspaceId,
      taskName: prepared.taskName,
      type: prepared.type,
      deliveryType: prepared.deliveryType,
      templateName: prepared.templateName,
      targetCount: 0,
      pushedCount: 0,
      ackedCount: 0,
      audience: prepared.audience,
      broadcastMessageId: prepared.type === 'BROADCAST' ? messageIdOf(taskId, 0) : '',
      createType: prepared.createType,
      revokedAt: null,
      createdAt: now,
      expireAt,
      finishedAt: null,
      ratePerMinute: prepared.ratePerMinute ?? null,
      shardPlanId: null,
      shardCount: null,
      shardsDone: 0,
    };
    if (prepared.type === 'BROADCAST') {
      await ignoreDuplicate(this.messages.insertMessage(message(0, prepared.entries[0]!, PUSH_STATUS.DEVICE_NOT_ONLINE)));
      await ignoreDuplicate(this.tasks.insert(task));
      await this.producer.send(PUSH_BROADCAST_TOPIC.name, { key: taskId, value: encodeRecord({ appId: app.appId, workspaceId: app.workspaceId, taskId }) });
      return;
    }
    const dispatch: DispatchRecord[] = [];
    const vendor: VendorRecord[] = [];
    let targets = 0;
    await inChunks(prepared.entries, INSERT_CONCURRENCY, async (entry, index) => {
      const devices = await this.devicesOf(app, prepared.deliveryType, entry.target);
      const status = devices.length > 0 ? PUSH_STATUS.DEVICE_NOT_ONLINE : prepared.deliveryType === 3 ? PUSH_STATUS.NO_BIND_INFO : PUSH_STATUS.FAILED;
      const stored = message(index, entry, status);
      await ignoreDuplicate(this.messages.insertMessage(stored));
      if (status === PUSH_STATUS.DEVICE_NOT_ONLINE) targets++;
      for (const token of devices) {
        const liveActivity = prepared.deliveryType === 5 || prepared.deliveryType === 6;
        await ignoreDuplicate(this.messages.insertDelivery(deliveryOf(stored, token, liveActivity ? 'IOS' : null)));
        if (liveActivity) vendor.push({ appId: app.appId, workspaceId: app.workspaceId, messageId: stored._id, token, vendor: 'APNS', vendorToken: token });
        else dispatch.push({ appId: app.appId, workspaceId: app.workspaceId, messageId: stored._id, token });
      }
    });
    await ignoreDuplicate(this.tasks.insert({ ...task, targetCount: targets, finishedAt: this.clock.now() }));
    await this.producer.sendAll(PUSH_DISPATCH_TOPIC.name, dispatch.map((record) => ({ key: record.token, value: encodeRecord(record) })));
    await this.producer.sendAll(PUSH_VENDOR_TOPIC.name, vendor.map((record) => ({ key: record.token, value: encodeRecord(record) })));
  }

  /**
   * The device tokens a target reaches now: a user's bound devices (none: status 1, resent on
   * bind), or the device itself when it is one of this app's devices on the platform the
   * deliveryType names (none: an invalid target, status 5, not counted). A live-activity target is
   * handed to APNs as it is.
   */
  private async devicesOf(app: PushApp, deliveryType: DeliveryType, target: string): Promise<string[]> {
    if (deliveryType === 3) return (await this.devices.devicesOfUser(app.workspaceId, app.appId, target)).map((device) => device._id);
    if (deliveryType === 5 || deliveryType === 6) return [target];
    const platform = PLATFORM_OF[deliveryType]!;
    const device = isWellFormedDeviceToken(target) ? await this.devices.find(app.workspaceId, app.appId, target) : await this.devices.findByApnsToken(app.workspaceId, app.appId, target);
    return device !== null && device.platform === platform ? [device._id] : [];
  }
}

/** A device target is a token the gateway issued, or on iOS a raw APNs token (DECISIONS D4); user and live-activity targets are free text. */
function isTargetWellFormed(deliveryType: DeliveryType, target: string): boolean {
  if (PLATFORM_OF[deliveryType] === undefined) return true;
  return isWellFormedDeviceToken(target) || (deliveryType === 2 && APNS_TOKEN.test(target));
}

/** Message ids derived from the task: a replayed execution writes the same ids. */
export function messageIdOf(taskId: string, index: number): string {
  return createHash('sha256').update(`${taskId}:${index}`).digest('hex').slice(0, 32);
}

export function deliveryOf(message: PushMessage, token: string, channel: string | null): PushDelivery {
  return {
    _id: deliveryIdOf(message._id, token),
    appId: message.appId,
    workspaceId: message.workspaceId,
    messageId: message._id,
    token,
    taskId: message.taskId,
    status: PUSH_STATUS.DEVICE_NOT_ONLINE,
    channel,
    sends: 0,
    vendorCode: null,
    userId: null,
    createdAt: message.createdAt,
    expireAt: message.expireAt,
    updatedAt: message.createdAt,
  };
}

async function ignoreDuplicate(write: Promise<void>): Promise<void> {
  try {
    await write;
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
  }
}

async function inChunks<T>(items: T[], size: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map((item, offset) => work(item, start + offset)));
  }
}
