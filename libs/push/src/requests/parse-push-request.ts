import { PushRuleError, invalidParam } from '../push-codes';
import {
  BROADCAST_DELIVERY_TYPES,
  DELIVERY_TYPES,
  type BroadcastAudience,
  type ChannelUrls,
  type DeliveryType,
  type DirectContent,
  type LiveActivity,
  type MultipleTarget,
  type NotifyType,
  type PushCommon,
  type PushRequest,
  type PushTarget,
  type PushType,
  type SmsSupplement,
  type StrategyRequest,
} from '../push-request';
import { TARGET_EXT_PARAMS, TASK_EXT_PARAMS, checkExtendedParams } from './extended-params';
import { RequestParameters, isJsonObject, type ParameterNames, type RequestMode } from './request-parameters';

export { MAX_EXT_PARAMS, MAX_TARGET_EXT_PARAMS, RESERVED_EXT_PARAM_KEYS } from './extended-params';
export type { RequestMode } from './request-parameters';

/** DECISIONS D4 limits. */
export const MAX_TARGETS_PER_PUSH = 10;
export const MAX_MULTIPLE_TARGETS = 400;
export const MAX_MSG_KEY_LENGTH = 64;
export const MAX_TITLE_LENGTH = 200;
export const MAX_CONTENT_LENGTH = 4000;
export const MAX_EXPIRED_SECONDS = 604_800;
export const MAX_CLIENT_PAYLOAD_BYTES = 4096;

const COMMON = ['appId', 'workspaceId', 'taskName', 'deliveryType', 'expiredSeconds', 'extendedParams', 'classification', 'strategyType', 'StrategyContent'];
const SMS = ['smsStrategy', 'smsSignName', 'smsTemplateCode', 'smsTemplateParam'];
const LIVE_ACTIVITY = ['activityEvent', 'activityContentState', 'dismissalDate'];
const STRICT_ALIASES = { strategyContent: 'StrategyContent', targetMsg: 'targetMsgs' };

/** The parameters of each push type (mps.md §3.1–3.4, §3.20; SMS ones on every type, DECISIONS D4). */
const PARAMETERS_OF: Record<PushType, ParameterNames> = {
  SIMPLE: {
    names: [...COMMON, ...SMS, ...LIVE_ACTIVITY, 'targetMsgkey', 'title', 'content', 'uri', 'pushAction', 'silent', 'pushStyle', 'notifyType', 'imageUrls', 'iconUrls'],
    strictAliases: STRICT_ALIASES,
  },
  TEMPLATE: { names: [...COMMON, ...SMS, ...LIVE_ACTIVITY, 'targetMsgkey', 'templateName', 'templateKeyValue', 'notifyType'], strictAliases: STRICT_ALIASES },
  MULTIPLE: { names: [...COMMON, ...SMS, ...LIVE_ACTIVITY, 'targetMsgs', 'templateName', 'notifyType'], strictAliases: STRICT_ALIASES },
  BROADCAST: {
    names: [...COMMON, ...SMS, 'msgkey', 'templateName', 'templateKeyValue', 'pushStatus', 'bindPeriod', 'unBindPeriod', 'androidChannel', 'rate'],
    strictAliases: STRICT_ALIASES,
  },
};
const TARGET_MSG_PARAMETERS: ParameterNames = { names: ['target', 'msgKey', 'templateKeyValue', 'extendedParams'], strictAliases: {} };
/** The RPC face's flattened list items: `TargetMsg.1.Target=...` (any case; `TargetMsgs.N` too). */
const FLATTENED_TARGET_MSG = /^targetmsgs?\.(\d+)\.([^.]+)$/i;

const CHANNEL_URL_KEYS: readonly string[] = ['defaultUrl', 'hmsUrl', 'oppoUrl', 'miuiUrl', 'fcmUrl', 'iosUrl'];
const NOTIFY_TYPES: readonly string[] = ['transparent', 'notify'];
const LIVE_ACTIVITY_DELIVERY_TYPES: readonly DeliveryType[] = [5, 6];

/** What the client receives of a message and what counts against 3050. */
export interface ClientMessage {
  title: string;
  content: string;
  uri: string;
  extParams: Readonly<Record<string, string>>;
}

/**
 * DECISIONS D4: the self-built message as serialised for the client is at most 4096 UTF-8 bytes
 * (3050 MSG_PAYLOAD_TOO_LONG). The parser checks simple pushes; the intake calls it again after
 * rendering a template (per target for multiple pushes, with the target's ext params merged).
 */
