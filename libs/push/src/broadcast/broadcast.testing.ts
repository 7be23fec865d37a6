import { EmbeddedStream, type ConsumedRecord, type Stream } from '@pushsync/platform';
import { PUSH_BROADCAST_SHARD_TOPIC } from '../topics';
import type { BindingAudience } from '@pushsync/devices';
import { APP, messageFixture, taskFixture } from '../queries/push-fixtures.testing';
import type { PushTask } from '../tasks/push-task';
import type { PushMessage } from '../messages/push-message';

export const DAY = 86_400_000;
export const NOW = 100 * DAY;
export const INSTANCE_ID = `${APP.workspaceId}_${APP.appId}`;

export async function shardStream(): Promise<EmbeddedStream> {
  const stream = new EmbeddedStream(':memory:');
  await stream.ensureTopics([PUSH_BROADCAST_SHARD_TOPIC]);
  return stream;
}

/** How many records the shard topic holds. */
export async function producedCount(stream: Stream): Promise<number> {
  let total = 0;
  for (let partition = 0; partition < PUSH_BROADCAST_SHARD_TOPIC.partitions; partition++) total += await stream.endOffset({ topic: PUSH_BROADCAST_SHARD_TOPIC.name, partition });
  return total;
}

/** Every record of the shard topic, in offset order per partition. */
export async function producedRecords(stream: Stream): Promise<ConsumedRecord[]> {
  const expected = await producedCount(stream);
  const records: ConsumedRecord[] = [];
  if (expected === 0) return records;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  const consumer = await stream.subscribe({
    group: `reader-${Math.random()}`,
    topics: [PUSH_BROADCAST_SHARD_TOPIC.name],
    handleBatch: async (batch) => {
      records.push(...batch.records);
      if (records.length >= expected) done();
    },
  });
  await all;
  await consumer.stop();
  return records;
}

export function broadcastFixtures(taskId: string, deliveryType: PushTask['deliveryType'], audience: BindingAudience, fields: Partial<PushTask> = {}): { task: PushTask; message: PushMessage } {
  const message = messageFixture(`${taskId}-message`, { taskId, type: 'BROADCAST', deliveryType, targetId: '', createdAt: NOW, expireAt: NOW + DAY });
  const task = taskFixture(taskId, { type: 'BROADCAST', deliveryType, audience, broadcastMessageId: message._id, createdAt: NOW, expireAt: NOW + DAY, ...fields });
  return { task, message };
}

export { APP };
