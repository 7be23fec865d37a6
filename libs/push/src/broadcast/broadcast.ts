import { BROADCAST_SUBJECT, encodeBroadcast, type BroadcastProgress } from '@pushsync/comet';
import type { Bus, RecordBatch } from '@pushsync/platform';
import { parseInstanceId } from '@pushsync/tenancy';
import type { MessageRepository } from '../messages/message.repository';
import { PUSH_STATUS } from '../receipts/push-status';
import type { PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import { decodeRecord } from '../topics';
import { platformOf } from '../delivery/push-device-work';
import { pushFrameOf } from '../delivery/push-frame';

/** Statistics of broadcasts, whose devices are counted as the nodes report them rather than per delivery. */
export interface BroadcastCounter {
  broadcastSent(task: PushTask, sent: number): Promise<void>;
}

/**
 * Broadcast fan-out (mps.md §3.4, DECISIONS D4): one message for every device of a platform in
 * the binding audience. push-core publishes it once to every comet node, and each node writes it
 * to its own matching connections (no per-device lookup: a 50,000-device broadcast is one publish
 * and local writes). Devices connecting later within validity get it from PushDeviceWork; acks
 * record one delivery per device. A broadcast replayed after a push-core restart is published again
 * and ignored by the nodes that already fanned it out, so no device is sent it twice.
 */
export class BroadcastFanOut {
  public constructor(
    private readonly messages: MessageRepository,
    private readonly tasks: TaskRepository,
    private readonly bus: Bus,
    private readonly counter: BroadcastCounter,
    private readonly clock: { now(): number },
  ) {}

  public async handleBatch(batch: RecordBatch): Promise<void> {
    for (const record of batch.records) {
      const started = decodeRecord<{ appId: string; workspaceId: string; taskId: string }>(record.value);
      if (started !== null && typeof started.taskId === 'string') await this.fanOut(started.appId, started.workspaceId, started.taskId);
    }
  }

  /** Counts what the nodes report as written. */
  public async progress(report: BroadcastProgress): Promise<void> {
    const app = parseInstanceId(report.instanceId);
    if (report.sent <= 0 || app === null) return;
    const task = await this.tasks.find(app.appId, app.workspaceId, report.taskId);
    if (task === null) return;
    await this.tasks.count(task._id, { pushed: report.sent });
    await this.counter.broadcastSent(task, report.sent);
  }

  private async fanOut(appId: string, workspaceId: string, taskId: string): Promise<void> {
    const task = await this.tasks.find(appId, workspaceId, taskId);
    if (task === null || task.audience === null || task.revokedAt !== null || task.expireAt <= this.clock.now()) return;
    const message = await this.messages.findMessage(appId, workspaceId, task.broadcastMessageId);
    if (message === null || message.status === PUSH_STATUS.REVOKED) return;
    const platform = platformOf(task);
    const frame = pushFrameOf(message, platform === 'WEB' ? 'WEB' : 'ANDROID');
    await this.bus.publish(
      BROADCAST_SUBJECT,
      encodeBroadcast({ v: 1, instanceId: `${workspaceId}_${appId}`, platform, audience: task.audience, messageId: message._id, taskId, expireAt: message.expireAt }, frame),
    );
    await this.tasks.finish(taskId, this.clock.now());
  }
}