export function assertPayloadFits(message: ClientMessage): void {
  const { title, content, uri, extParams } = message;
  const bytes = Buffer.byteLength(JSON.stringify({ title, content, uri, extParams }), 'utf8');
  if (bytes > MAX_CLIENT_PAYLOAD_BYTES) {
    throw new PushRuleError('MSG_PAYLOAD_TOO_LONG', `message: ${bytes} bytes as serialised for the client (title, content, uri, extendedParams); at most ${MAX_CLIENT_PAYLOAD_BYTES}`);
  }
}

/**
 * Checks the parameters of a push API call (mps.md §3.1–3.9, §3.17; DECISIONS D2, D4) and returns
 * the checked request, or throws the PushRuleError of the first rule broken. `strict` reads a
 * REST v1 JSON body, `lenient` the parameters of the mPaaS OpenAPI RPC face (see
 * RequestParameters). A parameter of the wrong type answers 3028 INVALID_PARAM at the step that
 * reads it; the rule codes apply to values of the right type.
 *
 * Rules are evaluated in this order, so a request breaking several gets the earliest one's code:
 *  1. appId, then workspaceId, present (3003).
 *  2. Names: strict refuses unknown parameters; both modes refuse one parameter under two
 *     spellings, and targetMsgs given both whole and flattened (3028).
 *  3. taskName present (3019).
 *  4. deliveryType present and one of 1, 2, 3, 5, 6, 7, 8 (3009); broadcast: 3 -> 3030, other
 *     than 1, 2, 7, 8 -> 3009.
 *  5. Targets. Simple and template: targetMsgkey present with entries (3021), at most 10 (3029),
 *     no empty target (3021), each message id present, ≤ 64 characters and unique (3028).
 *     Multiple: targetMsgs present with items (3021), at most 400 (3055), then item by item: its
 *     names (3028), target (3021), msgKey (3028) and templateKeyValue shape (3028). Broadcast:
 *     msgkey present and ≤ 64 characters (3028).
 *  6. Message. Simple: title present (3024) and ≤ 200 characters (3028), content present (3024)
 *     and ≤ 4000 characters (3043), uri. Others: templateName present (3025), templateKeyValue
 *     shape (3028).
 *  7. expiredSeconds present, an integer ≥ 1 (3020), ≤ 604800 (3026).
 *  8. extendedParams of the task (3035, 3044, 3058, 3059), then of each multiple target in order
 *     (3049, 3044, 3058, 3059).
 *  9. Simple: the message as serialised for the client ≤ 4096 bytes (3050).
 * 10. Channel and presentation. notifyType transparent|notify (3028); broadcast: androidChannel
 *     transparent|notify (3057), pushStatus 0|1|2 (3028), with 0 bindPeriod 1–4 (3028), with 1
 *     or 2 unBindPeriod present (3051) and 1–4 (3052), pushStatus 1 + transparent + Android
 *     (3053). Simple: pushAction 0|1, silent 0|1, pushStyle 0|1|2, imageUrls, iconUrls (3028).
 *     Every type: classification '0'|'1' (3028). Broadcast: rate, when given, a positive
 *     integer of messages per minute (3028; a pushsync extension).
 * 11. strategyType 0|1|2, StrategyContent a JSON object when strategyType ≠ 0 (3028).
 * 12. Live activity (not broadcast): its parameters only with deliveryType 5 or 6, activityEvent
 *     update|end and required with 5 or 6, activityContentState an object, dismissalDate an
 *     integer ≥ 0 (3028).
 * 13. SMS: smsStrategy an integer, and 0 until the SMS channel ships (3028).
 */
