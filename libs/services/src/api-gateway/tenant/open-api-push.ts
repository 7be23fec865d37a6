import { PUSH_CORE } from '@pushsync/contracts';
import type { ServiceLinks } from '@pushsync/platform';
import { PushApiClosedError } from './push-api.guard';
import { operatorOf, type TenantContext } from './tenant-context';

/** The 11 push actions of mps.md §3.0 and how each answers on the mPaaS face (DECISIONS D2). */
const PUSH_ACTIONS: Record<string, 'push' | 'revoke' | 'query' | 'cancel'> = {
  PushSimple: 'push',
  PushTemplate: 'push',
  PushMultiple: 'push',
  PushBroadcast: 'push',
  RevokePushMessage: 'revoke',
  RevokePushTask: 'revoke',
  QueryPushAnalysisCoreIndex: 'query',
  QueryPushAnalysisTaskList: 'query',
  QueryPushAnalysisTaskDetail: 'query',
  QueryPushSchedulerList: 'query',
  CancelPushScheduler: 'cancel',
};

export function isPushAction(action: string | undefined): boolean {
  return action !== undefined && action in PUSH_ACTIONS;
}

/** Envelope fields a refused push or revoke adds beside ResultCode/ResultMessage: `PushResult{Success:false, ResultMsg}`. */
export function pushRefusal(action: string | undefined, message: string): Record<string, unknown> {
  const kind = action === undefined ? undefined : PUSH_ACTIONS[action];
  return kind === 'push' || kind === 'revoke' ? { PushResult: { Success: false, ResultMsg: message } } : {};
}

/**
 * The push actions: parameters go to push-core as received (lenient: either casing, numbers as
 * text, JSON strings or objects). Pushes and revokes answer `PushResult{Success, ResultMsg, Data}`,
 * queries `ResultContent{data}`, CancelPushScheduler `ResultContent` as the `{id=1,id=0}` string.
 */
export function pushActions(links: ServiceLinks): Record<string, (tenant: TenantContext, parameters: Record<string, string>) => Promise<Record<string, unknown>>> {
  return Object.fromEntries(
    Object.entries(PUSH_ACTIONS).map(([action, kind]) => [
      action,
      async (tenant: TenantContext, parameters: Record<string, string>) => {
        if (!tenant.app.apiEnabled) throw new PushApiClosedError(tenant.app._id);
        const { Action: _action, Version: _version, ...rest } = parameters;
        const reply = await links.client(PUSH_CORE).CallPushApi({
          appId: tenant.app.appId,
          workspaceId: tenant.app.workspaceId,
          action,
          parametersJson: JSON.stringify(rest),
          lenient: true,
          operator: operatorOf(tenant),
          fromConsole: false,
        });
        const result = JSON.parse(reply.resultJson) as Record<string, unknown>;
        switch (kind) {
          case 'push':
            return { PushResult: { Success: true, ResultMsg: '', Data: result.data ?? '' } };
          case 'revoke':
            return { PushResult: { Success: true, ResultMsg: '' } };
          case 'cancel':
            return { ResultContent: result.formatted };
          default:
            return { ResultContent: { data: result } };
        }
      },
    ]),
  );
}
