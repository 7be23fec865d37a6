import { CometDelivery, decodeDelivery, Presence } from '@pushsync/comet';
import { DeviceRepository, type DevicePlatform } from '@pushsync/devices';
import { InProcessBus, InProcessKeyValue, SqliteStore, type EmbeddedStream } from '@pushsync/platform';
import { APP, broadcastFixtures, NOW, shardStream } from '../broadcast/broadcast.testing';
import { MessageRepository } from '../messages/message.repository';
import { deviceFixture } from '../queries/push-fixtures.testing';
import type { PushTask } from '../tasks/push-task';
import { TaskRepository } from '../tasks/task.repository';
import { PushDeviceWork, type PushDeviceEvent } from './push-device-work';
import { PushDispatcher } from './push-dispatcher';
import type { PushOutcomes } from './push-outcomes';

describe('PushDeviceWork', () => {
  let store: SqliteStore;
  let keyValue: InProcessKeyValue;
  let bus: InProcessBus;
  let stream: EmbeddedStream;
  let messages: MessageRepository;
  let tasks: TaskRepository;
  let devices: DeviceRepository;
  let work: PushDeviceWork;
  let sent: Array<{ token: string; messageId: string | undefined }>;
  let counted: Array<{ taskId: string; sent: number }>;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    keyValue = new InProcessKeyValue();
    bus = new InProcessBus();
    stream = await shardStream();
    messages = await MessageRepository.open(store);
    tasks = await TaskRepository.open(store);
    devices = await DeviceRepository.open(store);
    sent = [];
    counted = [];
    await bus.subscribe('comet.node.>', ({ data }) => {
      const { header } = decodeDelivery(data);
      for (const token of header.tokens) sent.push({ token, messageId: header.messageId });
    });
    const presence = await Presence.open(keyValue);
    const comet = new CometDelivery(bus, presence);
    const outcomes: PushOutcomes = { pushed: async () => undefined, settled: async () => undefined, reported: async () => undefined };
    const clock = { now: () => NOW };
    const dispatcher = new PushDispatcher(messages, tasks, devices, presence, comet, stream, async () => new Set(), outcomes, clock);
    const counter = { broadcastSent: async (task: PushTask, n: number) => void counted.push({ taskId: task._id, sent: n }) };
    work = new PushDeviceWork(messages, tasks, devices, dispatcher, comet, outcomes, counter, clock);
  });

  afterEach(async () => {
    await bus.close();
    await stream.close();
    await keyValue.close();
    store.close();
  });

  async function broadcast(taskId: string, deliveryType: 1 | 2): Promise<PushTask> {
    const { task, message } = broadcastFixtures(taskId, deliveryType, { pushStatus: 1, bindPeriod: null, unBindPeriod: 4 });
    await messages.insertMessage(message);
    await tasks.insert(task);
    return task;
  }

  async function device(token: string, platform: DevicePlatform, userId: string | null): Promise<void> {
    await devices.insert(deviceFixture(token, { platform, userId, boundAt: userId === null ? null : NOW - 1 }));
  }

  function eventOf(kind: PushDeviceEvent['kind'], token: string, platform: DevicePlatform, userId: string | null, msgId?: string): PushDeviceEvent {
    return { kind, ...APP, token, node: 'node-a', platform, userId, since: NOW, ...(msgId === undefined ? {} : { msgId }) };
  }

  /** What the bus carried to the nodes so far (its subscribers run on a later turn). */
  async function sentTokens(): Promise<Array<{ token: string; messageId: string | undefined }>> {
    await new Promise((resolve) => setImmediate(resolve));
    return sent;
  }

  it('resends an iOS broadcast at connect once per user: not to a device whose user acknowledged it on another device, counting only what it sends', async () => {
    const task = await broadcast('t1', 2);
    await device('ios-u1-a', 'IOS', 'u1');
    await device('ios-u1-b', 'IOS', 'u1');
    await device('ios-u2', 'IOS', 'u2');
    await device('ios-unbound', 'IOS', null);
    await work.handle(eventOf('push-ack', 'ios-u1-a', 'IOS', 'u1', task.broadcastMessageId));

    await work.handle(eventOf('connect', 'ios-u1-b', 'IOS', 'u1'));
    await work.handle(eventOf('connect', 'ios-u1-a', 'IOS', 'u1'));
    await work.handle(eventOf('connect', 'ios-u2', 'IOS', 'u2'));
    await work.handle(eventOf('connect', 'ios-unbound', 'IOS', null));

    expect(await sentTokens()).toEqual([
      { token: 'ios-u2', messageId: task.broadcastMessageId },
      { token: 'ios-unbound', messageId: task.broadcastMessageId },
    ]);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ pushedCount: 2, ackedCount: 1 });
    expect(counted).toEqual([
      { taskId: 't1', sent: 1 },
      { taskId: 't1', sent: 1 },
    ]);
  });

  it('resends an Android broadcast at connect once per device: another device of the same user that acknowledged it does not count', async () => {
    const task = await broadcast('t1', 1);
    await device('android-u1-a', 'ANDROID', 'u1');
    await device('android-u1-b', 'ANDROID', 'u1');
    await work.handle(eventOf('push-ack', 'android-u1-a', 'ANDROID', 'u1', task.broadcastMessageId));

    await work.handle(eventOf('connect', 'android-u1-a', 'ANDROID', 'u1'));
    await work.handle(eventOf('connect', 'android-u1-b', 'ANDROID', 'u1'));

    expect(await sentTokens()).toEqual([{ token: 'android-u1-b', messageId: task.broadcastMessageId }]);
    expect(await tasks.find(APP.appId, APP.workspaceId, 't1')).toMatchObject({ pushedCount: 1, ackedCount: 1 });
  });
});
