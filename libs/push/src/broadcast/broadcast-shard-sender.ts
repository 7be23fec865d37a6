import { MAX_TOKENS_PER_DELIVERY, type CometDelivery } from '@pushsync/comet';
import type { RecordBatch, Stream } from '@pushsync/platform';
import { platformOf } from '../delivery/push-device-work';
import { pushFrameOf } from '../delivery/push-frame';
import type { MessageRepository } from '../messages/message.repository';
import { PUSH_STATUS } from '../receipts/push-status';
import type { PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import { decodeRecord, encodeRecord, PUSH_BROADCAST_SHARD_TOPIC } from '../topics';
import { byNode, shardIdOf, type BroadcastCounter, type BroadcastShard } from './broadcast';
import type { BroadcastShardRepository } from './broadcast-shard.repository';

/** The longest a batch of shards waits for rated tasks' next sends; what is not due by then is produced again. */
const MAX_RATE_WAIT_MS = 1000;

/** A rated task's devices go in slices of this much of its rate (at least one device). */
const PACING_SLICE_MS = 100;

export interface Sleeper {
  sleep(ms: number): Promise<void>;
}

const realSleeper: Sleeper = { sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/**
 * Sends the shards of planned broadcasts, the consumer of PUSH_BROADCAST_SHARD_TOPIC: each shard's
 * devices go to their nodes (`sendToNode` naming the message, so a connection takes it once), then
 * the shard is recorded as sent, counted (pushedCount, statistics) and the task's progress
 * (shardsDone, finishedAt with the last) recomputed from those records.
 *
 * A shard is recorded after it is sent, never claimed before: a crash in between sends it again on
 * replay, which the connections that already took it ignore, while a claim taken before sending
 * would lose the shard for good if push-core died before sending it.
 *
 * A rated task (`ratePerMinute`) is paced per task in this process (all its shards share a
 * partition, keyed by task id): slices of a tenth of a second's worth of its rate, each sent once
 * the previous slice's share of the rate has passed, so any minute holds at most the rate plus one
 * slice. A batch waits at most MAX_RATE_WAIT_MS in all; the part of a rated
 * shard not due by then is produced again (`from` counting what went) and the batch is committed,
 * so other tasks' shards on the partition wait about a second, not the length of a rated broadcast.
 * A restarted pacer starts with a slice at once.
 */
export class BroadcastShardSender {
  /** Task id -> when its next device may be sent. */
  private readonly nextSendAt = new Map<string, number>();

  public constructor(
    private readonly messages: MessageRepository,
    private readonly tasks: TaskRepository,
    private readonly shards: BroadcastShardRepository,
    private readonly comet: Pick<CometDelivery, 'sendToNode'>,
    private readonly stream: Stream,
    private readonly counter: BroadcastCounter,
    private readonly clock: { now(): number },
    private readonly sleeper: Sleeper = realSleeper,
  ) {}

  public async handleBatch(batch: RecordBatch): Promise<void> {
    const now = this.clock.now();
    // a pacer whose next send is past is the same as none.
    for (const [taskId, at] of this.nextSendAt) if (at <= now) this.nextSendAt.delete(taskId);
    const wait = { leftMs: MAX_RATE_WAIT_MS };
    const notDue: BroadcastShard[] = [];
    for (const record of batch.records) {
      const shard = decodeRecord<BroadcastShard>(record.value);
      if (shard === null || typeof shard.taskId !== 'string' || !Array.isArray(shard.targets)) continue;
      const rest = await this.send(shard, wait);
      if (rest !== null) notDue.push(rest);
    }
    if (notDue.length > 0) await this.stream.produce(PUSH_BROADCAST_SHARD_TOPIC.name, notDue.map((shard) => ({ key: shard.taskId, value: encodeRecord(shard) })));
  }

  /** Sends what of the shard is due (all of it unless rated); answers the rest, or null when the shard is done. */
  private async send(shard: BroadcastShard, wait: { leftMs: number }): Promise<BroadcastShard | null> {
    if (await this.shards.isSent(shardIdOf(shard))) {
      await this.settle(shard);
      return null;
    }
    const task = await this.tasks.find(shard.appId, shard.workspaceId, shard.taskId);
    if (task === null) return null;
    const message = await this.messages.findMessage(shard.appId, shard.workspaceId, task.broadcastMessageId);
    if (message === null || message.status === PUSH_STATUS.REVOKED || task.revokedAt !== null || task.expireAt <= this.clock.now()) {
      // nothing more goes out; what a rated shard sent before still counts.
      await this.complete(shard, task, shard.from);
      return null;
    }
    const frame = pushFrameOf(message, platformOf(task) === 'WEB' ? 'WEB' : 'ANDROID');
    const devices = shard.targets.flatMap(({ node, tokens }) => tokens.map((token) => ({ node, token })));
    let from = shard.from;
    while (from < devices.length) {
      const due = this.dueCount(task, devices.length - from);
      if (due > 0) {
        await this.sendTo(shard, devices.slice(from, from + due), frame, message._id);
        from += due;
        continue;
      }
      const untilDue = (this.nextSendAt.get(task._id) ?? this.clock.now()) - this.clock.now();
      if (untilDue > wait.leftMs) return { ...shard, from };
      await this.sleeper.sleep(untilDue);
      wait.leftMs -= untilDue;
    }
    await this.complete(shard, task, devices.length);
    return null;
  }

  /**
   * How many of `wanted` devices may be sent now: all of them unless the task is rated; then a
   * slice of at most PACING_SLICE_MS worth of its rate, after which the next slice waits until
   * those devices' share of the rate has passed (a pacer behind time does not catch up).
   */
  private dueCount(task: PushTask, wanted: number): number {
    // tasks stored before rates existed have no ratePerMinute at all.
    if (!task.ratePerMinute) return wanted;
    const interval = 60_000 / task.ratePerMinute;
    const now = this.clock.now();
    if ((this.nextSendAt.get(task._id) ?? now) > now) return 0;
    const due = Math.min(wanted, Math.max(1, Math.floor(PACING_SLICE_MS / interval)));
    this.nextSendAt.set(task._id, now + due * interval);
    return due;
  }

  private async sendTo(shard: BroadcastShard, devices: Array<{ node: string; token: string }>, frame: Uint8Array, messageId: string): Promise<void> {
    const instanceId = `${shard.workspaceId}_${shard.appId}`;
    for (const { node, tokens } of byNode(devices)) {
      for (let start = 0; start < tokens.length; start += MAX_TOKENS_PER_DELIVERY) {
        await this.comet.sendToNode(instanceId, node, tokens.slice(start, start + MAX_TOKENS_PER_DELIVERY), frame, messageId);
      }
    }
  }

  /** Records the shard as sent and counts it, once however often it is replayed. */
  private async complete(shard: BroadcastShard, task: PushTask, sent: number): Promise<void> {
    const recorded = await this.shards.recordSent({ _id: shardIdOf(shard), taskId: shard.taskId, planId: shard.planId, sent, sentAt: this.clock.now() });
    if (recorded && sent > 0) {
      await this.tasks.count(task._id, { pushed: sent });
      await this.counter.broadcastSent(task, sent);
    }
    await this.settle(shard);
  }

  /** The task's progress from the shards recorded: read after the record, so the plan's adoption and the last shard cannot miss each other. */
  private async settle(shard: BroadcastShard): Promise<void> {
    const task = await this.tasks.find(shard.appId, shard.workspaceId, shard.taskId);
    if (task === null || task.shardPlanId !== shard.planId) return;
    await this.tasks.shardsDone(task, await this.shards.countSent(shard.taskId, shard.planId), this.clock.now());
  }
}
