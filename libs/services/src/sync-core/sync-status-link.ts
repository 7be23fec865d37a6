import type { QuerySyncStatusReply, QuerySyncStatusRequest, SyncPushEntry } from '@pushsync/contracts';
import { ValidationError } from '@pushsync/platform';
import { AppNotFoundError, type TenantAppRepository } from '@pushsync/tenancy';
import type { PushListEntry, StatusTargetType, SyncConfigRepository, SyncStatusQuery } from '@pushsync/sync';

const TARGET_TYPES: readonly string[] = ['USER', 'DEVICE'];

/** The QuerySyncStatus RPC: the console's User/Device Status Query answered from sync-core's own data. */
export function syncStatusMethods(query: () => SyncStatusQuery, configs: () => SyncConfigRepository, apps: () => TenantAppRepository) {
  return {
    QuerySyncStatus: async (request: QuerySyncStatusRequest): Promise<QuerySyncStatusReply> => {
      if (!TARGET_TYPES.includes(request.targetType)) throw new ValidationError(`targetType must be USER or DEVICE, got ${JSON.stringify(request.targetType)}`, 'ARGS_INVALID');
      if (request.targetId === '') throw new ValidationError('targetId is required', 'ARGS_IS_NULL');
      const app = await apps().find(request.workspaceId, request.appId);
      if (app === null) throw new AppNotFoundError(`${request.workspaceId}_${request.appId}`);
      const status = await query().query({ instanceId: app._id, configs: await configs().list(app.workspaceId, app.appId) }, request.targetType as StatusTargetType, request.targetId);
      return {
        targetType: status.target.type,
        targetId: status.target.id,
        connected: status.connected,
        connectedDevices: status.connectedDevices,
        pushes: status.pushes,
        arrivals: status.arrivals,
        pushList: status.pushList.map(toMessage),
      };
    },
  };
}

function toMessage(entry: PushListEntry): SyncPushEntry {
  const message: SyncPushEntry = { bizType: entry.bizType, key: entry.key, oplogId: entry.oplogId, status: entry.status, createdAt: entry.createdAt };
  if (entry.thirdMsgId !== null) message.thirdMsgId = entry.thirdMsgId;
  if (entry.sentAt !== null) message.sentAt = entry.sentAt;
  if (entry.device !== null) message.device = entry.device;
  return message;
}
