import type { CreateSyncConfigRequest, EditSyncConfigRequest, ListSyncConfigsReply, ListSyncConfigsRequest, SetSyncConfigStatusRequest, SyncConfigRef, SyncConfigReply, SyncCoreService, SyncConfig as SyncConfigMessage } from '@pushsync/contracts';
import { ValidationError } from '@pushsync/platform';
import { CONFIG_STATUSES, type ConfigStatus, type SyncConfig, type SyncConfigs } from '@pushsync/sync';

type ConfigMethods = Omit<SyncCoreService, 'Status' | 'SendSyncData' | 'QuerySyncStatus'>;

/** The SyncCore configuration RPCs: messages in, the domain's use cases, messages out. */
export function syncConfigMethods(configs: () => SyncConfigs): ConfigMethods {
  const app = (request: { appId: string; workspaceId: string }) => ({ appId: request.appId, workspaceId: request.workspaceId });
  const reply = (config: SyncConfig): SyncConfigReply => ({ config: toMessage(config) });
  return {
    CreateSyncConfig: async (request: CreateSyncConfigRequest) =>
      reply(
        await configs().create(app(request), request.operator, {
          bizType: request.bizType,
          description: request.description,
          pushRange: request.pushRange,
          pushObject: request.pushObject,
          multiDevice: request.multiDevice,
          persistent: request.persistent,
          repushMode: request.repushMode,
          threshold: request.threshold,
          userConsistency: request.userConsistency,
        }),
      ),
    GetSyncConfig: async (request: SyncConfigRef) => reply(await configs().get(app(request), request.bizType)),
    ListSyncConfigs: async (request: ListSyncConfigsRequest): Promise<ListSyncConfigsReply> => ({ configs: (await configs().list(app(request))).map(toMessage) }),
    EditSyncConfig: async (request: EditSyncConfigRequest) =>
      reply(
        await configs().edit(app(request), request.operator, request.bizType, {
          bizType: request.newBizType,
          description: request.description,
          threshold: request.threshold,
          userConsistency: request.userConsistency,
          pushRange: request.pushRange,
          pushObject: request.pushObject,
          multiDevice: request.multiDevice,
          persistent: request.persistent,
          repushMode: request.repushMode,
        }),
      ),
    SetSyncConfigStatus: async (request: SetSyncConfigStatusRequest) => {
      if (!(CONFIG_STATUSES as readonly string[]).includes(request.status)) throw new ValidationError(`status must be one of ${CONFIG_STATUSES.join(', ')}`, 'ARGS_INVALID');
      return reply(await configs().setStatus(app(request), request.operator, request.bizType, request.status as ConfigStatus));
    },
    DeleteSyncConfig: async (request: SyncConfigRef) => reply(await configs().delete(app(request), request.operator, request.bizType)),
  };
}

function toMessage(config: SyncConfig): SyncConfigMessage {
  const message: SyncConfigMessage = {
    appId: config.appId,
    workspaceId: config.workspaceId,
    bizType: config.bizType,
    description: config.description,
    pushRange: config.pushRange,
    pushObject: config.pushObject,
    persistent: config.persistent,
    status: config.status,
    createdAt: config.createdAt,
    updatedAt: config.updatedAt,
    operator: config.operator,
  };
  if (config.multiDevice !== null) message.multiDevice = config.multiDevice;
  if (config.repushMode !== null) message.repushMode = config.repushMode;
  if (config.threshold !== null) message.threshold = config.threshold;
  if (config.userConsistency !== null) message.userConsistency = config.userConsistency;
  return message;
}