export function parsePushRequest(type: PushType, raw: Record<string, unknown>, mode: RequestMode): PushRequest {
  const { flattenedTargetMsgs, rest } = mode === 'lenient' ? splitFlattenedTargetMsgs(raw) : { flattenedTargetMsgs: [], rest: raw };
  const params = RequestParameters.resolve(rest, PARAMETERS_OF[type], mode);

  const appId = requiredText(params, 'appId', 'NEED_APPID_WORKSPACEID');
  const workspaceId = requiredText(params, 'workspaceId', 'NEED_APPID_WORKSPACEID');
  params.assertWellNamed();
  if (flattenedTargetMsgs.length > 0 && params.has('targetMsgs')) throw invalidParam('targetMsgs: given both as a list and as flattened TargetMsg.N items');
  const taskName = requiredText(params, 'taskName', 'TASKNAME_NULL');
  const deliveryType = parseDeliveryType(type, params);

  switch (type) {
    case 'SIMPLE': {
      const targets = parseTargetMsgkey(params);
      const message = parseDirectMessage(params);
      const expiredSeconds = parseExpiredSeconds(params);
      const extParams = checkExtendedParams('extendedParams', params.object('extendedParams'), TASK_EXT_PARAMS);
      assertPayloadFits({ ...message, extParams });
      const notifyType = parseNotifyType(params);
      const presentation = parsePresentation(params);
      const tail = parseTail(params, deliveryType);
      return {
        type,
        appId,
        workspaceId,
        taskName,
        deliveryType,
        targets,
        content: { ...message, ...presentation },
        expiredSeconds,
        extParams,
        notifyType,
        ...tail,
      };
    }
    case 'TEMPLATE': {
      const targets = parseTargetMsgkey(params);
      const templateName = requiredText(params, 'templateName', 'NEED_TEMPLATE');
      const templateValues = params.stringMap('templateKeyValue') ?? {};
      const expiredSeconds = parseExpiredSeconds(params);
      const extParams = checkExtendedParams('extendedParams', params.object('extendedParams'), TASK_EXT_PARAMS);
      const notifyType = parseNotifyType(params);
      const tail = parseTail(params, deliveryType);
      return { type, appId, workspaceId, taskName, deliveryType, targets, templateName, templateValues, expiredSeconds, extParams, notifyType, ...tail };
    }
    case 'MULTIPLE': {
      const targets = parseTargetMsgs(params, flattenedTargetMsgs);
      const templateName = requiredText(params, 'templateName', 'NEED_TEMPLATE');
      const expiredSeconds = parseExpiredSeconds(params);
      const extParams = checkExtendedParams('extendedParams', params.object('extendedParams'), TASK_EXT_PARAMS);
      const targetMsgs: MultipleTarget[] = targets.map(({ item, ...target }) => ({
        ...target,
        extParams: checkExtendedParams(item.label('extendedParams'), item.object('extendedParams'), TARGET_EXT_PARAMS),
      }));
      const notifyType = parseNotifyType(params);
      const tail = parseTail(params, deliveryType);
      return { type, appId, workspaceId, taskName, deliveryType, templateName, targetMsgs, expiredSeconds, extParams, notifyType, ...tail };
    }
    case 'BROADCAST': {
      const msgKey = checkMsgKey('msgkey', params.text('msgkey'));
      const templateName = requiredText(params, 'templateName', 'NEED_TEMPLATE');
      const templateValues = params.stringMap('templateKeyValue') ?? {};
      const expiredSeconds = parseExpiredSeconds(params);
      const extParams = checkExtendedParams('extendedParams', params.object('extendedParams'), TASK_EXT_PARAMS);
      const notifyType = parseNotifyType(params, 'androidChannel');
      const audience = parseAudience(params, deliveryType, notifyType);
      const ratePerMinute = parseRate(params);
      const tail = parseTail(params, deliveryType);
      return { type, appId, workspaceId, taskName, deliveryType, msgKey, templateName, templateValues, expiredSeconds, extParams, notifyType, audience, ratePerMinute, ...tail };
    }
  }
}

