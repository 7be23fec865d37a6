import { Presence } from '@pushsync/comet';
import { DeviceRepository } from '@pushsync/devices';
import { InProcessKeyValue, SqliteStore } from '@pushsync/platform';
import { MessageRepository } from '../messages/message.repository';
import { PUSH_RESULT_CODES, PushRuleError } from '../push-codes';
import { PUSH_STATUS } from '../receipts/push-status';
import { TaskRepository } from '../tasks/task.repository';
import { APP, deliveryFixture, deviceFixture, messageFixture, taskFixture } from './push-fixtures.testing';
import { PushQueries } from './push-queries';

const DAY = 86_400_000;
const NOW = 100 * DAY + 12 * 3_600_000;
const INSTANCE_ID = `${APP.workspaceId}_${APP.appId}`;

async function refusal(promise: Promise<unknown>): Promise<PushRuleError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PushRuleError);
  return error as PushRuleError;
}

describe('PushQueries', () => {
  let store: SqliteStore;
  let messages: MessageRepository;
  let tasks: TaskRepository;
  let devices: DeviceRepository;
  let presence: Presence;
  let queries: PushQueries;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    messages = await MessageRepository.open(store);
    tasks = await TaskRepository.open(store);
    devices = await DeviceRepository.open(store);
    presence = await Presence.open(new InProcessKeyValue());
    queries = new PushQueries(messages, tasks, devices, presence, { now: () => NOW });
  });

  afterEach(() => store.close());

  describe('QueryPushAnalysisTaskList', () => {
    beforeEach(async () => {
      await tasks.insert(taskFixture('multi-old', { createdAt: 10 * DAY - 1 }));
      await tasks.insert(taskFixture('multi-day10', { createdAt: 10 * DAY + 5, taskName: 'spring sale' }));
      await tasks.insert(taskFixture('broadcast', { type: 'BROADCAST', deliveryType: 1, createdAt: 20 * DAY }));
      await tasks.insert(taskFixture('simple', { type: 'SIMPLE', templateName: '', createdAt: 30 * DAY }));
      await tasks.insert(taskFixture('template', { type: 'TEMPLATE', createdAt: 30 * DAY }));
      await tasks.insert(taskFixture('other-app', { appId: 'OTHER', createdAt: 30 * DAY }));
    });

    it('lists the multiple and broadcast tasks created since startTime’s day, newest first', async () => {
      expect(await queries.taskList(APP, { startTime: 10 * DAY + 3_600_000 }, false)).toEqual([
        { taskId: 'broadcast', taskName: 'task broadcast', templateId: 'welcome', templateName: 'welcome', type: 3, gmtCreate: 20 * DAY },
        { taskId: 'multi-day10', taskName: 'spring sale', templateId: 'welcome', templateName: 'welcome', type: 2, gmtCreate: 10 * DAY + 5 },
      ]);
      expect((await queries.taskList(APP, { startTime: 0 }, false)).map((task) => task.taskId)).toEqual(['broadcast', 'multi-day10', 'multi-old']);
    });

    it('filters by task id and task name', async () => {
      expect((await queries.taskList(APP, { startTime: 0, taskId: 'multi-old' }, false)).map((task) => task.taskId)).toEqual(['multi-old']);
      expect((await queries.taskList(APP, { startTime: 0, taskName: 'spring sale' }, false)).map((task) => task.taskId)).toEqual(['multi-day10']);
      expect(await queries.taskList(APP, { startTime: 0, taskId: 'simple' }, false)).toEqual([]);
    });

    it('pages: pageNumber from 1, pageSize up to 500', async () => {
      expect((await queries.taskList(APP, { startTime: 0, pageSize: 2 }, false)).map((task) => task.taskId)).toEqual(['broadcast', 'multi-day10']);
      expect((await queries.taskList(APP, { startTime: 0, pageSize: 2, pageNumber: 2 }, false)).map((task) => task.taskId)).toEqual(['multi-old']);
      expect(await queries.taskList(APP, { startTime: 0, pageSize: 500, pageNumber: 3 }, false)).toEqual([]);
      expect((await refusal(queries.taskList(APP, { startTime: 0, pageSize: 501 }, false))).message).toMatch(/pageSize: must be an integer from 1 to 500/);
      expect((await refusal(queries.taskList(APP, { startTime: 0, pageNumber: 0 }, false))).message).toMatch(/pageNumber/);
    });

    it('takes 500 a page by default', async () => {
      for (let index = 0; index < 501; index++) await tasks.insert(taskFixture(`bulk-${String(index).padStart(3, '0')}`, { createdAt: 40 * DAY + index }));
      expect(await queries.taskList(APP, { startTime: 40 * DAY }, false)).toHaveLength(500);
      expect((await queries.taskList(APP, { startTime: 40 * DAY, pageNumber: 2 }, false)).map((task) => task.taskId)).toEqual(['bulk-000']);
    });

    it('requires startTime; strict refuses other names, lenient reads the RPC face', async () => {
      const missing = await refusal(queries.taskList(APP, {}, false));
      expect({ code: missing.numericCode, message: missing.message }).toEqual({ code: PUSH_RESULT_CODES.INVALID_PARAM, message: 'startTime: required' });
      expect((await refusal(queries.taskList(APP, { startTime: 0, PageSize: 2 }, false))).message).toMatch(/PageSize: unknown parameter/);
      expect((await queries.taskList(APP, { AppId: APP.appId, StartTime: '0', PageSize: '1', PageNumber: '2', TaskName: '' }, true)).map((task) => task.taskId)).toEqual(['multi-day10']);
    });
  });

  describe('console message list', () => {
    beforeEach(async () => {
      await messages.insertMessage(messageFixture('recent-simple', { createdAt: NOW - DAY, targetId: 'user-1', msgKey: 'order-1' }));
      await messages.insertMessage(messageFixture('recent-template', { type: 'TEMPLATE', createdAt: NOW - 2 * DAY, targetId: 'user-2', msgKey: 'order-1' }));
      await messages.insertMessage(messageFixture('recent-multiple', { type: 'MULTIPLE', createdAt: NOW - 3 * DAY, targetId: 'user-1', msgKey: 'order-2' }));
      await messages.insertMessage(messageFixture('broadcast', { type: 'BROADCAST', deliveryType: 1, targetId: '', createdAt: NOW - DAY + 1, msgKey: 'order-1' }));
      await messages.insertMessage(messageFixture('too-old', { createdAt: NOW - 30 * DAY - 1, targetId: 'user-1', msgKey: 'order-1' }));
      await messages.insertMessage(messageFixture('other-app', { appId: 'OTHER', createdAt: NOW - DAY }));
    });

    it('lists the simple and template messages of the last 30 days newest first, not multiple ones or broadcasts, with status, expiry and times', async () => {
      const list = await queries.messages(APP, {});
      expect({ ...list, items: list.items.map((item) => item.messageId) }).toEqual({ total: 2, pageNumber: 1, pageSize: 20, items: ['recent-simple', 'recent-template'] });
      expect(list.items[0]).toEqual({
        messageId: 'recent-simple',
        msgKey: 'order-1',
        targetId: 'user-1',
        type: 'SIMPLE',
        deliveryType: 3,
        taskId: 'task-1',
        title: 'Hello',
        statusCode: PUSH_STATUS.DEVICE_NOT_ONLINE,
        statusDesc: 'DeviceNotOnlineOrNoResponse',
        expireAt: NOW - DAY + 180_000,
        createdAt: NOW - DAY,
        updatedAt: NOW - DAY,
      });
    });

    it('searches by target id and customer message id, finding multiple messages too but never broadcasts, the total counting what is found', async () => {
      const found = async (params: Record<string, unknown>) => {
        const list = await queries.messages(APP, params);
        return { total: list.total, items: list.items.map((item) => item.messageId) };
      };
      expect(await found({ targetId: 'user-1', msgKey: 'order-1' })).toEqual({ total: 1, items: ['recent-simple'] });
      expect(await found({ targetId: 'user-1', msgKey: 'order-2' })).toEqual({ total: 1, items: ['recent-multiple'] });
      expect(await found({ targetId: 'user-1' })).toEqual({ total: 2, items: ['recent-simple', 'recent-multiple'] });
      expect(await found({ msgKey: 'order-2' })).toEqual({ total: 1, items: ['recent-multiple'] });
      expect(await found({ msgKey: 'order-1' })).toEqual({ total: 2, items: ['recent-simple', 'recent-template'] });
      expect(await found({ targetId: 'user-9', msgKey: 'order-1' })).toEqual({ total: 0, items: [] });
    });

    it('pages, and refuses unknown parameters and page sizes over 100', async () => {
      const second = await queries.messages(APP, { pageNumber: 2, pageSize: 1 });
      expect({ total: second.total, items: second.items.map((item) => item.messageId) }).toEqual({ total: 2, items: ['recent-template'] });
      expect((await refusal(queries.messages(APP, { pageSize: 101 }))).message).toMatch(/pageSize/);
      expect((await refusal(queries.messages(APP, { target: 'user-1' }))).message).toMatch(/target: unknown parameter/);
    });
  });

  describe('console push details', () => {
    it('shows the message and each device’s status, channel and sends', async () => {
      const message = messageFixture('m1', { status: PUSH_STATUS.ACKED, updatedAt: 5_000 });
      await messages.insertMessage(message);
      await messages.insertDelivery(deliveryFixture(message, 'tok-b', { status: PUSH_STATUS.FAILED, channel: 'HMS', sends: 1, vendorCode: '80300007', updatedAt: 4_000 }));
      await messages.insertDelivery(deliveryFixture(message, 'tok-a', { status: PUSH_STATUS.ACKED, channel: 'ANDROID', sends: 2, updatedAt: 5_000 }));

      const details = await queries.message(APP, { messageId: 'm1' });
      expect(details).toMatchObject({ messageId: 'm1', statusCode: 2, statusDesc: 'Acked', updatedAt: 5_000 });
      expect(details.deliveries).toEqual([
        { token: 'tok-a', statusCode: 2, statusDesc: 'Acked', channel: 'ANDROID', sends: 2, vendorCode: null, updatedAt: 5_000 },
        { token: 'tok-b', statusCode: 5, statusDesc: 'Failed', channel: 'HMS', sends: 1, vendorCode: '80300007', updatedAt: 4_000 },
      ]);
    });

    it('answers an unknown message, another app’s or a broadcast as not found', async () => {
      await messages.insertMessage(messageFixture('theirs', { appId: 'OTHER' }));
      await messages.insertMessage(messageFixture('broadcast', { type: 'BROADCAST' }));
      for (const messageId of ['none', 'theirs', 'broadcast']) {
        const error = await refusal(queries.message(APP, { messageId }));
        expect({ code: error.numericCode, kind: error.kind }).toEqual({ code: PUSH_RESULT_CODES.INVALID_PARAM, kind: 'not-found' });
      }
      expect((await refusal(queries.message(APP, {}))).message).toMatch(/messageId: required/);
    });
  });

  describe('console task list', () => {
    it('lists multiple and broadcast tasks with their counts and duration, by id, name or start time', async () => {
      await tasks.insert(taskFixture('m1', { targetCount: 3, pushedCount: 3, ackedCount: 1, createdAt: 10 * DAY, finishedAt: 10 * DAY + 61_000, createType: 1 }));
      await tasks.insert(taskFixture('b1', { type: 'BROADCAST', deliveryType: 2, pushedCount: 7, ackedCount: 5, createdAt: 20 * DAY, finishedAt: null }));
      await tasks.insert(taskFixture('s1', { type: 'SIMPLE', createdAt: 30 * DAY }));

      const list = await queries.tasks(APP, {});
      expect(list).toMatchObject({ total: 2, pageNumber: 1, pageSize: 20 });
      expect(list.items).toEqual([
        { taskId: 'b1', taskName: 'task b1', templateName: 'welcome', type: 'BROADCAST', createType: 0, revokedAt: null, pushNum: 7, pushSuccessNum: 7, pushArrivalNum: 5, startTime: 20 * DAY, endTime: null, duration: '1932 hour 00 minute 00 seconds' },
        { taskId: 'm1', taskName: 'task m1', templateName: 'welcome', type: 'MULTIPLE', createType: 1, revokedAt: null, pushNum: 3, pushSuccessNum: 3, pushArrivalNum: 1, startTime: 10 * DAY, endTime: 10 * DAY + 61_000, duration: '00 hour 01 minute 01 seconds' },
      ]);
      expect((await queries.tasks(APP, { taskId: 'm1' })).items.map((task) => task.taskId)).toEqual(['m1']);
      expect((await queries.tasks(APP, { taskName: 'task b1' })).items.map((task) => task.taskId)).toEqual(['b1']);
      expect((await queries.tasks(APP, { startTime: 10 * DAY + 1 })).items.map((task) => task.taskId)).toEqual(['b1']);
      expect((await queries.tasks(APP, { pageSize: 1, pageNumber: 2 })).items.map((task) => task.taskId)).toEqual(['m1']);
    });
  });

  describe('device status query', () => {
    beforeEach(async () => {
      await devices.insert(deviceFixture('android-1', { userId: 'alice', boundAt: 2_000, manufacturer: 'HUAWEI', vendorTokens: { HUAWEI: 'hms-token' }, lastSeenAt: 9_000 }));
      await devices.insert(deviceFixture('iphone-1', { platform: 'IOS', userId: 'alice', boundAt: 3_000, manufacturer: 'Apple', vendorTokens: { APNS: 'apns-hex' } }));
      await devices.insert(deviceFixture('web-1', { platform: 'WEB', userId: 'bob', boundAt: 1_000, unboundAt: 4_000 }));
      await devices.insert(deviceFixture('theirs', { appId: 'OTHER', userId: 'alice' }));
      await presence.put(INSTANCE_ID, 'android-1', { node: 'n1', connectionId: 'c1', platform: 'ANDROID', appVersion: '1.0.0', userId: 'alice', since: 1 });
    });

    it('returns every device of a user with tokens, platform, manufacturer, binding and presence', async () => {
      const { devices: found } = await queries.deviceStatus(APP, { userId: 'alice' });
      expect(found.sort((a, b) => a.token.localeCompare(b.token))).toEqual([
        { deviceId: 'android-1', token: 'android-1', vendorTokens: { HUAWEI: 'hms-token' }, platform: 'ANDROID', manufacturer: 'HUAWEI', appVersion: '1.0.0', online: 'Online', userId: 'alice', boundAt: 2_000, unboundAt: null, lastSeenAt: 9_000 },
        { deviceId: 'apns-hex', token: 'iphone-1', vendorTokens: { APNS: 'apns-hex' }, platform: 'IOS', manufacturer: 'Apple', appVersion: '1.0.0', online: 'Offline', userId: 'alice', boundAt: 3_000, unboundAt: null, lastSeenAt: 1_000 },
      ]);
    });

    it('finds a device by its token or by its APNs token', async () => {
      expect((await queries.deviceStatus(APP, { deviceId: 'web-1' })).devices).toMatchObject([{ token: 'web-1', userId: 'bob', boundAt: 1_000, unboundAt: 4_000, online: 'Offline' }]);
      expect((await queries.deviceStatus(APP, { deviceId: 'apns-hex' })).devices).toMatchObject([{ token: 'iphone-1' }]);
      expect(await queries.deviceStatus(APP, { deviceId: 'theirs' })).toEqual({ devices: [] });
      expect(await queries.deviceStatus(APP, { userId: 'nobody' })).toEqual({ devices: [] });
    });

    it('wants exactly one of userId and deviceId', async () => {
      expect((await refusal(queries.deviceStatus(APP, {}))).message).toMatch(/exactly one of userId and deviceId/);
      expect((await refusal(queries.deviceStatus(APP, { userId: 'alice', deviceId: 'web-1' }))).message).toMatch(/exactly one/);
    });
  });
});
