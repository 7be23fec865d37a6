import { randomBytes } from 'node:crypto';
import type { Presence } from '@pushsync/comet';
import { inBindingAudience, type BindingAudience, type DeviceRepository } from '@pushsync/devices';
import type { RecordBatch, Stream } from '@pushsync/platform';
import { platformOf } from '../delivery/push-device-work';
import type { MessageRepository } from '../messages/message.repository';
import { PUSH_STATUS } from '../receipts/push-status';
import type { PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import { decodeRecord, encodeRecord, PUSH_BROADCAST_SHARD_TOPIC } from '../topics';
import { BROADCAST_SHARD_SIZE, byNode, type BroadcastShard } from './broadcast';
import type { BroadcastShardRepository } from './broadcast-shard.repository';

/** Delivery ids per `$in` query when looking for devices that acknowledged already. */
/** Shard records per produce call (each is some 30 KB). */
const SHARDS_PER_PRODUCE = 16;

type ConnectedDevice = { token: string; node: string };

/**
 * Plans a broadcast (mps.md §3.4, DECISIONS D4), the consumer of PUSH_BROADCAST_TOPIC: the devices
 * of the task's platform connected now (the presence platform index: one key listing) in the
 * binding audience, iOS once per bound user, less those that acknowledged it already, split into
 * shards of BROADCAST_SHARD_SIZE produced to PUSH_BROADCAST_SHARD_TOPIC; then the task adopts the
 * plan (its id and shard count). A plan replayed before its adoption (push-core died in between) is
 * a second plan: both are sent, which no connection notices (a comet session takes a broadcast
 * once), and only the adopted one counts towards the task's end. Devices connecting later get the
 * broadcast from PushDeviceWork.
 */
export class BroadcastPlanner {
  public constructor(
    private readonly messages: MessageRepository,
    private readonly tasks: TaskRepository,
    private readonly devices: DeviceRepository,
    private readonly shards: BroadcastShardRepository,
    private readonly presence: Presence,
    private readonly stream: Stream,
    private readonly clock: { now(): number },
    private readonly newPlanId: () => string = () => randomBytes(8).toString('hex'),
  ) {}

  public async handleBatch(batch: RecordBatch): Promise<void> {
    for (const record of batch.records) {
      const started = decodeRecord<{ appId: string; workspaceId: string; taskId: string }>(record.value);
      if (started !== null && typeof started.taskId === 'string') await this.plan(started.appId, started.workspaceId, started.taskId);
    }
  }

  public async plan(appId: string, workspaceId: string, taskId: string): Promise<void> {
    const task = await this.tasks.find(appId, workspaceId, taskId);
    // Boolean(): a task stored before plans existed has no shardPlanId field at all.
    if (task === null || task.audience === null || task.revokedAt !== null || task.finishedAt !== null || Boolean(task.shardPlanId) || task.expireAt <= this.clock.now()) return;
    const message = await this.messages.findMessage(appId, workspaceId, task.broadcastMessageId);
    if (message === null || message.status === PUSH_STATUS.REVOKED) return;
    const audience = await this.audienceOf(task, task.audience);
    const planId = this.newPlanId();
    const shards: BroadcastShard[] = [];
    for (let start = 0; start < audience.length; start += BROADCAST_SHARD_SIZE) {
      shards.push({ appId, workspaceId, taskId, planId, index: shards.length, targets: byNode(audience.slice(start, start + BROADCAST_SHARD_SIZE)), from: 0 });
    }
    for (let start = 0; start < shards.length; start += SHARDS_PER_PRODUCE) {
      const records = shards.slice(start, start + SHARDS_PER_PRODUCE).map((shard) => ({ key: taskId, value: encodeRecord(shard) }));
      await this.stream.produce(PUSH_BROADCAST_SHARD_TOPIC.name, records);
    }
    if (!(await this.tasks.adoptPlan(taskId, planId, shards.length, audience.length))) return;
    const adopted = { _id: taskId, shardPlanId: planId, shardCount: shards.length };
    await this.tasks.shardsDone(adopted, await this.shards.countSent(taskId, planId), this.clock.now());
  }

  /** The connected devices the broadcast goes to, with their node. */
  private async audienceOf(task: PushTask, audience: BindingAudience): Promise<ConnectedDevice[]> {
    const instanceId = `${task.workspaceId}_${task.appId}`;
    const connected = await this.presence.connectedOf(instanceId, platformOf(task));
    const users = await this.presence.boundUsersOf(instanceId);
    const times = new Map<string, { boundAt: number | null; unboundAt: number | null }>();
    if (isTimeBounded(audience)) {
      const records = await this.devices.findMany(
        task.workspaceId,
        task.appId,
        connected.map((device) => device.token),
      );
      for (const device of records) times.set(device._id, device);
    }
    const now = this.clock.now();
    const inAudience = connected.filter(({ token }) => {
      const bindingTimes = times.get(token);
      return inBindingAudience({ userId: users.get(token) ?? null, boundAt: bindingTimes?.boundAt ?? null, unboundAt: bindingTimes?.unboundAt ?? null }, audience, now);
    });
    const reached = task.deliveryType === 2 ? oncePerUser(inAudience, users) : inAudience;
    const acked = await this.acknowledged(task.broadcastMessageId);
    return reached.filter((device) => !acked.has(device.token));
  }

  /**
   * The devices that acknowledged the broadcast (a plan made again after a restart leaves them
   * out): one query by message, which the `message` index answers, where a lookup per device cost
   * 50,000 round trips for a fresh 50,000-device broadcast.
   */
  private async acknowledged(messageId: string): Promise<Set<string>> {
    return new Set((await this.messages.deliveriesOf(messageId)).map((delivery) => delivery.token));
  }
}

/** Whether the audience depends on when devices bound or unbound (a period of 7, 15 or 60 days), which presence does not know. */
function isTimeBounded(audience: BindingAudience): boolean {
  const bounded = (period: BindingAudience['bindPeriod']) => period !== null && period !== 4;
  return audience.pushStatus === 0 ? bounded(audience.bindPeriod) : bounded(audience.unBindPeriod);
}

/**
 * iOS broadcasts reach a user once (mps.md §3.4): one connected device per bound user, the first
 * listed (presence keys carry no connection time, and reading every entry to find the newest would
 * cost a lookup per device); unbound devices count one by one.
 */
function oncePerUser(devices: ConnectedDevice[], users: Map<string, string>): ConnectedDevice[] {
  const reachedUsers = new Set<string>();
  return devices.filter(({ token }) => {
    const userId = users.get(token);
    if (userId === undefined) return true;
    if (reachedUsers.has(userId)) return false;
    reachedUsers.add(userId);
    return true;
  });
}
