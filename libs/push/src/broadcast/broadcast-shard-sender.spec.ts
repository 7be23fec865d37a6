import { SqliteStore, type ConsumedRecord, type EmbeddedStream, type RecordBatch } from '@pushsync/platform';
import { MessageRepository } from '../messages/message.repository';
import type { PushTask } from '../tasks/push-task';
import { TaskRepository } from '../tasks/task.repository';
import { decodeRecord, encodeRecord, PUSH_BROADCAST_SHARD_TOPIC } from '../topics';
import { shardIdOf, type BroadcastShard } from './broadcast';
import { BroadcastShardRepository } from './broadcast-shard.repository';
import { BroadcastShardSender } from './broadcast-shard-sender';
import { APP, broadcastFixtures, NOW, producedRecords, shardStream } from './broadcast.testing';

interface Sent {
  at: number;
  node: string;
  tokens: string[];
  broadcast: string | undefined;
}

function shardOf(taskId: string, index: number, targets: BroadcastShard['targets'], planId = 'plan-1'): BroadcastShard {
  return { ...APP, taskId, planId, index, targets, from: 0 };
}

function tokens(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

function batchOf(shards: BroadcastShard[]): RecordBatch {
  const records: ConsumedRecord[] = shards.map((shard, offset) => ({ topic: PUSH_BROADCAST_SHARD_TOPIC.name, partition: 0, offset, timestamp: NOW, key: shard.taskId, value: encodeRecord(shard) }));
  return { topic: PUSH_BROADCAST_SHARD_TOPIC.name, partition: 0, records };
}

describe('BroadcastShardSender', () => {
  let store: SqliteStore;
  let stream: EmbeddedStream;
  let messages: MessageRepository;
  let tasks: TaskRepository;
  let shards: BroadcastShardRepository;
  let sent: Sent[];
  let counted: Array<{ taskId: string; sent: number }>;
  let time: number;
  let sender: BroadcastShardSender;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    stream = await shardStream();
    messages = await MessageRepository.open(store);
    tasks = await TaskRepository.open(store);
    shards = await BroadcastShardRepository.open(store);
    sent = [];
    counted = [];
    time = NOW;
    const comet = {
      sendToNode: async (_instanceId: string, node: string, sentTokens: string[], _frame: Uint8Array, broadcast?: string) => {
        sent.push({ at: time, node, tokens: sentTokens, broadcast });
      },
    };
    const counter = { broadcastSent: async (task: PushTask, n: number) => void counted.push({ taskId: task._id, sent: n }) };
    const sleeper = { sleep: async (ms: number) => void (time += ms) };
    sender = new BroadcastShardSender(messages, tasks, shards, comet, stream, counter, { now: () => time }, sleeper);
  });

  afterEach(async () => {
    await stream.close();
    store.close();
  });

  async function broadcast(taskId: string, fields: Partial<PushTask> = {}): Promise<PushTask> {
    const { task, message } = broadcastFixtures(taskId, 1, { pushStatus: 1, bindPeriod: null, unBindPeriod: 4 }, fields);
    await messages.insertMessage(message);
    await tasks.insert(task);
    return task;
  }

  it('sends a shard to each node naming the broadcast, counts it, and finishes the task with the last shard of its plan', async () => {
    const task = await broadcast('t1', { shardPlanId: 'plan-1', shardCount: 2 });
    await sender.handleBatch(batchOf([shardOf('t1', 0, [{ node: 'node-a', tokens: ['a1', 'a2'] }, { node: 'node-b', tokens: ['b1'] }])]));

    expect(sent.map(({ node, tokens: to, broadcast: id }) => ({ node, to, id }))).toEqual([
      { node: 'node-a', to: ['a1', 'a2'], id: task.broadcastMessageId },
      { node: 'node-b', to: ['b1'], id: task.broadcastMessageId },
    ]);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ pushedCount: 3, shardsDone: 1, finishedAt: null });

    await sender.handleBatch(batchOf([shardOf('t1', 1, [{ node: 'node-a', tokens: ['a3'] }])]));
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ pushedCount: 4, shardsDone: 2, finishedAt: NOW });
    expect(counted).toEqual([
      { taskId: 't1', sent: 3 },
      { taskId: 't1', sent: 1 },
    ]);
  });

  it('skips a shard already sent (a replay after a crash), counting nothing again', async () => {
    await broadcast('t1', { shardPlanId: 'plan-1', shardCount: 1 });
    const shard = shardOf('t1', 0, [{ node: 'node-a', tokens: ['a1'] }]);
    await sender.handleBatch(batchOf([shard]));
    await sender.handleBatch(batchOf([shard, shard]));

    expect(sent).toHaveLength(1);
    expect(counted).toEqual([{ taskId: 't1', sent: 1 }]);
    expect(await shards.isSent(shardIdOf(shard))).toBe(true);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ pushedCount: 1, shardsDone: 1, finishedAt: NOW });
  });

  it('counts shards sent before the plan was adopted once the plan is, and ignores those of a plan not adopted', async () => {
    await broadcast('t1');
    await sender.handleBatch(batchOf([shardOf('t1', 0, [{ node: 'node-a', tokens: ['a1'] }], 'plan-lost'), shardOf('t1', 0, [{ node: 'node-a', tokens: ['a1'] }], 'plan-2')]));
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ shardsDone: 0, finishedAt: null });

    await tasks.adoptPlan('t1', 'plan-2', 1, 1);
    await tasks.shardsDone({ _id: 't1', shardPlanId: 'plan-2', shardCount: 1 }, await shards.countSent('t1', 'plan-2'), time);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ shardsDone: 1, finishedAt: NOW });
  });

  it('sends nothing of a revoked broadcast but still ends it', async () => {
    await broadcast('t1', { shardPlanId: 'plan-1', shardCount: 1, revokedAt: NOW - 1 });
    await sender.handleBatch(batchOf([shardOf('t1', 0, [{ node: 'node-a', tokens: ['a1'] }])]));

    expect(sent).toEqual([]);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ pushedCount: 0, finishedAt: NOW });
  });

  it('paces a rated task in slices of a tenth of a second of its rate, produces what is not due within the wait again, and does not hold up an unrated task', async () => {
    await broadcast('rated', { shardPlanId: 'plan-1', shardCount: 1, ratePerMinute: 6000 });
    await broadcast('free', { shardPlanId: 'plan-1', shardCount: 1 });
    const rated = shardOf('rated', 0, [{ node: 'node-a', tokens: tokens('r', 250) }]);

    await sender.handleBatch(batchOf([rated, shardOf('free', 0, [{ node: 'node-b', tokens: tokens('f', 500) }])]));

    const ratedSends = sent.filter((send) => send.node === 'node-a');
    expect(ratedSends.map((send) => [send.at - NOW, send.tokens.length])).toEqual(Array.from({ length: 11 }, (_, i) => [i * 100, 10]));
    expect(sent.filter((send) => send.node === 'node-b').map((send) => send.tokens.length)).toEqual([500]);
    const [rest] = (await producedRecords(stream)).map((record) => decodeRecord<BroadcastShard>(record.value)!);
    expect(rest).toMatchObject({ taskId: 'rated', index: 0, from: 110 });
    expect(await tasks.find(APP.appId, APP.workspaceId, 'rated')).toMatchObject({ pushedCount: 0, finishedAt: null });

    await sender.handleBatch(batchOf([rest!]));
    const all = sent.filter((send) => send.node === 'node-a');
    expect(all.flatMap((send) => send.tokens)).toEqual(tokens('r', 250).slice(0, 210));
    for (let i = 1; i < all.length; i++) expect(all[i]!.at - all[i - 1]!.at).toBeGreaterThanOrEqual(100);
  });

  it('produces a rated shard again at once when its next slice is further away than the wait allows', async () => {
    await broadcast('slow', { shardPlanId: 'plan-1', shardCount: 1, ratePerMinute: 2 });
    const shard = shardOf('slow', 0, [{ node: 'node-a', tokens: ['s1', 's2'] }]);

    await sender.handleBatch(batchOf([shard]));

    expect(sent.map((send) => send.tokens)).toEqual([['s1']]);
    expect(time).toBe(NOW);
    expect((await producedRecords(stream)).map((record) => decodeRecord<BroadcastShard>(record.value)!.from)).toEqual([1]);
  });
});
