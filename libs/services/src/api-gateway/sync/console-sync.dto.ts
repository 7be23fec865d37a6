import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { QuerySyncStatusReply, SendSyncDataRequest, SyncConfig } from '@pushsync/contracts';
import { ValidationError } from '@pushsync/platform';

const CONSOLE_SYSTEMS = ['ANDROID', 'IOS', 'HARMONYOS', 'WEB'] as const;
const DAY_MS = 86_400_000;

/** The console's New Sync form (mss.md §5.3, DECISIONS D3 "Console New Sync"). */
export const NewSyncBody = z.strictObject({
  bizType: z.string().describe('The published configuration to send on'),
  linkToken: z.string().optional().describe('User ID or Device ID: required for SPECIFY configurations, refused for GLOBAL ones'),
  payload: z.string().describe('Data content (text)'),
  thirdMsgId: z.string().optional().describe('Data unique ID; blank -> a generated UUID. A repeated one answers DUPLICATED_BIZ_ID'),
  systems: z.array(z.enum(CONSOLE_SYSTEMS)).optional().describe('Receiving platforms; all or none = every platform'),
  appMinVersion: z.string().optional().describe('Version interval: lowest client version'),
  appMaxVersion: z.string().optional().describe('Version interval: highest client version'),
  validityDays: z.number().int().min(1).max(30).default(30).describe('Validity period in days, 1-30, default 30'),
});
export type NewSyncFields = z.infer<typeof NewSyncBody>;

/** The order a New Sync form makes on `config`; the thirdMsgId is generated when left blank. */
export function newSyncRequest(app: { appId: string; workspaceId: string }, operator: string, config: SyncConfig, body: NewSyncFields, now: number): SendSyncDataRequest {
  const global = config.pushRange === 'GLOBAL';
  if (global && body.linkToken !== undefined && body.linkToken.trim() !== '') {
    throw new ValidationError(`linkToken: ${config.bizType} is a GLOBAL configuration, it sends to every user or device`, 'ARGS_INVALID');
  }
  const systems = new Set(body.systems ?? []);
  const request: SendSyncDataRequest = {
    ...app,
    scope: global ? 'GLOBAL' : 'SINGLE',
    operator,
    fromConsole: true,
    bizType: body.bizType,
    payload: body.payload,
    thirdMsgId: body.thirdMsgId === undefined || body.thirdMsgId.trim() === '' ? randomUUID() : body.thirdMsgId,
    validTimeEnd: String(now + body.validityDays * DAY_MS),
  };
  if (!global && body.linkToken !== undefined) request.linkToken = body.linkToken;
  if (systems.size > 0 && systems.size < CONSOLE_SYSTEMS.length) request.osType = [...systems].join(',');
  if (body.appMinVersion !== undefined && body.appMinVersion !== '') request.appMinVersion = body.appMinVersion;
  if (body.appMaxVersion !== undefined && body.appMaxVersion !== '') request.appMaxVersion = body.appMaxVersion;
  return request;
}

/** The console's User/Device Status Query: exactly one of userId and deviceToken. */
export const SyncStatusQueryParams = z
  .strictObject({
    userId: z.string().min(1).max(100).optional(),
    deviceToken: z.string().min(1).max(100).optional(),
  })
  .refine((query) => (query.userId === undefined) !== (query.deviceToken === undefined), { message: 'give exactly one of userId and deviceToken', path: ['userId'] });

export function syncStatusView(reply: QuerySyncStatusReply) {
  return {
    target: { type: reply.targetType, id: reply.targetId },
    connected: reply.connected,
    connectedDevices: reply.connectedDevices,
    pushes30d: reply.pushes,
    arrivals30d: reply.arrivals,
    pushList: reply.pushList.map((entry) => ({
      bizType: entry.bizType,
      key: entry.key,
      oplogId: entry.oplogId,
      thirdMsgId: entry.thirdMsgId ?? null,
      status: entry.status,
      sentAt: entry.sentAt === undefined ? null : new Date(entry.sentAt).toISOString(),
      device: entry.device ?? null,
      createdAt: new Date(entry.createdAt).toISOString(),
    })),
  };
}
