import type { SendSyncDataReply, SendSyncDataRequest } from '@pushsync/contracts';
import { ValidationError } from '@pushsync/platform';
import { AppNotFoundError, instanceIdOf, type TenantApp } from '@pushsync/tenancy';
import type { OrderIntake, SyncScope } from '@pushsync/sync';

const SCOPES: readonly string[] = ['SINGLE', 'GLOBAL'];

/** The SendSyncData RPC: the message in, the intake's accept path, the outcome out. `apps` may answer from a short cache (api-gateway has just checked the app). */
export function syncDataMethods(intake: () => OrderIntake, apps: { find(workspaceId: string, appId: string): Promise<TenantApp | null> }) {
  return {
    SendSyncData: async (request: SendSyncDataRequest): Promise<SendSyncDataReply> => {
      if (!SCOPES.includes(request.scope)) throw new ValidationError(`scope must be SINGLE or GLOBAL, got ${JSON.stringify(request.scope)}`, 'ARGS_INVALID');
      const app = await apps.find(request.workspaceId, request.appId);
      if (app === null) throw new AppNotFoundError(instanceIdOf(request.workspaceId, request.appId));
      const { appId: _appId, workspaceId: _workspaceId, scope, operator, fromConsole, ...fields } = request;
      const code = await intake().accept({ appId: app.appId, workspaceId: app.workspaceId, instanceId: app._id, retentionDays: app.retentionDays }, scope as SyncScope, fields, { id: operator, fromConsole });
      return { code };
    },
  };
}
