import { Presence, type PresenceEntry } from '@pushsync/comet';
import { DeviceRepository, type DevicePlatform } from '@pushsync/devices';
import { InProcessKeyValue, SqliteStore, type EmbeddedStream } from '@pushsync/platform';
import { MessageRepository } from '../messages/message.repository';
import { deliveryFixture, deviceFixture } from '../queries/push-fixtures.testing';
import { PUSH_STATUS } from '../receipts/push-status';
import { TaskRepository } from '../tasks/task.repository';
import { decodeRecord } from '../topics';
import type { BroadcastShard } from './broadcast';
import { BroadcastPlanner } from './broadcast-planner';
import { BroadcastShardRepository } from './broadcast-shard.repository';
import { APP, broadcastFixtures, DAY, INSTANCE_ID, NOW, producedCount, producedRecords, shardStream } from './broadcast.testing';

describe('BroadcastPlanner', () => {
  let store: SqliteStore;
  let keyValue: InProcessKeyValue;
  let stream: EmbeddedStream;
  let messages: MessageRepository;
  let tasks: TaskRepository;
  let devices: DeviceRepository;
  let presence: Presence;
  let planner: BroadcastPlanner;
  let plans = 0;

  beforeEach(async () => {
    plans = 0;
    store = new SqliteStore(':memory:');
    keyValue = new InProcessKeyValue();
    stream = await shardStream();
    messages = await MessageRepository.open(store);
    tasks = await TaskRepository.open(store);
    devices = await DeviceRepository.open(store);
    presence = await Presence.open(keyValue);
    planner = new BroadcastPlanner(messages, tasks, devices, await BroadcastShardRepository.open(store), presence, stream, { now: () => NOW }, () => `plan-${++plans}`);
  });

  afterEach(async () => {
    await stream.close();
    await keyValue.close();
    store.close();
  });

  /** A device connected to `node`, with its stored record (binding times). */
  async function connect(token: string, fields: { platform?: DevicePlatform; node?: string; userId?: string | null; boundAt?: number | null; unboundAt?: number | null } = {}): Promise<void> {
    const { platform = 'ANDROID', node = 'node-a', userId = null, boundAt = null, unboundAt = null } = fields;
    await devices.insert(deviceFixture(token, { platform, userId, boundAt, unboundAt }));
    const entry: PresenceEntry = { node, connectionId: `c-${token}`, platform, appVersion: '1.0.0', userId, since: NOW };
    await presence.put(INSTANCE_ID, token, entry);
  }

  async function plannedShards(): Promise<BroadcastShard[]> {
    return (await producedRecords(stream)).map((record) => decodeRecord<BroadcastShard>(record.value)!).sort((a, b) => a.index - b.index);
  }

  async function plannedTokens(): Promise<string[]> {
    return (await plannedShards()).flatMap((shard) => shard.targets.flatMap((target) => target.tokens)).sort();
  }

  async function broadcast(taskId: string, deliveryType: 1 | 2 | 7 | 8, audience: Parameters<typeof broadcastFixtures>[2]): Promise<void> {
    const { task, message } = broadcastFixtures(taskId, deliveryType, audience);
    await messages.insertMessage(message);
    await tasks.insert(task);
  }

  it('keeps the login users of the period on the task platform, and leaves out devices that acknowledged the broadcast', async () => {
    await connect('recent-bind', { userId: 'u1', boundAt: NOW - DAY });
    await connect('old-bind', { userId: 'u2', boundAt: NOW - 30 * DAY });
    await connect('unbound', { unboundAt: NOW - DAY });
    await connect('web-bound', { platform: 'WEB', userId: 'u3', boundAt: NOW - DAY });
    await connect('acked', { userId: 'u4', boundAt: NOW - DAY });
    await broadcast('t1', 1, { pushStatus: 0, bindPeriod: 1, unBindPeriod: null });
    const { message } = broadcastFixtures('t1', 1, { pushStatus: 0, bindPeriod: 1, unBindPeriod: null });
    await messages.insertDelivery(deliveryFixture(message, 'acked', { status: PUSH_STATUS.ACKED }));

    await planner.plan(APP.appId, APP.workspaceId, 't1');

    expect(await plannedTokens()).toEqual(['recent-bind']);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ shardPlanId: 'plan-1', shardCount: 1, targetCount: 1, finishedAt: null });
  });

  it('keeps the logout users of the period: unbound within it, not bound now', async () => {
    await connect('recent-unbind', { unboundAt: NOW - 10 * DAY });
    await connect('old-unbind', { unboundAt: NOW - 20 * DAY });
    await connect('never-bound');
    await connect('bound', { userId: 'u1', boundAt: NOW - DAY });
    await broadcast('t1', 1, { pushStatus: 2, bindPeriod: null, unBindPeriod: 2 });

    await planner.plan(APP.appId, APP.workspaceId, 't1');

    expect(await plannedTokens()).toEqual(['recent-unbind']);
  });

  it('reaches all users with the permanent period: every connected device of the platform, bound or not', async () => {
    await connect('bound', { userId: 'u1' });
    await connect('never-bound');
    await devices.insert(deviceFixture('not-connected'));
    await broadcast('t1', 8, { pushStatus: 1, bindPeriod: null, unBindPeriod: 4 });
    await connect('web', { platform: 'WEB' });

    await planner.plan(APP.appId, APP.workspaceId, 't1');

    expect(await plannedTokens()).toEqual(['web']);
    await broadcast('t2', 1, { pushStatus: 1, bindPeriod: null, unBindPeriod: 4 });
    await planner.plan(APP.appId, APP.workspaceId, 't2');
    expect((await plannedShards()).filter((shard) => shard.taskId === 't2').flatMap((shard) => shard.targets.flatMap((target) => target.tokens)).sort()).toEqual(['bound', 'never-bound']);
  });

  it('reaches an iOS user once however many devices the user has connected, and unbound iOS devices one by one', async () => {
    await connect('ios-u1-a', { platform: 'IOS', userId: 'u1' });
    await connect('ios-u1-b', { platform: 'IOS', userId: 'u1', node: 'node-b' });
    await connect('ios-u2', { platform: 'IOS', userId: 'u2' });
    await connect('ios-unbound-1', { platform: 'IOS' });
    await connect('ios-unbound-2', { platform: 'IOS' });
    await broadcast('t1', 2, { pushStatus: 1, bindPeriod: null, unBindPeriod: 4 });

    await planner.plan(APP.appId, APP.workspaceId, 't1');

    const tokens = await plannedTokens();
    expect(tokens.filter((token) => token.startsWith('ios-u1'))).toHaveLength(1);
    expect(tokens.filter((token) => !token.startsWith('ios-u1'))).toEqual(['ios-u2', 'ios-unbound-1', 'ios-unbound-2']);
  });

  it('splits the audience into shards of at most 1000 devices grouped by node, each device once, and plans a task once', async () => {
    for (let i = 0; i < 2500; i++) {
      const token = `d${String(i).padStart(5, '0')}`;
      await presence.put(INSTANCE_ID, token, { node: i % 2 === 0 ? 'node-a' : 'node-b', connectionId: `c${i}`, platform: 'ANDROID', appVersion: '1', userId: null, since: NOW });
    }
    await broadcast('t1', 1, { pushStatus: 2, bindPeriod: null, unBindPeriod: 4 });

    await planner.plan(APP.appId, APP.workspaceId, 't1');
    await planner.plan(APP.appId, APP.workspaceId, 't1');

    const shards = await plannedShards();
    expect(shards.map((shard) => [shard.index, shard.planId, shard.targets.reduce((total, target) => total + target.tokens.length, 0)])).toEqual([
      [0, 'plan-1', 1000],
      [1, 'plan-1', 1000],
      [2, 'plan-1', 500],
    ]);
    for (const shard of shards) {
      for (const target of shard.targets) expect(target.tokens.every((token) => Number(token.slice(1)) % 2 === (target.node === 'node-a' ? 0 : 1))).toBe(true);
    }
    expect(new Set(await plannedTokens()).size).toBe(2500);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ shardPlanId: 'plan-1', shardCount: 3, shardsDone: 0, targetCount: 2500 });
  });

  it('finishes a broadcast with nobody to reach at once, and plans nothing for a revoked task', async () => {
    await broadcast('t1', 1, { pushStatus: 0, bindPeriod: 4, unBindPeriod: null });
    await planner.plan(APP.appId, APP.workspaceId, 't1');
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ shardCount: 0, finishedAt: NOW });

    await connect('bound', { userId: 'u1' });
    await broadcast('t2', 1, { pushStatus: 0, bindPeriod: 4, unBindPeriod: null });
    await tasks.revoke('t2', NOW);
    await planner.plan(APP.appId, APP.workspaceId, 't2');
    expect(await producedCount(stream)).toBe(0);
  });
});
