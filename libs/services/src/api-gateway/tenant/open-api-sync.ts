import { SYNC_CORE } from '@pushsync/contracts';
import type { ServiceLinks } from '@pushsync/platform';
import type { SyncScope } from '@pushsync/sync';
import { FIELDS_OF_SCOPE, sendSyncDataRequest, type SyncDataFields } from '../sync/sync-data.dto';
import type { TenantContext } from './tenant-context';

/** The MSS actions of the mPaaS OpenAPI (mss.md §3.1 a). */
const SCOPE_OF_ACTION: Record<string, SyncScope> = { CreateOpenSingleData: 'SINGLE', CreateOpenGlobalData: 'GLOBAL' };

export function isSyncDataAction(action: string | undefined): boolean {
  return action !== undefined && action in SCOPE_OF_ACTION;
}

/**
 * The action's parameters, by their SDK name (`BizType`) or lowerCamel (`bizType`); parameters the
 * action does not have (the SDK's `TenantId`, `ExtAttrStr`, `CheckOnline`, a `Uids` on the single
 * action, ...) are ignored, as the real service does.
 */
export function syncDataFieldsOf(scope: SyncScope, parameters: Record<string, string>): SyncDataFields {
  return Object.fromEntries(
    FIELDS_OF_SCOPE[scope].map((field) => [field, parameters[field[0].toUpperCase() + field.slice(1)] ?? parameters[field]]).filter(([, value]) => value !== undefined),
  );
}

/**
 * The handlers of CreateOpenSingleData and CreateOpenGlobalData. `ResultCode` carries the MSS code
 * and `Result` the success flag, as in the SDK's CreateOpen*DataResponseBody
 * (RequestId, Result, ResultCode, ResultMessage).
 */
export function syncDataActions(links: ServiceLinks): Record<string, (tenant: TenantContext, parameters: Record<string, string>) => Promise<Record<string, unknown>>> {
  return Object.fromEntries(
    Object.entries(SCOPE_OF_ACTION).map(([action, scope]) => [
      action,
      async (tenant: TenantContext, parameters: Record<string, string>) => {
        const reply = await links.client(SYNC_CORE).SendSyncData(sendSyncDataRequest(tenant, scope, syncDataFieldsOf(scope, parameters)));
        return { ResultCode: reply.code, Result: true };
      },
    ]),
  );
}
