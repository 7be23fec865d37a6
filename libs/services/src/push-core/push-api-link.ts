import type { PushApiCall, PushApiReply } from '@pushsync/contracts';
import { ValidationError } from '@pushsync/platform';
import { invalidParam, parsePushRequest, PushRuleError, queryParameters, requiredText, type PushApp, type PushType } from '@pushsync/push';
import { AppNotFoundError, instanceIdOf, type TenantApp } from '@pushsync/tenancy';
import type { PushEngineParts } from './push-engine';

type Parameters = Record<string, unknown>;
type Action = (app: PushApp, parameters: Parameters, call: PushApiCall) => Promise<object>;

const PUSH_ACTIONS: Record<string, PushType> = { PushSimple: 'SIMPLE', PushTemplate: 'TEMPLATE', PushMultiple: 'MULTIPLE', PushBroadcast: 'BROADCAST' };

/**
 * The CallPushApi RPC: finds the app (from a cache, as sync-core does), parses the JSON parameters and runs the action. A push
 * answers `{ data, taskId, scheduleId }` where `data` is `PushResult.Data` of DECISIONS D2: the task
 * id of a multiple or broadcast push, the master schedule id of a timed or cyclic one, else ''.
 */
export function pushApiMethods(engine: () => PushEngineParts, apps: { find(workspaceId: string, appId: string): Promise<TenantApp | null> }) {
  const push = (type: PushType): Action => async (app, parameters, call) => {
    const request = parsePushRequest(type, parameters, call.lenient ? 'lenient' : 'strict');
    const accepted = await engine().intake.accept(app, request, call.fromConsole ? 1 : 0);
    const data = accepted.scheduleId ?? (type === 'MULTIPLE' || type === 'BROADCAST' ? accepted.taskId! : '');
    return { data, taskId: accepted.taskId, scheduleId: accepted.scheduleId };
  };
  const actions: Record<string, Action> = {
    ...Object.fromEntries(Object.entries(PUSH_ACTIONS).map(([action, type]) => [action, push(type)])),
    RevokePushMessage: async (app, parameters, call) => {
      const checked = queryParameters(parameters, ['messageId', 'targetId'], call.lenient);
      await engine().revocation.revokeMessage(app, requiredText(checked, 'messageId'), requiredText(checked, 'targetId'));
      return {};
    },
    QueryPushAnalysisCoreIndex: (app, parameters, call) => engine().statistics.coreIndex(app, parameters, call.lenient),
    QueryPushAnalysisTaskDetail: (app, parameters, call) => engine().statistics.taskDetail(app, parameters, call.lenient),
    QueryPushAnalysisTaskList: async (app, parameters, call) => ({ data: await engine().queries.taskList(app, parameters, call.lenient) }),
    ListPushMessages: (app, parameters) => engine().queries.messages(app, parameters),
    GetPushMessage: (app, parameters) => engine().queries.message(app, parameters),
    ListPushTasks: (app, parameters) => engine().queries.tasks(app, parameters),
    QueryPushDeviceStatus: (app, parameters) => engine().queries.deviceStatus(app, parameters),
    RevokePushTask: async (app, parameters, call) => {
      await engine().revocation.revokeTask(app, requiredText(queryParameters(parameters, ['taskId'], call.lenient), 'taskId'));
      return {};
    },
    QueryPushSchedulerList: (app, parameters, call) => engine().schedules.list(app, parameters, call.lenient),
    CancelPushScheduler: (app, parameters, call) => engine().schedules.cancel(app, parameters, call.lenient),
  };
  return {
    CallPushApi: async (call: PushApiCall): Promise<PushApiReply> => {
      const stored = await apps.find(call.workspaceId, call.appId);
      if (stored === null) throw new AppNotFoundError(instanceIdOf(call.workspaceId, call.appId));
      const action = actions[call.action];
      if (action === undefined) throw new ValidationError(`unknown push action ${JSON.stringify(call.action)}`);
      let parameters: unknown;
      try {
        parameters = JSON.parse(call.parametersJson);
      } catch {
        throw invalidParam('the parameters are not valid JSON');
      }
      if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) throw invalidParam('the parameters must be a JSON object');
      if (!call.fromConsole && !namesApp(parameters as Parameters)) throw new PushRuleError('NEED_APPID_WORKSPACEID', 'appId and workspaceId are required');
      const result = await action({ appId: stored.appId, workspaceId: stored.workspaceId, timeZone: stored.timeZone }, parameters as Parameters, call);
      return { resultJson: JSON.stringify(result) };
    },
  };
}

/** Tenant calls name their app in the parameters (mps.md §3.0: appId and workspaceId are required on every API). */
function namesApp(parameters: Parameters): boolean {
  const present = (name: string) => [name, name[0]!.toUpperCase() + name.slice(1)].some((spelling) => typeof parameters[spelling] === 'string' && parameters[spelling] !== '');
  return present('appId') && present('workspaceId');
}
