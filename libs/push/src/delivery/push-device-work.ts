import type { CometDelivery, CometEvent } from '@pushsync/comet';
import { inBindingAudience, type DeviceRepository } from '@pushsync/devices';
import { DuplicateKeyError, type RecordBatch } from '@pushsync/platform';
import type { MessageRepository } from '../messages/message.repository';
import { deliveryIdOf } from '../messages/push-message';
import { deliveryOf } from '../intake/push-intake';
import { PUSH_STATUS } from '../receipts/push-status';
import type { PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import { decodeRecord } from '../topics';
import type { PushDispatcher } from './push-dispatcher';
import { pushFrameOf } from './push-frame';
import type { BroadcastCounter } from '../broadcast/broadcast';
import type { PushOutcomes } from './push-outcomes';

/** A device event push-core acts on, as the comet gateway hands it to the device-work topic. */
export interface PushDeviceEvent {
  kind: 'connect' | 'bind' | 'push-ack' | 'push-report';
  appId: string;
  workspaceId: string;
  token: string;
  node: string;
  platform: string;
  userId: string | null;
  /** Epoch ms the connection was opened (comet events; absent for a binding made over HTTP). */
  since?: number;
  msgId?: string;
  report?: 'OPENED' | 'IGNORED';
}

const REPORT_KINDS: Record<string, 'OPENED' | 'IGNORED'> = { '1': 'OPENED', '2': 'IGNORED', OPENED: 'OPENED', IGNORED: 'IGNORED' };

/** The device work a comet event means for push, or null when push has nothing to do with it. */
export function pushWorkOf(event: CometEvent): PushDeviceEvent | null {
  const base = { appId: event.appId, workspaceId: event.workspaceId, token: event.deviceToken, node: event.node, platform: event.platform, userId: event.userId, since: event.since };
  switch (event.kind) {
    case 'connect':
    case 'bind':
      return { kind: event.kind, ...base };
    case 'push-ack': {
      const msgId = event.detail?.msgId;
      return typeof msgId === 'string' && msgId !== '' ? { kind: 'push-ack', ...base, msgId } : null;
    }
    case 'push-report': {
      const msgId = event.detail?.msgId;
      const report = REPORT_KINDS[String(event.detail?.report)];
      return typeof msgId === 'string' && msgId !== '' && report ? { kind: 'push-report', ...base, msgId, report } : null;
    }
    default:
      return null;
  }
}

/** Messages resent at one connect or bind; more wait for the next. */
const RESEND_LIMIT = 500;
const LIVE_BROADCASTS_TTL_MS = 1000;

/**
 * What a device's connection, binding, acks and reports change (mps.md §2.5, §2.6):
 * - connect: resend what it is owed (status 0) within validity, and live broadcasts of its audience it has not acknowledged;
 * - bind: a user's messages waiting without a binding (status 1) now go to this device;
 * - ack: status 2 for the device (once: a conditional move), outcomes (receipt, statistics);
 * - report: opened / ignored.
 */
export class PushDeviceWork {
  private liveBroadcasts: { at: number; tasks: PushTask[] } = { at: -Infinity, tasks: [] };

  public constructor(
    private readonly messages: MessageRepository,
    private readonly tasks: TaskRepository,
    private readonly devices: DeviceRepository,
    private readonly dispatcher: PushDispatcher,
    private readonly comet: CometDelivery,
    private readonly outcomes: PushOutcomes,
    private readonly broadcastCounter: BroadcastCounter,
    private readonly clock: { now(): number },
  ) {}

  public async handleBatch(batch: RecordBatch): Promise<void> {
    for (const record of batch.records) {
      const event = decodeRecord<PushDeviceEvent>(record.value);
      if (event !== null && typeof event.token === 'string') await this.handle(event);
    }
  }

  public async handle(event: PushDeviceEvent): Promise<void> {
    switch (event.kind) {
      case 'connect': {
        // What was already written to this very connection (dispatched after it opened, before this event was handled) is not written again.
        const owed = await this.messages.owedTo(event.appId, event.workspaceId, event.token, this.clock.now(), RESEND_LIMIT);
        await this.dispatcher.send(
          owed.filter((delivery) => delivery.sends === 0 || event.since === undefined || delivery.updatedAt < event.since),
          knownNodeOf(event),
        );
        return this.resendBroadcasts(event);
      }
      case 'bind':
        return event.userId === null ? undefined : this.deliverWaitingForBinding(event, event.userId);
      case 'push-ack':
        return this.acknowledged(event, event.msgId!);
      case 'push-report': {
        const message = await this.messages.findMessage(event.appId, event.workspaceId, event.msgId!);
        if (message !== null) await this.outcomes.reported(message, event.token, event.report!);
        return;
      }
    }
  }

  private async deliverWaitingForBinding(event: PushDeviceEvent, userId: string): Promise<void> {
    const now = this.clock.now();
    for (const message of await this.messages.waitingForBinding(event.appId, event.workspaceId, userId, now, RESEND_LIMIT)) {
      try {
        await this.messages.insertDelivery(deliveryOf(message, event.token, null));
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
      }
      await this.messages.moveMessage(message._id, [PUSH_STATUS.NO_BIND_INFO], PUSH_STATUS.DEVICE_NOT_ONLINE, now);
    }
    await this.dispatcher.send(await this.messages.owedTo(event.appId, event.workspaceId, event.token, now, RESEND_LIMIT), knownNodeOf(event));
  }

  private async acknowledged(event: PushDeviceEvent, messageId: string): Promise<void> {
    const now = this.clock.now();
    const message = await this.messages.findMessage(event.appId, event.workspaceId, messageId);
    if (message === null) return;
    const id = deliveryIdOf(messageId, event.token);
    let moved: boolean;
    if (message.type === 'BROADCAST') {
      // A broadcast's deliveries are recorded as devices acknowledge it: the unique id makes it once per device; an iOS broadcast's names the user, whom it reaches once.
      try {
        const userId = message.deliveryType === 2 ? event.userId : null;
        await this.messages.insertDelivery({ ...deliveryOf(message, event.token, 'ANDROID'), userId, status: PUSH_STATUS.ACKED, sends: 1, updatedAt: now });
        moved = true;
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error;
        moved = false;
      }
    } else {
      moved = await this.messages.moveDelivery(id, [PUSH_STATUS.DEVICE_NOT_ONLINE], PUSH_STATUS.ACKED, now);
    }
    if (!moved) return;
    await this.messages.moveMessage(message._id, [PUSH_STATUS.DEVICE_NOT_ONLINE, PUSH_STATUS.NO_BIND_INFO], PUSH_STATUS.ACKED, now);
    await this.tasks.count(message.taskId, { acked: 1 });
    await this.outcomes.settled(message, event.token, PUSH_STATUS.ACKED, event.platform);
  }

  /** Devices connecting within a broadcast's validity receive it once: once per device, an iOS broadcast once per bound user (mps.md §2.5). */
  private async resendBroadcasts(event: PushDeviceEvent): Promise<void> {
    if (event.node === '') return;
    const live = (await this.broadcasts()).filter((task) => task.appId === event.appId && task.workspaceId === event.workspaceId && platformOf(task) === event.platform);
    if (live.length === 0) return;
    const device = await this.devices.find(event.workspaceId, event.appId, event.token);
    if (device === null) return;
    const now = this.clock.now();
    const eligible = live.filter((task) => task.audience !== null && inBindingAudience(device, task.audience, now));
    const acked = await this.messages.acknowledgedBroadcasts(event.appId, event.workspaceId, eligible.map((task) => task.broadcastMessageId), event.token, device.userId);
    const owed = eligible.filter((task) => !acked.has(task.broadcastMessageId));
    const messages = new Map((await this.messages.findMessages(owed.map((task) => task.broadcastMessageId))).map((message) => [message._id, message]));
    for (const task of owed) {
      const message = messages.get(task.broadcastMessageId);
      if (message === undefined || message.status === PUSH_STATUS.REVOKED) continue;
      await this.comet.sendToNode(`${event.workspaceId}_${event.appId}`, event.node, [event.token], pushFrameOf(message, event.platform === 'WEB' ? 'WEB' : 'ANDROID'), message._id);
      await this.tasks.count(task._id, { pushed: 1 });
      await this.broadcastCounter.broadcastSent(task, 1);
    }
  }

  private async broadcasts(): Promise<PushTask[]> {
    const now = this.clock.now();
    if (now - this.liveBroadcasts.at > LIVE_BROADCASTS_TTL_MS) this.liveBroadcasts = { at: now, tasks: await this.tasks.liveBroadcasts(now) };
    return this.liveBroadcasts.tasks;
  }
}

/** The node of the connection the event came from; none for a binding made over HTTP (presence is asked). */
function knownNodeOf(event: PushDeviceEvent): { token: string; node: string } | undefined {
  return event.node === '' ? undefined : { token: event.token, node: event.node };
}

const BROADCAST_PLATFORMS: Record<number, string> = { 1: 'ANDROID', 2: 'IOS', 7: 'HARMONY', 8: 'WEB' };

export function platformOf(task: Pick<PushTask, 'deliveryType'>): string {
  return BROADCAST_PLATFORMS[task.deliveryType] ?? '';
}
