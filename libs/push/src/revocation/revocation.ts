import type { CometDelivery, Presence } from '@pushsync/comet';
import type { PushApp } from '../intake/prepared-push';
import type { MessageRepository } from '../messages/message.repository';
import type { PushMessage } from '../messages/push-message';
import { invalidParam } from '../push-codes';
import { PUSH_STATUS } from '../receipts/push-status';
import type { TaskRepository } from '../tasks/task.repository';
import { revokeFrameOf } from '../delivery/push-frame';
import type { PushOutcomes } from '../delivery/push-outcomes';

/** mps.md §2.9: only messages pushed in the last 7 days can be revoked. */
export const REVOCATION_WINDOW_MS = 7 * 86_400_000;

/**
 * RevokePushMessage and RevokePushTask (mps.md §3.10, §3.11; DECISIONS D4 "Revocation"):
 * deliveries not acknowledged yet are cancelled (status 3) and never sent again; devices that
 * received the message and are connected get a revoke frame. Refusals without their own code
 * (nothing found in the 7-day window, a task of the wrong type) answer 3028.
 */
export class Revocation {
  public constructor(
    private readonly messages: MessageRepository,
    private readonly tasks: TaskRepository,
    private readonly presence: Presence,
    private readonly comet: CometDelivery,
    private readonly outcomes: PushOutcomes,
    private readonly clock: { now(): number },
  ) {}

  /** By the customer's message id and the target it was pushed to (a simple or template push). */
  public async revokeMessage(app: PushApp, msgKey: string, targetId: string): Promise<void> {
    const since = this.clock.now() - REVOCATION_WINDOW_MS;
    const found = (await this.messages.findByTargetAndKey(app.appId, app.workspaceId, targetId, msgKey, since)).filter((message) => message.type === 'SIMPLE' || message.type === 'TEMPLATE');
    if (found.length === 0) throw invalidParam(`no simple or template message ${JSON.stringify(msgKey)} to target ${JSON.stringify(targetId)} was pushed in the last 7 days`);
    for (const message of found) await this.revoke(message);
  }

  /** By task id (a multiple or broadcast push). */
  public async revokeTask(app: PushApp, taskId: string): Promise<void> {
    const task = await this.tasks.find(app.appId, app.workspaceId, taskId);
    if (task === null || task.createdAt < this.clock.now() - REVOCATION_WINDOW_MS) throw invalidParam(`no push task ${JSON.stringify(taskId)} was created in the last 7 days`);
    if (task.type !== 'MULTIPLE' && task.type !== 'BROADCAST') throw invalidParam(`task ${JSON.stringify(taskId)} is a ${task.type.toLowerCase()} push: revoke it by message id (RevokePushMessage)`);
    await this.tasks.revoke(task._id, this.clock.now());
    for (const message of await this.messages.messagesOfTask(app.appId, app.workspaceId, taskId)) await this.revoke(message);
    if (task.type === 'BROADCAST') {
      const instanceId = `${app.workspaceId}_${app.appId}`;
      await this.comet.deliverToDevices(instanceId, await this.presence.devicesOfApp(instanceId), revokeFrameOf(task.broadcastMessageId));
    }
  }

  private async revoke(message: PushMessage): Promise<void> {
    const now = this.clock.now();
    const revokedNow = await this.messages.moveMessage(message._id, [PUSH_STATUS.DEVICE_NOT_ONLINE, PUSH_STATUS.NO_BIND_INFO, PUSH_STATUS.ACKED], PUSH_STATUS.REVOKED, now);
    const reached: string[] = [];
    for (const delivery of await this.messages.deliveriesOf(message._id)) {
      const moved = await this.messages.moveDelivery(delivery._id, [PUSH_STATUS.DEVICE_NOT_ONLINE, PUSH_STATUS.ACKED], PUSH_STATUS.REVOKED, now);
      if (moved && (delivery.status === PUSH_STATUS.ACKED || delivery.sends > 0)) reached.push(delivery.token);
    }
    if (reached.length > 0) await this.comet.deliverToDevices(`${message.workspaceId}_${message.appId}`, reached, revokeFrameOf(message._id));
    if (revokedNow) await this.outcomes.settled(message, '', PUSH_STATUS.REVOKED, null);
  }
}
