import { DeviceRepository } from '@pushsync/devices';
import { SqliteStore } from '@pushsync/platform';
import { MessageRepository } from '../messages/message.repository';
import type { PushMessage } from '../messages/push-message';
import { PUSH_RESULT_CODES, PushRuleError } from '../push-codes';
import { APP, deliveryFixture, deviceFixture, messageFixture, taskFixture } from '../queries/push-fixtures.testing';
import { formatDuration } from '../queries/task-figures';
import { PUSH_STATUS } from '../receipts/push-status';
import { TaskRepository } from '../tasks/task.repository';
import { PushCounterRepository } from './push-counter.repository';
import { percentOf, PushStatistics } from './push-statistics';

const DAY = 86_400_000;
const DAY_10 = 10 * DAY;

async function refusal(promise: Promise<unknown>): Promise<PushRuleError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PushRuleError);
  return error as PushRuleError;
}

describe('PushStatistics', () => {
  let store: SqliteStore;
  let messages: MessageRepository;
  let tasks: TaskRepository;
  let devices: DeviceRepository;
  let counters: PushCounterRepository;
  let statistics: PushStatistics;
  const clock = { time: DAY_10 + 3_600_000, now: () => clock.time };
  const wholeDay10 = { startTime: DAY_10, endTime: DAY_10 + DAY - 1 };

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    messages = await MessageRepository.open(store);
    tasks = await TaskRepository.open(store);
    devices = await DeviceRepository.open(store);
    counters = await PushCounterRepository.open(store);
    statistics = new PushStatistics(counters, messages, tasks, devices, clock);
    clock.time = DAY_10 + 3_600_000;
  });

  afterEach(() => store.close());

  /** A message to a user's device, sent through `channel`, as the dispatcher records it before calling `pushed`. */
  async function sent(message: PushMessage, token: string, channel: string): Promise<void> {
    await messages.insertMessage(message);
    await messages.insertDelivery(deliveryFixture(message, token, { channel, sends: 1 }));
    await statistics.pushed(message, { token, channel });
  }

  it('counts a first send as pushed and successfully pushed, an ack as an arrival, and the reports', async () => {
    await devices.insert(deviceFixture('tok-a'));
    await devices.insert(deviceFixture('tok-b'));
    const first = messageFixture('m1');
    const second = messageFixture('m2');
    await sent(first, 'tok-a', 'ANDROID');
    await sent(second, 'tok-b', 'ANDROID');
    await statistics.settled(first, 'tok-a', PUSH_STATUS.ACKED, 'ANDROID');
    await statistics.settled(second, '', PUSH_STATUS.EXPIRED, null);
    await statistics.reported(first, 'tok-a', 'OPENED');
    await statistics.reported(first, 'tok-a', 'IGNORED');

    expect(await statistics.coreIndex(APP, wholeDay10, false)).toEqual({ pushTotalNum: 2, pushNum: 2, arrivalNum: 1, openNum: 1, openRate: 100, ignoreNum: 1, ignoreRate: 100 });
  });

  it('attributes platform and channel: device targets by their type, user targets by the event or the device record', async () => {
    await devices.insert(deviceFixture('ios-self-built', { platform: 'IOS' }));
    await devices.insert(deviceFixture('harmony-hms', { platform: 'HARMONY', vendorTokens: { HUAWEI: 'h' } }));
    await devices.insert(deviceFixture('android-miui', { vendorTokens: { XIAOMI: 'x' } }));
    await sent(messageFixture('m1'), 'ios-self-built', 'ANDROID');
    await sent(messageFixture('m2'), 'harmony-hms', 'HMS');
    await sent(messageFixture('m3', { deliveryType: 1, targetId: 'android-miui', type: 'TEMPLATE' }), 'android-miui', 'MIUI');
    await sent(messageFixture('m4', { deliveryType: 8, targetId: 'web-1' }), 'web-1', 'WEB');
    await statistics.settled(messageFixture('m2'), 'harmony-hms', PUSH_STATUS.ACKED, 'HARMONY');

    const pushedOn = async (filter: Record<string, string>) => (await statistics.coreIndex(APP, { ...wholeDay10, ...filter }, false)).pushNum;
    expect(await pushedOn({ platform: 'IOS' })).toBe(1);
    expect(await pushedOn({ platform: 'IOS', channel: 'ANDROID' })).toBe(1);
    expect(await pushedOn({ platform: 'HARMONYOS', channel: 'HMS' })).toBe(1);
    expect(await pushedOn({ platform: 'ANDROID' })).toBe(1);
    expect(await pushedOn({ channel: 'MIUI', type: 'TEMPLATE' })).toBe(1);
    expect(await pushedOn({ channel: 'MIUI', type: 'SIMPLE' })).toBe(0);
    expect(await pushedOn({ platform: 'WEB', channel: 'WEB' })).toBe(1);
    expect(await pushedOn({ channel: 'ANDROID' })).toBe(1);
    expect((await statistics.coreIndex(APP, { ...wholeDay10, platform: 'HARMONYOS', channel: 'HMS' }, false)).arrivalNum).toBe(1);
  });

  it('counts each task apart and all tasks together', async () => {
    await sent(messageFixture('m1', { taskId: 'task-a', deliveryType: 1 }), 'tok-a', 'ANDROID');
    await sent(messageFixture('m2', { taskId: 'task-b', deliveryType: 1 }), 'tok-b', 'ANDROID');
    await sent(messageFixture('m3', { taskId: 'task-b', deliveryType: 1 }), 'tok-c', 'ANDROID');

    expect((await statistics.coreIndex(APP, { ...wholeDay10, taskId: 'task-b' }, false)).pushTotalNum).toBe(2);
    expect((await statistics.coreIndex(APP, { ...wholeDay10, taskId: 'task-a' }, false)).pushTotalNum).toBe(1);
    expect((await statistics.coreIndex(APP, { ...wholeDay10, taskId: 'task-none' }, false)).pushTotalNum).toBe(0);
    expect((await statistics.coreIndex(APP, wholeDay10, false)).pushTotalNum).toBe(3);
  });

  it('counts a broadcast from the devices the nodes wrote it to', async () => {
    await statistics.broadcastSent({ _id: 'bc-1', ...APP, deliveryType: 8 }, 40);
    await statistics.broadcastSent({ _id: 'bc-2', ...APP, deliveryType: 7 }, 2);

    expect(await statistics.coreIndex(APP, { ...wholeDay10, type: 'BROADCAST', platform: 'WEB', channel: 'WEB' }, false)).toMatchObject({ pushTotalNum: 40, pushNum: 40 });
    expect(await statistics.coreIndex(APP, { ...wholeDay10, taskId: 'bc-2', platform: 'HARMONYOS', channel: 'ANDROID' }, false)).toMatchObject({ pushTotalNum: 2 });
  });

  it('answers whole UTC days: startTime and endTime anywhere in a day take all of it', async () => {
    await sent(messageFixture('m1', { deliveryType: 1 }), 'tok-a', 'ANDROID');
    clock.time = DAY_10 + DAY + 5;
    await sent(messageFixture('m2', { deliveryType: 1 }), 'tok-b', 'ANDROID');

    const pushed = async (startTime: number, endTime: number) => (await statistics.coreIndex(APP, { startTime, endTime }, false)).pushTotalNum;
    expect(await pushed(DAY_10 + DAY - 1, DAY_10 + DAY - 1)).toBe(1);
    expect(await pushed(DAY_10 + DAY - 1, DAY_10 + DAY)).toBe(2);
    expect(await pushed(DAY_10 + DAY + 10, DAY_10 + 2 * DAY)).toBe(1);
    expect(await pushed(0, DAY_10 - 1)).toBe(0);
    expect(await statistics.coreIndex({ ...APP, appId: 'OTHER' }, { startTime: 0, endTime: DAY_10 + 2 * DAY }, false)).toMatchObject({ pushTotalNum: 0 });
  });

  it('refuses a range over 90 days with 3028 naming the rule', async () => {
    await expect(statistics.coreIndex(APP, { startTime: 0, endTime: 90 * DAY }, false)).resolves.toMatchObject({ pushTotalNum: 0 });
    const error = await refusal(statistics.coreIndex(APP, { startTime: 0, endTime: 90 * DAY + 1 }, false));
    expect(error.numericCode).toBe(PUSH_RESULT_CODES.INVALID_PARAM);
    expect(error.message).toMatch(/must not exceed 90 days/);
    expect((await refusal(statistics.coreIndex(APP, { startTime: DAY, endTime: 0 }, false))).message).toMatch(/endTime/);
  });

  it('refuses missing times, unknown values and, when strict, unknown or text-typed parameters', async () => {
    expect((await refusal(statistics.coreIndex(APP, { endTime: DAY }, false))).message).toMatch(/startTime: required/);
    expect((await refusal(statistics.coreIndex(APP, { startTime: 0 }, false))).message).toMatch(/endTime: required/);
    expect((await refusal(statistics.coreIndex(APP, { startTime: -1, endTime: DAY }, false))).message).toMatch(/startTime/);
    expect((await refusal(statistics.coreIndex(APP, { ...wholeDay10, platform: 'SYMBIAN' }, false))).message).toMatch(/platform: must be one of IOS, ANDROID, HARMONYOS, WEB/);
    expect((await refusal(statistics.coreIndex(APP, { ...wholeDay10, channel: 'APNS' }, false))).message).toMatch(/channel/);
    expect((await refusal(statistics.coreIndex(APP, { ...wholeDay10, type: 'SINGLE' }, false))).message).toMatch(/type/);
    expect((await refusal(statistics.coreIndex(APP, { ...wholeDay10, version: '1.0' }, false))).message).toMatch(/version: unknown parameter/);
    expect((await refusal(statistics.coreIndex(APP, { startTime: String(DAY_10), endTime: DAY_10 }, false))).message).toMatch(/startTime: must be a JSON number/);
    expect((await refusal(statistics.coreIndex(APP, { StartTime: DAY_10, endTime: DAY_10 }, false))).message).toMatch(/StartTime: unknown parameter/);
    expect((await refusal(statistics.coreIndex(APP, { startTime: 'soon', endTime: DAY_10 }, true))).message).toMatch(/startTime/);
  });

  it('reads the mPaaS RPC face leniently: UpperCamel names, numbers as text, empty strings as absent', async () => {
    await sent(messageFixture('m1', { deliveryType: 2 }), 'tok-a', 'IOS');
    const index = await statistics.coreIndex(APP, { AppId: APP.appId, WorkspaceId: APP.workspaceId, StartTime: String(DAY_10), EndTime: String(DAY_10), Platform: 'IOS', Channel: '', Version: '1' }, true);
    expect(index).toMatchObject({ pushTotalNum: 1, pushNum: 1 });
  });

  it('rates opens and ignores per arrival, in percent to 2 decimals', async () => {
    expect(percentOf(1, 3)).toBe(33.33);
    expect(percentOf(2, 3)).toBe(66.67);
    expect(percentOf(5, 0)).toBe(0);
    for (const token of ['a', 'b', 'c']) {
      const message = messageFixture(`m-${token}`, { deliveryType: 1 });
      await sent(message, token, 'ANDROID');
      await statistics.settled(message, token, PUSH_STATUS.ACKED, 'ANDROID');
      if (token === 'a') await statistics.reported(message, token, 'OPENED');
    }
    expect(await statistics.coreIndex(APP, wholeDay10, false)).toMatchObject({ arrivalNum: 3, openNum: 1, openRate: 33.33, ignoreNum: 0, ignoreRate: 0 });
  });

  it('counts concurrent first increments of one bucket', async () => {
    const message = messageFixture('m1', { deliveryType: 1 });
    await Promise.all(Array.from({ length: 8 }, (_, index) => statistics.pushed(message, { token: `tok-${index}`, channel: 'ANDROID' })));
    expect((await statistics.coreIndex(APP, wholeDay10, false)).pushTotalNum).toBe(8);
  });

  describe('task detail', () => {
    it('shows the task counts, its start and end and the duration between them', async () => {
      await tasks.insert(taskFixture('t1', { targetCount: 10, pushedCount: 9, ackedCount: 7, createdAt: 1_630_052_735_000, finishedAt: 1_630_052_831_000 }));
      expect(await statistics.taskDetail(APP, { taskId: 't1' }, false)).toEqual({
        taskId: 't1',
        pushNum: 10,
        pushSuccessNum: 9,
        pushArrivalNum: 7,
        startTime: 1_630_052_735_000,
        endTime: 1_630_052_831_000,
        duration: '00 hour 01 minute 36 seconds',
      });
    });

    it('counts a broadcast by the devices it was written to, and a running task up to now', async () => {
      await tasks.insert(taskFixture('b1', { type: 'BROADCAST', pushedCount: 50, ackedCount: 20, createdAt: clock.time - 3_725_000, finishedAt: null }));
      expect(await statistics.taskDetail(APP, { TaskId: 'b1' }, true)).toMatchObject({ pushNum: 50, pushSuccessNum: 50, pushArrivalNum: 20, endTime: null, duration: '01 hour 02 minute 05 seconds' });
    });

    it('answers an unknown or missing task with 3028', async () => {
      await tasks.insert(taskFixture('t1', { appId: 'OTHER' }));
      const unknown = await refusal(statistics.taskDetail(APP, { taskId: 't1' }, false));
      expect({ code: unknown.numericCode, kind: unknown.kind }).toEqual({ code: PUSH_RESULT_CODES.INVALID_PARAM, kind: 'not-found' });
      expect((await refusal(statistics.taskDetail(APP, {}, false))).message).toMatch(/taskId: required/);
    });

    it('formats durations as hours, minutes and seconds', () => {
      expect(formatDuration(0)).toBe('00 hour 00 minute 00 seconds');
      expect(formatDuration(59_999)).toBe('00 hour 00 minute 59 seconds');
      expect(formatDuration(36 * 3_600_000 + 61_000)).toBe('36 hour 01 minute 01 seconds');
    });
  });
});
