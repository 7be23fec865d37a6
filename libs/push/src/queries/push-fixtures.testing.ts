import type { Device } from '@pushsync/devices';
import type { PushDelivery, PushMessage, RenderedMessage } from '../messages/push-message';
import { deliveryIdOf } from '../messages/push-message';
import { PUSH_STATUS } from '../receipts/push-status';
import type { PushTask } from '../tasks/push-task';

/** Stored push records for the statistics and query specs, as the intake writes them. */
export const APP = { appId: 'ONEX570DA89211721', workspaceId: 'test' };

const RENDERED: RenderedMessage = {
  title: 'Hello',
  content: 'World',
  uri: '',
  action: 0,
  style: 0,
  silent: false,
  extParams: {},
  imageUrls: {},
  iconUrls: {},
  notifyType: null,
  classification: '1',
  liveActivity: null,
  sms: null,
  templateName: '',
};

export function messageFixture(id: string, fields: Partial<PushMessage> = {}): PushMessage {
  const createdAt = fields.createdAt ?? 1_000;
  return {
    _id: id,
    ...APP,
    taskId: 'task-1',
    type: 'SIMPLE',
    msgKey: `key-${id}`,
    deliveryType: 3,
    targetId: 'user-1',
    message: RENDERED,
    occurrenceId: null,
    status: PUSH_STATUS.DEVICE_NOT_ONLINE,
    createdAt,
    expireAt: createdAt + 180_000,
    updatedAt: createdAt,
    ...fields,
  };
}

export function deliveryFixture(message: PushMessage, token: string, fields: Partial<PushDelivery> = {}): PushDelivery {
  return {
    _id: deliveryIdOf(message._id, token),
    appId: message.appId,
    workspaceId: message.workspaceId,
    messageId: message._id,
    token,
    taskId: message.taskId,
    status: PUSH_STATUS.DEVICE_NOT_ONLINE,
    channel: null,
    sends: 0,
    vendorCode: null,
    userId: null,
    createdAt: message.createdAt,
    expireAt: message.expireAt,
    updatedAt: message.createdAt,
    ...fields,
  };
}

export function taskFixture(id: string, fields: Partial<PushTask> = {}): PushTask {
  return {
    _id: id,
    ...APP,
    taskName: `task ${id}`,
    type: 'MULTIPLE',
    deliveryType: 3,
    templateName: 'welcome',
    targetCount: 0,
    pushedCount: 0,
    ackedCount: 0,
    audience: null,
    broadcastMessageId: '',
    createType: 0,
    revokedAt: null,
    createdAt: 1_000,
    expireAt: 181_000,
    finishedAt: null,
    ratePerMinute: null,
    shardPlanId: null,
    shardCount: null,
    shardsDone: 0,
    ...fields,
  };
}

export function deviceFixture(token: string, fields: Partial<Device> = {}): Device {
  return {
    _id: token,
    ...APP,
    platform: 'ANDROID',
    osVersion: '14',
    appVersion: '1.0.0',
    sdkVersion: '1.0.0',
    manufacturer: 'Xiaomi',
    deviceId: '',
    vendorTokens: {},
    userId: null,
    sessionId: null,
    boundAt: null,
    unboundAt: null,
    firstSeenAt: 1_000,
    lastSeenAt: 1_000,
    ...fields,
  };
}