/** The value unless it is absent, empty or only white space. */
function nonBlank(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

function characters(text: string): number {
  return [...text].length;
}

function requiredText(params: RequestParameters, name: string, code: 'NEED_APPID_WORKSPACEID' | 'TASKNAME_NULL' | 'NEED_TEMPLATE' | 'PAYLOAD_NOT_ENOUGH'): string {
  const value = nonBlank(params.text(name));
  if (value === undefined) throw new PushRuleError(code, `${params.label(name)}: required and must not be empty`);
  return value;
}

function parseDeliveryType(type: PushType, params: RequestParameters): DeliveryType {
  const value = params.number('deliveryType');
  const allowed = type === 'BROADCAST' ? BROADCAST_DELIVERY_TYPES : DELIVERY_TYPES;
  if (value === undefined) throw new PushRuleError('DELIVERY_TYPE_NOT_SUPPORTED', `deliveryType: required; one of ${allowed.join(', ')}`);
  if (type === 'BROADCAST' && value === 3) throw new PushRuleError('BROADCAST_ONLY_SUPPORT_BY_DEVICE', 'deliveryType: a broadcast goes to devices, not users (3)');
  if (!allowed.includes(value as DeliveryType)) throw new PushRuleError('DELIVERY_TYPE_NOT_SUPPORTED', `deliveryType: ${value} is not supported; one of ${allowed.join(', ')}`);
  return value as DeliveryType;
}

/** A customer message id: present, ≤ 64 characters (DECISIONS D4). */
function checkMsgKey(label: string, given: string | undefined): string {
  const value = nonBlank(given);
  if (value === undefined) throw invalidParam(`${label}: the message id is required and must not be empty`);
  if (characters(value) > MAX_MSG_KEY_LENGTH) throw invalidParam(`${label}: the message id must be at most ${MAX_MSG_KEY_LENGTH} characters`);
  return value;
}

function assertUniqueMsgKeys(label: string, targets: readonly PushTarget[]): void {
  const seen = new Set<string>();
  for (const { msgKey } of targets) {
    if (seen.has(msgKey)) throw invalidParam(`${label}: message id ${msgKey} is used for more than one target; message ids must be unique`);
    seen.add(msgKey);
  }
}

function parseTargetMsgkey(params: RequestParameters): PushTarget[] {
  const given = params.stringMap('targetMsgkey');
  const entries = Object.entries(given ?? {});
  if (entries.length === 0) throw new PushRuleError('TOKEN_OR_USERID_NULL', 'targetMsgkey: required; a JSON map of target to message id with at least one entry');
  if (entries.length > MAX_TARGETS_PER_PUSH) {
    throw new PushRuleError('SINGLE_PUSH_TARGET_TOO_MUCH', `targetMsgkey: at most ${MAX_TARGETS_PER_PUSH} targets, ${entries.length} given`);
  }
  const targets = entries.map(([target, msgKey]) => {
    if (target.trim() === '') throw new PushRuleError('TOKEN_OR_USERID_NULL', 'targetMsgkey: a target is empty');
    return { target, msgKey: checkMsgKey(`targetMsgkey.${target}`, msgKey) };
  });
  assertUniqueMsgKeys('targetMsgkey', targets);
  return targets;
}

interface FlattenedTargetMsg {
  index: number;
  fields: Record<string, unknown>;
}

/** Takes the RPC face's `TargetMsg.N.Field` parameters out of the request, grouped by N in ascending order. */
function splitFlattenedTargetMsgs(raw: Record<string, unknown>): { flattenedTargetMsgs: FlattenedTargetMsg[]; rest: Record<string, unknown> } {
  const byIndex = new Map<number, Map<string, unknown>>();
  const rest: [string, unknown][] = [];
  for (const [name, value] of Object.entries(raw)) {
    const match = FLATTENED_TARGET_MSG.exec(name);
    if (match === null) {
      rest.push([name, value]);
      continue;
    }
    const index = Number(match[1]);
    const fields = byIndex.get(index) ?? new Map<string, unknown>();
    byIndex.set(index, fields.set(match[2], value));
  }
  const flattenedTargetMsgs = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([index, fields]) => ({ index, fields: Object.fromEntries(fields) }));
  return { flattenedTargetMsgs, rest: Object.fromEntries(rest) };
}

interface ParsedTargetMsg extends PushTarget {
  templateValues: Record<string, string>;
  /** The item's parameters, whose extendedParams are checked at step 8. */
  item: RequestParameters;
}

function parseTargetMsgs(params: RequestParameters, flattened: readonly FlattenedTargetMsg[]): ParsedTargetMsg[] {
  const items =
    flattened.length > 0
      ? flattened.map(({ index, fields }) => ({ path: `TargetMsg.${index}`, value: fields as unknown }))
      : (params.list('targetMsgs') ?? []).map((value, position) => ({ path: `targetMsgs[${position}]`, value }));
  if (items.length === 0) throw new PushRuleError('TOKEN_OR_USERID_NULL', 'targetMsgs: required; a list of at least one TargetMsg');
  if (items.length > MAX_MULTIPLE_TARGETS) {
    throw new PushRuleError('MULTIPLE_TARGET_NUMBER_TOO_MUCH', `targetMsgs: at most ${MAX_MULTIPLE_TARGETS} TargetMsg items, ${items.length} given`);
  }
  const targets = items.map(({ path, value }) => {
    if (!isJsonObject(value)) throw invalidParam(`${path}: must be a JSON object`);
    const item = RequestParameters.resolve(value, TARGET_MSG_PARAMETERS, params.mode, path);
    item.assertWellNamed();
    const target = nonBlank(item.text('target'));
    if (target === undefined) throw new PushRuleError('TOKEN_OR_USERID_NULL', `${item.label('target')}: required and must not be empty`);
    const msgKey = checkMsgKey(item.label('msgKey'), item.text('msgKey'));
    return { target, msgKey, templateValues: item.stringMap('templateKeyValue') ?? {}, item };
  });
  assertUniqueMsgKeys('targetMsgs', targets);
  return targets;
}

