import type { Presence } from '@pushsync/comet';
import type { Device, DeviceRepository } from '@pushsync/devices';
import type { MessageRepository } from '../messages/message.repository';
import type { PushDelivery, PushMessage } from '../messages/push-message';
import { invalidParam, PushRuleError } from '../push-codes';
import type { PushType } from '../push-request';
import { PUSH_STATUS_DESCRIPTIONS } from '../receipts/push-status';
import { TASK_LIST_TYPE, type PushTask } from '../tasks/push-task';
import type { TaskRepository } from '../tasks/task.repository';
import { DAY_MS, dayOf, pageOf, queryParameters, requiredTimeOf, textOf, timeOf, type AppRef } from './query-parameters';
import { taskFigures, type TaskFigures } from './task-figures';

/** mps.md §3.13: pageSize defaults to 500, the most it takes. */
export const TASK_LIST_PAGE_SIZE = 500;
/** The console lists: 20 a page by default, at most 100. */
export const CONSOLE_PAGE_SIZE = 20;
export const MAX_CONSOLE_PAGE_SIZE = 100;
/** mps.md §6.1.5: the console shows and finds messages of the last 30 days. */
export const CONSOLE_MESSAGE_DAYS = 30;

const LISTED_TASK_TYPES: PushType[] = ['MULTIPLE', 'BROADCAST'];
/** mps.md §6.1.5: the message list shows simple and template messages; a search finds multiple ones too; broadcasts never. */
const LISTED_MESSAGE_TYPES: PushType[] = ['SIMPLE', 'TEMPLATE'];
const SEARCHED_MESSAGE_TYPES: PushType[] = ['SIMPLE', 'TEMPLATE', 'MULTIPLE'];

export interface TaskListItem {
  taskId: string;
  taskName: string;
  /** Tasks store their template by name, which is unique per app: it stands for the id. */
  templateId: string;
  templateName: string;
  /** 2 multiple, 3 broadcast. */
  type: number;
  gmtCreate: number;
}

export interface MessageItem {
  messageId: string;
  msgKey: string;
  targetId: string;
  type: PushType;
  deliveryType: number;
  taskId: string;
  title: string;
  statusCode: number;
  statusDesc: string;
  /** Creation time + validity: messages waiting (status 0 or 1) are resent until then. */
  expireAt: number;
  createdAt: number;
  /** When the push status last changed. */
  updatedAt: number;
}

export interface DeliveryItem {
  token: string;
  statusCode: number;
  statusDesc: string;
  /** ANDROID (self-built), WEB, IOS (APNs), HMS, MIUI, ...; null before routing. */
  channel: string | null;
  /** Times it was written to a connection. */
  sends: number;
  /** The vendor's own code beside status 5. */
  vendorCode: string | null;
  updatedAt: number;
}

export interface ConsoleTaskItem extends TaskFigures {
  taskId: string;
  taskName: string;
  templateName: string;
  type: PushType;
  /** 0 API, 1 console. */
  createType: number;
  revokedAt: number | null;
}

export interface DeviceStatus {
  /** The id the console shows: the APNs token of an iOS device that has one, else the self-built token. */
  deviceId: string;
  token: string;
  vendorTokens: Record<string, string>;
  platform: string;
  manufacturer: string;
  appVersion: string;
  /** Self-built channel status, from presence (every platform connects to the self-built gateway here, so iOS is not `Unknown`). */
  online: 'Online' | 'Offline';
  userId: string | null;
  boundAt: number | null;
  unboundAt: number | null;
  lastSeenAt: number;
}

export interface Paged<T> {
  total: number;
  pageNumber: number;
  pageSize: number;
  items: T[];
}

/** The push read side: QueryPushAnalysisTaskList (mps.md §3.13) and the console's message list, push details, task list and device status query (§6.1, §6.3, §6.4). */
export class PushQueries {
  public constructor(
    private readonly messageRepository: MessageRepository,
    private readonly taskRepository: TaskRepository,
    private readonly deviceRepository: DeviceRepository,
    private readonly presence: Pick<Presence, 'get'>,
    private readonly clock: { now(): number },
  ) {}

  /** QueryPushAnalysisTaskList: multiple and broadcast tasks created since startTime's UTC day, newest first. */
  public async taskList(app: AppRef, params: Record<string, unknown>, lenient: boolean): Promise<TaskListItem[]> {
    const parameters = queryParameters(params, ['startTime', 'taskId', 'taskName', 'pageNumber', 'pageSize'], lenient);
    const since = dayOf(requiredTimeOf(parameters, 'startTime'));
    const filter = { since, types: LISTED_TASK_TYPES, taskId: textOf(parameters, 'taskId'), taskName: textOf(parameters, 'taskName') };
    const page = pageOf(parameters, TASK_LIST_PAGE_SIZE, TASK_LIST_PAGE_SIZE);
    const tasks = await this.taskRepository.page(app.appId, app.workspaceId, filter, page.skip, page.pageSize);
    return tasks.map((task) => ({
      taskId: task._id,
      taskName: task.taskName,
      templateId: task.templateName,
      templateName: task.templateName,
      type: TASK_LIST_TYPE[task.type]!,
      gmtCreate: task.createdAt,
    }));
  }