function parseDirectMessage(params: RequestParameters): { title: string; content: string; uri: string } {
  const title = requiredText(params, 'title', 'PAYLOAD_NOT_ENOUGH');
  if (characters(title) > MAX_TITLE_LENGTH) throw invalidParam(`title: at most ${MAX_TITLE_LENGTH} characters`);
  const content = requiredText(params, 'content', 'PAYLOAD_NOT_ENOUGH');
  if (characters(content) > MAX_CONTENT_LENGTH) throw new PushRuleError('SINGLE_PUSH_CONTENT_TOO_LONG', `content: at most ${MAX_CONTENT_LENGTH} characters`);
  return { title, content, uri: params.text('uri') ?? '' };
}

function parseExpiredSeconds(params: RequestParameters): number {
  const value = params.number('expiredSeconds');
  if (value === undefined) throw new PushRuleError('EXPIREDSECONDS_WRONG', 'expiredSeconds: required');
  if (!Number.isInteger(value) || value < 1) throw new PushRuleError('EXPIREDSECONDS_WRONG', 'expiredSeconds: must be a whole number of seconds, at least 1');
  if (value > MAX_EXPIRED_SECONDS) throw new PushRuleError('EXPIREDTIME_TOO_LONG', `expiredSeconds: at most ${MAX_EXPIRED_SECONDS} (7 days)`);
  return value;
}

/** An optional integer parameter limited to `allowed`; `fallback` when absent. */
function parseOption<T extends number>(params: RequestParameters, name: string, allowed: readonly T[], fallback: T): T {
  const value = params.number(name);
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw invalidParam(`${params.label(name)}: must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** `notifyType` (3028) or, on broadcast, `androidChannel` (3057): transparent|notify; null when not given. */
function parseNotifyType(params: RequestParameters, name: 'notifyType' | 'androidChannel' = 'notifyType'): NotifyType | null {
  const value = params.text(name);
  if (value === undefined) return null;
  if (!NOTIFY_TYPES.includes(value)) {
    const message = `${name}: must be transparent or notify`;
    throw name === 'androidChannel' ? new PushRuleError('ANDROID_CHANNEL_PARAM_INVALID', message) : invalidParam(message);
  }
  return value as NotifyType;
}

const PERIODS = [1, 2, 3, 4] as const;

function parseAudience(params: RequestParameters, deliveryType: DeliveryType, notifyType: NotifyType | null): BroadcastAudience {
  const pushStatus = parseOption(params, 'pushStatus', [0, 1, 2] as const, 0);
  if (pushStatus === 0) return { pushStatus, bindPeriod: parseOption(params, 'bindPeriod', PERIODS, 4), unBindPeriod: null };
  const unBindPeriod = params.number('unBindPeriod');
  if (unBindPeriod === undefined) throw new PushRuleError('BROADCAST_ALL_USER_NEED_UNBIND_PERIOD', `unBindPeriod: required when pushStatus is ${pushStatus}`);
  if (!PERIODS.includes(unBindPeriod as 1)) throw new PushRuleError('BROADCAST_ALL_USER_UNBIND_PERIOD_INVALID', 'unBindPeriod: must be one of 1, 2, 3, 4');
  if (pushStatus === 1 && notifyType === 'transparent' && deliveryType === 1) {
    throw new PushRuleError('BROADCAST_ALL_USER_NOT_SUPPORT_SELFCHANNEL_ANDROID', 'pushStatus: 1 (all users) cannot go over the self-built channel (androidChannel transparent) to Android');
  }
  return { pushStatus, bindPeriod: null, unBindPeriod: unBindPeriod as BroadcastAudience['unBindPeriod'] };
}

/** `rate` (a pushsync extension): the most messages a broadcast sends per minute, a positive integer (3028); null when not given. */
function parseRate(params: RequestParameters): number | null {
  const rate = params.number('rate');
  if (rate === undefined) return null;
  if (!Number.isSafeInteger(rate) || rate < 1) throw invalidParam('rate: must be a positive integer (messages per minute)');
  return rate;
}

function parseChannelUrls(params: RequestParameters, name: 'imageUrls' | 'iconUrls'): ChannelUrls {
  const given = params.object(name) ?? {};
  for (const [key, value] of Object.entries(given)) {
    if (!CHANNEL_URL_KEYS.includes(key)) throw invalidParam(`${name}.${key}: unknown key; one of ${CHANNEL_URL_KEYS.join(', ')}`);
    if (typeof value !== 'string') throw invalidParam(`${name}.${key}: must be a string`);
  }
  return Object.fromEntries(Object.entries(given)) as ChannelUrls;
}

function parsePresentation(params: RequestParameters): Omit<DirectContent, 'title' | 'content' | 'uri'> {
  return {
    action: parseOption(params, 'pushAction', [0, 1] as const, 0),
    silent: parseOption(params, 'silent', [0, 1] as const, 0) === 1,
    style: parseOption(params, 'pushStyle', [0, 1, 2] as const, 0),
    imageUrls: parseChannelUrls(params, 'imageUrls'),
    iconUrls: parseChannelUrls(params, 'iconUrls'),
  };
}

/** Presence and shape only: the §3.5 rules of StrategyContent belong to scheduling. */
function parseStrategy(params: RequestParameters): StrategyRequest {
  const strategyType = parseOption(params, 'strategyType', [0, 1, 2] as const, 0);
  const content = params.object('StrategyContent');
  if (strategyType === 0) return { strategyType, content: null };
  if (content === undefined) throw invalidParam(`StrategyContent: required when strategyType is ${strategyType}`);
  return { strategyType, content };
}

function parseLiveActivity(params: RequestParameters, deliveryType: DeliveryType): LiveActivity | null {
  const event = params.text('activityEvent');
  const contentState = params.object('activityContentState', true);
  const dismissalDate = params.number('dismissalDate');
  if (!LIVE_ACTIVITY_DELIVERY_TYPES.includes(deliveryType)) {
    const given = LIVE_ACTIVITY.find((name) => params.has(name));
    if (given !== undefined) throw invalidParam(`${given}: live-activity parameters apply only to deliveryType 5 or 6`);
    return null;
  }
  if (event === undefined) throw invalidParam(`activityEvent: required when deliveryType is ${deliveryType}`);
  if (event !== 'update' && event !== 'end') throw invalidParam('activityEvent: must be update or end');
  if (dismissalDate !== undefined && (!Number.isInteger(dismissalDate) || dismissalDate < 0)) {
    throw invalidParam('dismissalDate: must be an integer timestamp in seconds');
  }
  return { event, contentState: contentState ?? null, dismissalDate: event === 'end' ? (dismissalDate ?? null) : null };
}

function parseSms(params: RequestParameters): SmsSupplement | null {
  const strategy = params.number('smsStrategy');
  const signName = params.text('smsSignName');
  const templateCode = params.text('smsTemplateCode');
  const templateParamGiven = params.object('smsTemplateParam');
  if (strategy !== undefined && !Number.isInteger(strategy)) throw invalidParam('smsStrategy: must be an integer');
  if (strategy !== undefined && strategy !== 0) throw invalidParam('smsStrategy: only 0 is accepted until the SMS channel ships');
  if (strategy === undefined && signName === undefined && templateCode === undefined && templateParamGiven === undefined) return null;
  return {
    strategy: strategy ?? 0,
    signName: signName ?? null,
    templateCode: templateCode ?? null,
    templateParam: templateParamGiven === undefined ? null : JSON.stringify(templateParamGiven),
  };
}

/** Steps 10 (classification) to 13, shared by every push type. */
function parseTail(params: RequestParameters, deliveryType: DeliveryType): Pick<PushCommon, 'classification' | 'strategy' | 'liveActivity' | 'sms'> {
  const classification = params.text('classification') ?? '1';
  if (classification !== '0' && classification !== '1') throw invalidParam('classification: must be 0 or 1');
  return { classification, strategy: parseStrategy(params), liveActivity: parseLiveActivity(params, deliveryType), sms: parseSms(params) };
}