  /** The console message list (mps.md §6.1.5): the last 30 days, newest first; simple and template messages, and multiple ones too when searched by target id and/or customer message id; broadcasts never. */
  public async messages(app: AppRef, params: Record<string, unknown>): Promise<Paged<MessageItem>> {
    const parameters = queryParameters(params, ['targetId', 'msgKey', 'pageNumber', 'pageSize'], false);
    const targetId = textOf(parameters, 'targetId');
    const msgKey = textOf(parameters, 'msgKey');
    const types = targetId === undefined && msgKey === undefined ? LISTED_MESSAGE_TYPES : SEARCHED_MESSAGE_TYPES;
    const filter = { since: this.clock.now() - CONSOLE_MESSAGE_DAYS * DAY_MS, types, targetId, msgKey };
    const page = pageOf(parameters, CONSOLE_PAGE_SIZE, MAX_CONSOLE_PAGE_SIZE);
    const [total, messages] = await Promise.all([this.messageRepository.countPage(app.appId, app.workspaceId, filter), this.messageRepository.page(app.appId, app.workspaceId, filter, page.skip, page.pageSize)]);
    return { total, pageNumber: page.pageNumber, pageSize: page.pageSize, items: messages.map(messageItem) };
  }

  /** Push details of one message: its status and each device's. A broadcast is not shown (mps.md §6.1.5), so it answers as unknown. */
  public async message(app: AppRef, params: Record<string, unknown>): Promise<MessageItem & { deliveries: DeliveryItem[] }> {
    const parameters = queryParameters(params, ['messageId'], false);
    const messageId = textOf(parameters, 'messageId');
    if (messageId === undefined) throw invalidParam('messageId: required');
    const message = await this.messageRepository.findMessage(app.appId, app.workspaceId, messageId);
    if (message === null || message.type === 'BROADCAST') throw new PushRuleError('INVALID_PARAM', `messageId ${messageId}: no such message`, 'not-found');
    const deliveries = await this.messageRepository.deliveriesOf(message._id);
    return { ...messageItem(message), deliveries: deliveries.sort((a, b) => a.createdAt - b.createdAt || a.token.localeCompare(b.token)).map(deliveryItem) };
  }

  /** The console push task list (mps.md §6.3): multiple and broadcast tasks, newest first, by task id, name or push start time. */
  public async tasks(app: AppRef, params: Record<string, unknown>): Promise<Paged<ConsoleTaskItem>> {
    const parameters = queryParameters(params, ['taskId', 'taskName', 'startTime', 'pageNumber', 'pageSize'], false);
    const filter = { since: timeOf(parameters, 'startTime') ?? 0, types: LISTED_TASK_TYPES, taskId: textOf(parameters, 'taskId'), taskName: textOf(parameters, 'taskName') };
    const page = pageOf(parameters, CONSOLE_PAGE_SIZE, MAX_CONSOLE_PAGE_SIZE);
    const [total, tasks] = await Promise.all([this.taskRepository.countPage(app.appId, app.workspaceId, filter), this.taskRepository.page(app.appId, app.workspaceId, filter, page.skip, page.pageSize)]);
    const now = this.clock.now();
    return { total, pageNumber: page.pageNumber, pageSize: page.pageSize, items: tasks.map((task) => consoleTaskItem(task, now)) };
  }

  /** The device status query (mps.md §6.4): every device of a user, or the device with this token (or this APNs token). */
  public async deviceStatus(app: AppRef, params: Record<string, unknown>): Promise<{ devices: DeviceStatus[] }> {
    const parameters = queryParameters(params, ['userId', 'deviceId'], false);
    const userId = textOf(parameters, 'userId');
    const deviceId = textOf(parameters, 'deviceId');
    if ((userId === undefined) === (deviceId === undefined)) throw invalidParam('give exactly one of userId and deviceId');
    const devices =
      userId !== undefined
        ? await this.deviceRepository.devicesOfUser(app.workspaceId, app.appId, userId)
        : [(await this.deviceRepository.find(app.workspaceId, app.appId, deviceId!)) ?? (await this.deviceRepository.findByApnsToken(app.workspaceId, app.appId, deviceId!))].filter((device) => device !== null);
    const instanceId = `${app.workspaceId}_${app.appId}`;
    return { devices: await Promise.all(devices.map(async (device) => deviceStatus(device, (await this.presence.get(instanceId, device._id)) !== null))) };
  }
}

function messageItem(message: PushMessage): MessageItem {
  return {
    messageId: message._id,
    msgKey: message.msgKey,
    targetId: message.targetId,
    type: message.type,
    deliveryType: message.deliveryType,
    taskId: message.taskId,
    title: message.message.title,
    statusCode: message.status,
    statusDesc: PUSH_STATUS_DESCRIPTIONS[message.status],
    expireAt: message.expireAt,
    createdAt: message.createdAt,
    updatedAt: message.updatedAt,
  };
}

function deliveryItem(delivery: PushDelivery): DeliveryItem {
  return {
    token: delivery.token,
    statusCode: delivery.status,
    statusDesc: PUSH_STATUS_DESCRIPTIONS[delivery.status],
    channel: delivery.channel,
    sends: delivery.sends,
    vendorCode: delivery.vendorCode,
    updatedAt: delivery.updatedAt,
  };
}

function consoleTaskItem(task: PushTask, now: number): ConsoleTaskItem {
  return {
    taskId: task._id,
    taskName: task.taskName,
    templateName: task.templateName,
    type: task.type,
    createType: task.createType,
    revokedAt: task.revokedAt,
    ...taskFigures(task, now),
  };
}

function deviceStatus(device: Device, online: boolean): DeviceStatus {
  return {
    deviceId: device.platform === 'IOS' && device.vendorTokens.APNS ? device.vendorTokens.APNS : device._id,
    token: device._id,
    vendorTokens: device.vendorTokens,
    platform: device.platform,
    manufacturer: device.manufacturer,
    appVersion: device.appVersion,
    online: online ? 'Online' : 'Offline',
    userId: device.userId,
    boundAt: device.boundAt,
    unboundAt: device.unboundAt,
    lastSeenAt: device.lastSeenAt,
  };
}
