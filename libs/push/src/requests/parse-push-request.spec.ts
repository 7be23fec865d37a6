import { PUSH_RESULT_CODES, PushRuleError, type PushResultCode } from '../push-codes';
import type { PushType } from '../push-request';
import { assertPayloadFits, parsePushRequest, type RequestMode } from './parse-push-request';

type Raw = Record<string, unknown>;

const APP = { appId: 'ONEX570DA89211721', workspaceId: 'test' };
const VALID: Record<PushType, Raw> = {
  SIMPLE: { ...APP, taskName: 'simpleTest', title: 'Test', content: 'Body', deliveryType: 3, targetMsgkey: '{"user1024":"1578807462788"}', expiredSeconds: 300 },
  TEMPLATE: { ...APP, taskName: 'templateTest', deliveryType: 3, targetMsgkey: { user1024: 'm1' }, templateName: 'testTemplate', expiredSeconds: 300 },
  MULTIPLE: { ...APP, taskName: 'multipleTest', deliveryType: 3, templateName: 'testTemplate', expiredSeconds: 300, targetMsgs: [{ target: 'user1', msgKey: 'm1' }] },
  BROADCAST: { ...APP, taskName: 'broadcastTest', deliveryType: 1, msgkey: 'b1', templateName: 'broadcastTemplate', expiredSeconds: 300 },
};

/** The base request of `type` with `overrides` applied; an `undefined` override removes the parameter. */
function request(type: PushType, overrides: Raw = {}): Raw {
  const merged: Raw = { ...VALID[type], ...overrides };
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
}

/** The same request as the RPC face sends it: UpperCamel names, numbers as strings, JSON values as JSON strings. */
function asRpc(raw: Raw): Raw {
  return Object.fromEntries(
    Object.entries(raw).map(([name, value]) => [
      name.charAt(0).toUpperCase() + name.slice(1),
      typeof value === 'number' ? String(value) : typeof value === 'object' && value !== null ? JSON.stringify(value) : value,
    ]),
  );
}

function refusalOf(parse: () => unknown): PushRuleError {
  try {
    parse();
  } catch (error) {
    if (error instanceof PushRuleError) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

function expectRefused(type: PushType, raw: Raw, mode: RequestMode, code: PushResultCode, messagePart: string): void {
  const refusal = refusalOf(() => parsePushRequest(type, raw, mode));
  expect({ code: refusal.code, numericCode: refusal.numericCode }).toEqual({ code, numericCode: PUSH_RESULT_CODES[code] });
  expect(refusal.message).toContain(messagePart);
}

const keys = (count: number, prefix = 'k') => Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `v${i}`]));
const targetMsgs = (count: number) => Array.from({ length: count }, (_, i) => ({ target: `user${i}`, msgKey: `m${i}` }));

/** [rule, push type, overrides, code, part of the message]: each request breaks exactly one rule. */
const RULES: [string, PushType, Raw, PushResultCode, string][] = [
  ['appId empty', 'SIMPLE', { appId: '' }, 'NEED_APPID_WORKSPACEID', 'appId'],
  ['workspaceId missing', 'BROADCAST', { workspaceId: undefined }, 'NEED_APPID_WORKSPACEID', 'workspaceId'],
  ['taskName empty', 'SIMPLE', { taskName: '' }, 'TASKNAME_NULL', 'taskName'],
  ['taskName only white space', 'MULTIPLE', { taskName: '  ' }, 'TASKNAME_NULL', 'taskName'],
  ['deliveryType missing', 'TEMPLATE', { deliveryType: undefined }, 'DELIVERY_TYPE_NOT_SUPPORTED', 'deliveryType'],
  ['deliveryType 4', 'SIMPLE', { deliveryType: 4 }, 'DELIVERY_TYPE_NOT_SUPPORTED', 'deliveryType: 4'],
  ['broadcast to users (deliveryType 3)', 'BROADCAST', { deliveryType: 3 }, 'BROADCAST_ONLY_SUPPORT_BY_DEVICE', 'deliveryType'],
  ['broadcast to live activities (deliveryType 5)', 'BROADCAST', { deliveryType: 5 }, 'DELIVERY_TYPE_NOT_SUPPORTED', 'deliveryType: 5'],
  ['targetMsgkey missing', 'SIMPLE', { targetMsgkey: undefined }, 'TOKEN_OR_USERID_NULL', 'targetMsgkey'],
  ['targetMsgkey without entries', 'TEMPLATE', { targetMsgkey: {} }, 'TOKEN_OR_USERID_NULL', 'targetMsgkey'],
  ['targetMsgkey with an empty target', 'SIMPLE', { targetMsgkey: { '': 'm1' } }, 'TOKEN_OR_USERID_NULL', 'target is empty'],
  ['targetMsgkey with 11 targets', 'SIMPLE', { targetMsgkey: keys(11) }, 'SINGLE_PUSH_TARGET_TOO_MUCH', 'at most 10'],
  ['targetMsgkey with an empty message id', 'TEMPLATE', { targetMsgkey: { u1: '' } }, 'INVALID_PARAM', 'targetMsgkey.u1: the message id is required'],
  ['targetMsgkey with a 65-character message id', 'SIMPLE', { targetMsgkey: { u1: 'x'.repeat(65) } }, 'INVALID_PARAM', 'at most 64 characters'],
  ['targetMsgkey with one message id twice', 'SIMPLE', { targetMsgkey: { u1: 'm', u2: 'm' } }, 'INVALID_PARAM', 'message id m is used for more than one target'],
  ['targetMsgkey not a JSON object', 'SIMPLE', { targetMsgkey: '["u1"]' }, 'INVALID_PARAM', 'targetMsgkey: must be a JSON object'],
  ['targetMsgs missing', 'MULTIPLE', { targetMsgs: undefined }, 'TOKEN_OR_USERID_NULL', 'targetMsgs'],
  ['targetMsgs empty', 'MULTIPLE', { targetMsgs: [] }, 'TOKEN_OR_USERID_NULL', 'targetMsgs'],
  ['targetMsgs with 401 items', 'MULTIPLE', { targetMsgs: targetMsgs(401) }, 'MULTIPLE_TARGET_NUMBER_TOO_MUCH', 'at most 400'],
  ['a TargetMsg without target', 'MULTIPLE', { targetMsgs: [{ msgKey: 'm1' }] }, 'TOKEN_OR_USERID_NULL', 'targetMsgs[0].target'],
  ['a TargetMsg without msgKey', 'MULTIPLE', { targetMsgs: [{ target: 'u1' }] }, 'INVALID_PARAM', 'targetMsgs[0].msgKey'],
  ['a TargetMsg with a 65-character msgKey', 'MULTIPLE', { targetMsgs: [{ target: 'u1', msgKey: 'x'.repeat(65) }] }, 'INVALID_PARAM', 'at most 64'],
  ['two TargetMsgs with one msgKey', 'MULTIPLE', { targetMsgs: [{ target: 'u1', msgKey: 'm' }, { target: 'u2', msgKey: 'm' }] }, 'INVALID_PARAM', 'must be unique'],
  ['a TargetMsg that is not an object', 'MULTIPLE', { targetMsgs: ['u1'] }, 'INVALID_PARAM', 'targetMsgs[0]: must be a JSON object'],
  ['broadcast msgkey missing', 'BROADCAST', { msgkey: undefined }, 'INVALID_PARAM', 'msgkey: the message id is required'],
  ['broadcast msgkey of 65 characters', 'BROADCAST', { msgkey: 'x'.repeat(65) }, 'INVALID_PARAM', 'msgkey: the message id must be at most 64'],
  ['title empty', 'SIMPLE', { title: '' }, 'PAYLOAD_NOT_ENOUGH', 'title'],
  ['content missing', 'SIMPLE', { content: undefined }, 'PAYLOAD_NOT_ENOUGH', 'content'],
  ['title of 201 characters', 'SIMPLE', { title: 'x'.repeat(201) }, 'INVALID_PARAM', 'title: at most 200 characters'],
  ['content of 4001 characters', 'SIMPLE', { content: 'x'.repeat(4001) }, 'SINGLE_PUSH_CONTENT_TOO_LONG', 'content: at most 4000'],
  ['templateName missing (template)', 'TEMPLATE', { templateName: undefined }, 'NEED_TEMPLATE', 'templateName'],
  ['templateName empty (multiple)', 'MULTIPLE', { templateName: '' }, 'NEED_TEMPLATE', 'templateName'],
  ['templateName missing (broadcast)', 'BROADCAST', { templateName: undefined }, 'NEED_TEMPLATE', 'templateName'],
  ['templateKeyValue not an object', 'TEMPLATE', { templateKeyValue: '"Bob"' }, 'INVALID_PARAM', 'templateKeyValue'],
  ['expiredSeconds missing', 'SIMPLE', { expiredSeconds: undefined }, 'EXPIREDSECONDS_WRONG', 'expiredSeconds: required'],
  ['expiredSeconds 0', 'TEMPLATE', { expiredSeconds: 0 }, 'EXPIREDSECONDS_WRONG', 'at least 1'],
  ['expiredSeconds 1.5', 'BROADCAST', { expiredSeconds: 1.5 }, 'EXPIREDSECONDS_WRONG', 'whole number'],
  ['expiredSeconds 604801', 'MULTIPLE', { expiredSeconds: 604_801 }, 'EXPIREDTIME_TOO_LONG', 'at most 604800'],
  ['21 extension parameters', 'SIMPLE', { extendedParams: keys(21) }, 'EXTEND_PARAM_TO_MUCH', 'at most 20'],
  ['11 extension parameters on one TargetMsg', 'MULTIPLE', { targetMsgs: [{ target: 'u1', msgKey: 'm1', extendedParams: keys(11) }] }, 'MULTIPLE_INNER_EXTEND_PARAM_TO_MUCH', 'targetMsgs[0].extendedParams: at most 10'],
  ['a reserved extension key', 'TEMPLATE', { extendedParams: { taskId: '1' } }, 'INVALID_EXTEND_PARAM', 'extendedParams.taskId'],
  ['a reserved extension key on a TargetMsg', 'MULTIPLE', { targetMsgs: [{ target: 'u1', msgKey: 'm1', extendedParams: '{"channel":"x"}' }] }, 'INVALID_EXTEND_PARAM', 'targetMsgs[0].extendedParams.channel'],
  ['an empty extension key', 'SIMPLE', { extendedParams: { '': 'v' } }, 'INVALID_EXTEND_PARAM', 'empty key'],
  ['an extension value that is an object', 'BROADCAST', { extendedParams: { k: { nested: 1 } } }, 'INVALID_EXTEND_PARAM', 'extendedParams.k'],
  ['badge negative', 'SIMPLE', { extendedParams: { badge: '-1' } }, 'INVALID_EXTEND_PARAM', 'extendedParams.badge'],
  ['badge not a number', 'SIMPLE', { extendedParams: { badge: 'many' } }, 'INVALID_EXTEND_PARAM', 'extendedParams.badge'],
  ['big_text other than 1', 'SIMPLE', { extendedParams: { big_text: '2' } }, 'INVALID_EXTEND_PARAM', 'extendedParams.big_text'],
  ['mutable-content other than 1', 'SIMPLE', { extendedParams: { 'mutable-content': '0' } }, 'INVALID_EXTEND_PARAM', 'extendedParams.mutable-content'],
  ['badge_add_num not an integer', 'SIMPLE', { extendedParams: { badge_add_num: '1.5', badge_class: 'a.B' } }, 'BADGE_ADD_NUM_INVALID', 'badge_add_num'],
  ['badge_add_num without badge_class', 'SIMPLE', { extendedParams: { badge_add_num: '1' } }, 'BADGE_ADD_NUM_NEED_BADGE_CLASS', 'badge_class'],
  ['a message over 4096 bytes for the client', 'SIMPLE', { content: '界'.repeat(1400) }, 'MSG_PAYLOAD_TOO_LONG', 'at most 4096'],
  ['notifyType other than transparent|notify', 'TEMPLATE', { notifyType: 'vendor' }, 'INVALID_PARAM', 'notifyType'],
  ['androidChannel other than transparent|notify', 'BROADCAST', { androidChannel: 'vendor' }, 'ANDROID_CHANNEL_PARAM_INVALID', 'androidChannel'],
  ['pushStatus 3', 'BROADCAST', { pushStatus: 3 }, 'INVALID_PARAM', 'pushStatus'],
  ['bindPeriod 5', 'BROADCAST', { bindPeriod: 5 }, 'INVALID_PARAM', 'bindPeriod'],
  ['pushStatus 1 without unBindPeriod', 'BROADCAST', { pushStatus: 1 }, 'BROADCAST_ALL_USER_NEED_UNBIND_PERIOD', 'unBindPeriod: required when pushStatus is 1'],
  ['pushStatus 2 without unBindPeriod', 'BROADCAST', { pushStatus: 2 }, 'BROADCAST_ALL_USER_NEED_UNBIND_PERIOD', 'unBindPeriod: required when pushStatus is 2'],
  ['unBindPeriod 5', 'BROADCAST', { pushStatus: 2, unBindPeriod: 5 }, 'BROADCAST_ALL_USER_UNBIND_PERIOD_INVALID', 'unBindPeriod'],
  ['all users over the Android self-built channel', 'BROADCAST', { pushStatus: 1, unBindPeriod: 1, androidChannel: 'transparent' }, 'BROADCAST_ALL_USER_NOT_SUPPORT_SELFCHANNEL_ANDROID', 'pushStatus'],
  ['broadcast rate 0', 'BROADCAST', { rate: 0 }, 'INVALID_PARAM', 'rate: must be a positive integer'],
  ['broadcast rate 2.5', 'BROADCAST', { rate: 2.5 }, 'INVALID_PARAM', 'rate: must be a positive integer'],
  ['broadcast rate -60', 'BROADCAST', { rate: -60 }, 'INVALID_PARAM', 'rate: must be a positive integer'],
  ['pushAction 2', 'SIMPLE', { pushAction: 2 }, 'INVALID_PARAM', 'pushAction'],
  ['silent 2', 'SIMPLE', { silent: 2 }, 'INVALID_PARAM', 'silent'],
  ['pushStyle 3', 'SIMPLE', { pushStyle: 3 }, 'INVALID_PARAM', 'pushStyle'],
  ['imageUrls with an unknown key', 'SIMPLE', { imageUrls: { vivoUrl: 'https://x/i.png' } }, 'INVALID_PARAM', 'imageUrls.vivoUrl'],
  ['iconUrls with a value that is not a string', 'SIMPLE', { iconUrls: { defaultUrl: ['https://x/i.png'] } }, 'INVALID_PARAM', 'iconUrls.defaultUrl'],
  ['classification 2', 'MULTIPLE', { classification: '2' }, 'INVALID_PARAM', 'classification'],
  ['strategyType 3', 'TEMPLATE', { strategyType: 3 }, 'INVALID_PARAM', 'strategyType'],
  ['strategyType 1 without StrategyContent', 'BROADCAST', { strategyType: 1 }, 'INVALID_PARAM', 'StrategyContent: required when strategyType is 1'],
  ['StrategyContent not a JSON object', 'SIMPLE', { strategyType: 2, StrategyContent: '[1]' }, 'INVALID_PARAM', 'StrategyContent'],
  ['live activity without activityEvent', 'SIMPLE', { deliveryType: 5 }, 'INVALID_PARAM', 'activityEvent: required when deliveryType is 5'],
  ['activityEvent start', 'TEMPLATE', { deliveryType: 6, activityEvent: 'start' }, 'INVALID_PARAM', 'activityEvent: must be update or end'],
  ['activityEvent on an iOS device push', 'SIMPLE', { deliveryType: 2, activityEvent: 'update' }, 'INVALID_PARAM', 'activityEvent: live-activity parameters apply only'],
  ['dismissalDate on a user push', 'MULTIPLE', { dismissalDate: 1_700_000_000 }, 'INVALID_PARAM', 'dismissalDate: live-activity parameters apply only'],
  ['dismissalDate not an integer', 'SIMPLE', { deliveryType: 5, activityEvent: 'end', dismissalDate: 1.5 }, 'INVALID_PARAM', 'dismissalDate'],
  ['smsStrategy 1', 'SIMPLE', { smsStrategy: 1, smsSignName: 'sign', smsTemplateCode: 'SMS_1' }, 'INVALID_PARAM', 'smsStrategy: only 0'],
  ['smsStrategy 0.5', 'TEMPLATE', { smsStrategy: 0.5 }, 'INVALID_PARAM', 'smsStrategy: must be an integer'],
];

describe('parsePushRequest', () => {
  describe.each<RequestMode>(['strict', 'lenient'])('%s mode', (mode) => {
    const form = (raw: Raw) => (mode === 'strict' ? raw : asRpc(raw));

    it.each(Object.keys(VALID) as PushType[])('accepts the base %s request', (type) => {
      expect(parsePushRequest(type, form(request(type)), mode)).toMatchObject({ type, ...APP });
    });

    it.each(RULES)('refuses %s', (_rule, type, overrides, code, messagePart) => {
      expectRefused(type, form(request(type, overrides)), mode, code, messagePart);
    });

    it('accepts the values at the limits', () => {
      const simple = parsePushRequest(
        'SIMPLE',
        form(request('SIMPLE', { title: '😀'.repeat(200), content: 'x'.repeat(3000), expiredSeconds: 604_800, targetMsgkey: keys(10, 'u'), extendedParams: keys(20) })),
        mode,
      );
      expect(simple).toMatchObject({ expiredSeconds: 604_800, content: { title: '😀'.repeat(200) } });
      const multiple = parsePushRequest('MULTIPLE', form(request('MULTIPLE', { targetMsgs: targetMsgs(400), expiredSeconds: 1 })), mode);
      expect(multiple).toMatchObject({ expiredSeconds: 1 });
      expect(multiple.type === 'MULTIPLE' && multiple.targetMsgs).toHaveLength(400);
    });

    it('accepts the significant extension keys with valid values and passes user keys through', () => {
      const extendedParams = { badge: '3', big_text: '1', 'mutable-content': 1, badge_add_num: '-2', badge_class: 'com.example.Main', sound: 'ring.mp3', flag: true };
      expect(parsePushRequest('SIMPLE', form(request('SIMPLE', { extendedParams })), mode)).toMatchObject({
        extParams: { badge: '3', big_text: '1', 'mutable-content': '1', badge_add_num: '-2', badge_class: 'com.example.Main', sound: 'ring.mp3', flag: 'true' },
      });
    });

    it('reads a full simple push', () => {
      const raw = {
        ...request('SIMPLE', { deliveryType: 5, targetMsgkey: { tokenA: 'm1', tokenB: 'm2' } }),
        uri: 'https://example.com/a',
        pushAction: 1,
        silent: 1,
        pushStyle: 2,
        notifyType: 'notify',
        imageUrls: { defaultUrl: 'https://x/big.png', hmsUrl: 'https://x/hms.png' },
        iconUrls: '{"iosUrl":"https://x/icon.png"}',
        classification: '0',
        strategyType: 1,
        StrategyContent: { fixedTime: 1_630_303_126_000 },
        activityEvent: 'end',
        activityContentState: { score: 3 },
        dismissalDate: 1_700_000_000,
        smsStrategy: 0,
        smsSignName: 'Sign',
        smsTemplateCode: 'SMS_1',
        smsTemplateParam: { code: '1234' },
      };
      expect(parsePushRequest('SIMPLE', form(raw), mode)).toEqual({
        type: 'SIMPLE',
        ...APP,
        taskName: 'simpleTest',
        deliveryType: 5,
        targets: [
          { target: 'tokenA', msgKey: 'm1' },
          { target: 'tokenB', msgKey: 'm2' },
        ],
        content: {
          title: 'Test',
          content: 'Body',
          uri: 'https://example.com/a',
          action: 1,
          silent: true,
          style: 2,
          imageUrls: { defaultUrl: 'https://x/big.png', hmsUrl: 'https://x/hms.png' },
          iconUrls: { iosUrl: 'https://x/icon.png' },
        },
        expiredSeconds: 300,
        extParams: {},
        notifyType: 'notify',
        classification: '0',
        strategy: { strategyType: 1, content: { fixedTime: 1_630_303_126_000 } },
        liveActivity: { event: 'end', contentState: { score: 3 }, dismissalDate: 1_700_000_000 },
        sms: { strategy: 0, signName: 'Sign', templateCode: 'SMS_1', templateParam: '{"code":"1234"}' },
      });
    });

    it('reads a multiple push with per-target values and extension parameters', () => {
      const raw = request('MULTIPLE', {
        extendedParams: { k: 'task' },
        targetMsgs: [
          { target: 'u1', msgKey: 'm1', templateKeyValue: '{"name":"Bob"}', extendedParams: { k: 'one' } },
          { target: 'u2', msgKey: 'm2', templateKeyValue: { name: 'Ann' } },
        ],
      });
      expect(parsePushRequest('MULTIPLE', form(raw), mode)).toMatchObject({
        templateName: 'testTemplate',
        extParams: { k: 'task' },
        targetMsgs: [
          { target: 'u1', msgKey: 'm1', templateValues: { name: 'Bob' }, extParams: { k: 'one' } },
          { target: 'u2', msgKey: 'm2', templateValues: { name: 'Ann' }, extParams: {} },
        ],
      });
    });

    it('reads a broadcast to all users with its periods and maps androidChannel to notifyType', () => {
      const raw = request('BROADCAST', { deliveryType: 2, pushStatus: 1, unBindPeriod: 2, bindPeriod: 3, androidChannel: 'transparent', templateKeyValue: { content: 'Hi' } });
      expect(parsePushRequest('BROADCAST', form(raw), mode)).toMatchObject({
        deliveryType: 2,
        msgKey: 'b1',
        templateValues: { content: 'Hi' },
        notifyType: 'transparent',
        audience: { pushStatus: 1, bindPeriod: null, unBindPeriod: 2 },
        liveActivity: null,
      });
    });

    it('reads a broadcast rate in messages per minute, none when not given', () => {
      expect(parsePushRequest('BROADCAST', form(request('BROADCAST', { rate: 1200 })), mode)).toMatchObject({ ratePerMinute: 1200 });
      expect(parsePushRequest('BROADCAST', form(request('BROADCAST')), mode)).toMatchObject({ ratePerMinute: null });
    });

    it('fills in the defaults of every optional parameter', () => {
      const defaults = { expiredSeconds: 300, extParams: {}, notifyType: null, classification: '1', strategy: { strategyType: 0, content: null }, liveActivity: null, sms: null };
      expect(parsePushRequest('SIMPLE', form(request('SIMPLE')), mode)).toMatchObject({
        ...defaults,
        content: { uri: '', action: 0, silent: false, style: 0, imageUrls: {}, iconUrls: {} },
      });
      expect(parsePushRequest('TEMPLATE', form(request('TEMPLATE')), mode)).toMatchObject({ ...defaults, templateValues: {} });
      expect(parsePushRequest('BROADCAST', form(request('BROADCAST')), mode)).toMatchObject({ ...defaults, templateValues: {}, audience: { pushStatus: 0, bindPeriod: 4, unBindPeriod: null } });
    });

    it('keeps StrategyContent only for a scheduled push, and dismissalDate only with the end event', () => {
      expect(parsePushRequest('TEMPLATE', form(request('TEMPLATE', { strategyType: 0, StrategyContent: { fixedTime: 1 } })), mode)).toMatchObject({ strategy: { strategyType: 0, content: null } });
      expect(parsePushRequest('TEMPLATE', form(request('TEMPLATE', { deliveryType: 6, activityEvent: 'update', dismissalDate: 1_700_000_000 })), mode)).toMatchObject({
        liveActivity: { event: 'update', contentState: null, dismissalDate: null },
      });
    });

    it('sends all users over the self-built channel to devices other than Android', () => {
      const raw = request('BROADCAST', { deliveryType: 7, pushStatus: 1, unBindPeriod: 4, androidChannel: 'transparent' });
      expect(parsePushRequest('BROADCAST', form(raw), mode)).toMatchObject({ audience: { pushStatus: 1, unBindPeriod: 4 } });
    });

    it('refuses the same parameter under two spellings', () => {
      const raw = { ...form(request('SIMPLE', { strategyType: 1 })), strategyContent: '{"fixedTime":1}', StrategyContent: '{"fixedTime":2}' };
      expectRefused('SIMPLE', raw, mode, 'INVALID_PARAM', 'StrategyContent: given more than once (as strategyContent, StrategyContent)');
    });
  });

  describe('strict mode (REST v1)', () => {
    it('refuses an unknown field, naming it', () => {
      expectRefused('SIMPLE', request('SIMPLE', { titel: 'x' }), 'strict', 'INVALID_PARAM', 'titel: unknown parameter');
      expectRefused('MULTIPLE', request('MULTIPLE', { targetMsgs: [{ target: 'u1', msgKey: 'm1', msgkey: 'm1' }] }), 'strict', 'INVALID_PARAM', 'targetMsgs[0].msgkey: unknown parameter');
    });

    it('refuses parameters of another push type and other spellings', () => {
      expectRefused('TEMPLATE', request('TEMPLATE', { title: 'x' }), 'strict', 'INVALID_PARAM', 'title: unknown parameter');
      expectRefused('BROADCAST', request('BROADCAST', { notifyType: 'notify' }), 'strict', 'INVALID_PARAM', 'notifyType: unknown parameter');
      expectRefused('SIMPLE', request('SIMPLE', { TaskName: 'x' }), 'strict', 'INVALID_PARAM', 'TaskName: unknown parameter');
    });

    it('refuses wrong JSON types, naming the field', () => {
      expectRefused('SIMPLE', request('SIMPLE', { expiredSeconds: '300' }), 'strict', 'INVALID_PARAM', 'expiredSeconds: must be a JSON number');
      expectRefused('SIMPLE', request('SIMPLE', { deliveryType: '3' }), 'strict', 'INVALID_PARAM', 'deliveryType: must be a JSON number');
      expectRefused('SIMPLE', request('SIMPLE', { title: 5 }), 'strict', 'INVALID_PARAM', 'title: must be a JSON string');
      expectRefused('SIMPLE', request('SIMPLE', { classification: 1 }), 'strict', 'INVALID_PARAM', 'classification: must be a JSON string');
      expectRefused('SIMPLE', request('SIMPLE', { targetMsgkey: { u1: 1578807462788 } }), 'strict', 'INVALID_PARAM', 'targetMsgkey.u1: must be a string');
      expectRefused('MULTIPLE', request('MULTIPLE', { targetMsgs: JSON.stringify(targetMsgs(1)) }), 'strict', 'INVALID_PARAM', 'targetMsgs: must be a JSON array');
      expectRefused('SIMPLE', request('SIMPLE', { deliveryType: 5, activityEvent: 'update', activityContentState: '{"a":1}' }), 'strict', 'INVALID_PARAM', 'activityContentState: must be a JSON object');
    });

    it('accepts the aliases strategyContent and targetMsg', () => {
      expect(parsePushRequest('SIMPLE', request('SIMPLE', { strategyType: 1, strategyContent: '{"fixedTime":1}' }), 'strict')).toMatchObject({ strategy: { strategyType: 1, content: { fixedTime: 1 } } });
      expect(parsePushRequest('MULTIPLE', request('MULTIPLE', { targetMsgs: undefined, targetMsg: targetMsgs(2) }), 'strict')).toMatchObject({
        targetMsgs: [{ target: 'user0' }, { target: 'user1' }],
      });
      expectRefused('MULTIPLE', request('MULTIPLE', { targetMsg: targetMsgs(1) }), 'strict', 'INVALID_PARAM', 'targetMsgs: given more than once (as targetMsgs, targetMsg)');
    });

    it('reads null as absent', () => {
      expect(parsePushRequest('SIMPLE', request('SIMPLE', { notifyType: null, uri: null }), 'strict')).toMatchObject({ notifyType: null, content: { uri: '' } });
    });
  });

  describe('lenient mode (mPaaS OpenAPI RPC)', () => {
    const rpc = (type: PushType, overrides: Raw = {}) => asRpc(request(type, overrides));

    it('ignores unknown parameters, reads names in any case and numbers as decimal strings', () => {
      const raw = { ...rpc('SIMPLE', { targetMsgkey: undefined }), Action: 'PushSimple', Version: '2019-08-21', targetmsgkey: { u1: 1578807462788 }, PUSHSTYLE: '1', Unknown: { a: 1 } };
      expect(parsePushRequest('SIMPLE', raw, 'lenient')).toMatchObject({ deliveryType: 3, expiredSeconds: 300, targets: [{ target: 'u1', msgKey: '1578807462788' }], content: { style: 1 } });
    });

    it('reads the broadcast message id as Msgkey or MsgKey', () => {
      expect(parsePushRequest('BROADCAST', rpc('BROADCAST'), 'lenient')).toMatchObject({ msgKey: 'b1' });
      expect(parsePushRequest('BROADCAST', { ...rpc('BROADCAST', { msgkey: undefined }), MsgKey: 'b2' }, 'lenient')).toMatchObject({ msgKey: 'b2' });
    });

    it('refuses values that are not decimal numbers with the rule of the parameter', () => {
      expectRefused('SIMPLE', rpc('SIMPLE', { deliveryType: 'one' }), 'lenient', 'DELIVERY_TYPE_NOT_SUPPORTED', 'deliveryType: NaN');
      expectRefused('SIMPLE', rpc('SIMPLE', { expiredSeconds: '5 minutes' }), 'lenient', 'EXPIREDSECONDS_WRONG', 'expiredSeconds');
      expectRefused('BROADCAST', rpc('BROADCAST', { pushStatus: 2, unBindPeriod: 'forever' }), 'lenient', 'BROADCAST_ALL_USER_UNBIND_PERIOD_INVALID', 'unBindPeriod');
      expectRefused('SIMPLE', { ...rpc('SIMPLE'), PushStyle: { a: 1 } }, 'lenient', 'INVALID_PARAM', 'pushStyle: must be a number');
    });

    it('reads empty strings as absent', () => {
      expect(parsePushRequest('SIMPLE', rpc('SIMPLE', { notifyType: '', pushStyle: '', extendedParams: '', strategyType: '' }), 'lenient')).toMatchObject({
        notifyType: null,
        extParams: {},
        strategy: { strategyType: 0 },
      });
      expectRefused('SIMPLE', rpc('SIMPLE', { taskName: '' }), 'lenient', 'TASKNAME_NULL', 'taskName');
    });

    it('takes JSON parameters as nested objects and activityContentState as a JSON string', () => {
      const raw = { ...rpc('SIMPLE', { deliveryType: 5, activityEvent: 'update' }), TargetMsgkey: { u1: 'm1' }, ExtendedParams: { badge: 2 }, ActivityContentState: '{"score":1}' };
      expect(parsePushRequest('SIMPLE', raw, 'lenient')).toMatchObject({ targets: [{ target: 'u1', msgKey: 'm1' }], extParams: { badge: '2' }, liveActivity: { contentState: { score: 1 } } });
    });

    it('reads TargetMsgs given as a JSON string with UpperCamel item fields', () => {
      const items = [{ Target: 'u1', MsgKey: 'm1', TemplateKeyValue: '{"name":"Bob"}', ExtendedParams: '{"k":"v"}' }];
      expect(parsePushRequest('MULTIPLE', { ...rpc('MULTIPLE', { targetMsgs: undefined }), TargetMsgs: JSON.stringify(items) }, 'lenient')).toMatchObject({
        targetMsgs: [{ target: 'u1', msgKey: 'm1', templateValues: { name: 'Bob' }, extParams: { k: 'v' } }],
      });
    });

    it('reads flattened TargetMsg.N items in order of N', () => {
      const raw = {
        ...rpc('MULTIPLE', { targetMsgs: undefined }),
        'TargetMsg.10.Target': 'u10',
        'TargetMsg.10.MsgKey': 'm10',
        'TargetMsg.2.Target': 'u2',
        'TargetMsg.2.MsgKey': 'm2',
        'TargetMsg.2.TemplateKeyValue': '{"name":"Ann"}',
        'TargetMsg.2.ExtendedParams': '{"k":"v"}',
      };
      expect(parsePushRequest('MULTIPLE', raw, 'lenient')).toMatchObject({
        targetMsgs: [
          { target: 'u2', msgKey: 'm2', templateValues: { name: 'Ann' }, extParams: { k: 'v' } },
          { target: 'u10', msgKey: 'm10', templateValues: {}, extParams: {} },
        ],
      });
      const targetMsgsForm = { ...rpc('MULTIPLE', { targetMsgs: undefined }), 'TargetMsgs.1.Target': 'u1', 'TargetMsgs.1.MsgKey': 'm1' };
      expect(parsePushRequest('MULTIPLE', targetMsgsForm, 'lenient')).toMatchObject({ targetMsgs: [{ target: 'u1', msgKey: 'm1' }] });
    });

    it('names flattened items in refusals and refuses a list given both whole and flattened', () => {
      const missingMsgKey = { ...rpc('MULTIPLE', { targetMsgs: undefined }), 'TargetMsg.1.Target': 'u1' };
      expectRefused('MULTIPLE', missingMsgKey, 'lenient', 'INVALID_PARAM', 'TargetMsg.1.msgKey');
      const both = { ...rpc('MULTIPLE'), 'TargetMsg.1.Target': 'u1', 'TargetMsg.1.MsgKey': 'm1' };
      expectRefused('MULTIPLE', both, 'lenient', 'INVALID_PARAM', 'targetMsgs: given both as a list and as flattened');
    });

    it('refuses one parameter given in two cases', () => {
      expectRefused('SIMPLE', { ...rpc('SIMPLE'), taskName: 'other' }, 'lenient', 'INVALID_PARAM', 'taskName: given more than once (as TaskName, taskName)');
    });
  });

  describe('order of evaluation: a request breaking two rules gets the earlier rule', () => {
    const ORDER: [string, PushType, Raw, PushResultCode, string][] = [
      ['app before names', 'SIMPLE', { appId: undefined, titel: 'x' }, 'NEED_APPID_WORKSPACEID', 'appId'],
      ['appId before workspaceId', 'SIMPLE', { appId: '', workspaceId: '' }, 'NEED_APPID_WORKSPACEID', 'appId'],
      ['names before taskName', 'SIMPLE', { titel: 'x', taskName: '' }, 'INVALID_PARAM', 'titel'],
      ['taskName before deliveryType', 'SIMPLE', { taskName: '', deliveryType: 4 }, 'TASKNAME_NULL', 'taskName'],
      ['deliveryType before targets', 'TEMPLATE', { deliveryType: 4, targetMsgkey: undefined }, 'DELIVERY_TYPE_NOT_SUPPORTED', 'deliveryType'],
      ['targets before message', 'SIMPLE', { targetMsgkey: undefined, title: '' }, 'TOKEN_OR_USERID_NULL', 'targetMsgkey'],
      ['targets before template', 'MULTIPLE', { targetMsgs: targetMsgs(401), templateName: undefined }, 'MULTIPLE_TARGET_NUMBER_TOO_MUCH', 'targetMsgs'],
      ['msgkey before template', 'BROADCAST', { msgkey: '', templateName: '' }, 'INVALID_PARAM', 'msgkey'],
      ['title before content', 'SIMPLE', { title: '', content: '' }, 'PAYLOAD_NOT_ENOUGH', 'title'],
      ['message before expiry', 'SIMPLE', { content: 'x'.repeat(4001), expiredSeconds: 0 }, 'SINGLE_PUSH_CONTENT_TOO_LONG', 'content'],
      ['template before expiry', 'TEMPLATE', { templateName: '', expiredSeconds: 604_801 }, 'NEED_TEMPLATE', 'templateName'],
      ['expiry before extension parameters', 'SIMPLE', { expiredSeconds: 0, extendedParams: keys(21) }, 'EXPIREDSECONDS_WRONG', 'expiredSeconds'],
      ['task extension parameters before per-target ones', 'MULTIPLE', { extendedParams: { action: 'x' }, targetMsgs: [{ target: 'u', msgKey: 'm', extendedParams: keys(11) }] }, 'INVALID_EXTEND_PARAM', 'extendedParams.action'],
      ['extension count before keys', 'SIMPLE', { extendedParams: { ...keys(20), silent: '1' } }, 'EXTEND_PARAM_TO_MUCH', 'extendedParams'],
      ['extension parameters before payload size', 'SIMPLE', { content: '界'.repeat(1400), extendedParams: { badge: 'x' } }, 'INVALID_EXTEND_PARAM', 'badge'],
      ['badge_add_num value before badge_class', 'SIMPLE', { extendedParams: { badge_add_num: 'x' } }, 'BADGE_ADD_NUM_INVALID', 'badge_add_num'],
      ['payload size before channel', 'SIMPLE', { content: '界'.repeat(1400), notifyType: 'x' }, 'MSG_PAYLOAD_TOO_LONG', 'message'],
      ['androidChannel before audience', 'BROADCAST', { androidChannel: 'x', pushStatus: 1 }, 'ANDROID_CHANNEL_PARAM_INVALID', 'androidChannel'],
      ['unBindPeriod before the self-built channel rule', 'BROADCAST', { pushStatus: 1, androidChannel: 'transparent' }, 'BROADCAST_ALL_USER_NEED_UNBIND_PERIOD', 'unBindPeriod'],
      ['notifyType before presentation', 'SIMPLE', { notifyType: 'x', pushStyle: 9 }, 'INVALID_PARAM', 'notifyType'],
      ['presentation before classification', 'SIMPLE', { pushStyle: 9, classification: '5' }, 'INVALID_PARAM', 'pushStyle'],
      ['classification before strategy', 'TEMPLATE', { classification: '5', strategyType: 1 }, 'INVALID_PARAM', 'classification'],
      ['strategy before live activity', 'SIMPLE', { strategyType: 2, deliveryType: 5 }, 'INVALID_PARAM', 'StrategyContent'],
      ['live activity before SMS', 'SIMPLE', { deliveryType: 6, smsStrategy: 1 }, 'INVALID_PARAM', 'activityEvent'],
    ];

    it.each(ORDER)('%s', (_order, type, overrides, code, messagePart) => {
      expectRefused(type, request(type, overrides), 'strict', code, messagePart);
    });
  });

  /**
   * Which of the 45 codes of mps.md §3.17 this parser raises (with an example request) and which
   * it never does (with who does). Fails when a code is added to or missing from either list.
   */
  describe('result codes raised by the parser', () => {
    const RAISED: Partial<Record<PushResultCode, [PushType, Raw]>> = {
      NEED_APPID_WORKSPACEID: ['SIMPLE', { appId: '' }],
      DELIVERY_TYPE_NOT_SUPPORTED: ['SIMPLE', { deliveryType: 4 }],
      TASKNAME_NULL: ['SIMPLE', { taskName: '' }],
      EXPIREDSECONDS_WRONG: ['SIMPLE', { expiredSeconds: 0 }],
      TOKEN_OR_USERID_NULL: ['SIMPLE', { targetMsgkey: {} }],
      PAYLOAD_NOT_ENOUGH: ['SIMPLE', { title: '' }],
      NEED_TEMPLATE: ['TEMPLATE', { templateName: '' }],
      EXPIREDTIME_TOO_LONG: ['SIMPLE', { expiredSeconds: 604_801 }],
      INVALID_PARAM: ['SIMPLE', { pushStyle: 3 }],
      SINGLE_PUSH_TARGET_TOO_MUCH: ['SIMPLE', { targetMsgkey: keys(11) }],
      BROADCAST_ONLY_SUPPORT_BY_DEVICE: ['BROADCAST', { deliveryType: 3 }],
      EXTEND_PARAM_TO_MUCH: ['SIMPLE', { extendedParams: keys(21) }],
      SINGLE_PUSH_CONTENT_TOO_LONG: ['SIMPLE', { content: 'x'.repeat(4001) }],
      INVALID_EXTEND_PARAM: ['SIMPLE', { extendedParams: { pushType: '1' } }],
      MULTIPLE_INNER_EXTEND_PARAM_TO_MUCH: ['MULTIPLE', { targetMsgs: [{ target: 'u', msgKey: 'm', extendedParams: keys(11) }] }],
      MSG_PAYLOAD_TOO_LONG: ['SIMPLE', { content: '界'.repeat(1400) }],
      BROADCAST_ALL_USER_NEED_UNBIND_PERIOD: ['BROADCAST', { pushStatus: 1 }],
      BROADCAST_ALL_USER_UNBIND_PERIOD_INVALID: ['BROADCAST', { pushStatus: 1, unBindPeriod: 0 }],
      BROADCAST_ALL_USER_NOT_SUPPORT_SELFCHANNEL_ANDROID: ['BROADCAST', { pushStatus: 1, unBindPeriod: 4, androidChannel: 'transparent' }],
      MULTIPLE_TARGET_NUMBER_TOO_MUCH: ['MULTIPLE', { targetMsgs: targetMsgs(401) }],
      ANDROID_CHANNEL_PARAM_INVALID: ['BROADCAST', { androidChannel: '1' }],
      BADGE_ADD_NUM_INVALID: ['SIMPLE', { extendedParams: { badge_add_num: 'x', badge_class: 'c' } }],
      BADGE_ADD_NUM_NEED_BADGE_CLASS: ['SIMPLE', { extendedParams: { badge_add_num: '1' } }],
    };
    const NOT_RAISED: Partial<Record<PushResultCode, string>> = {
      SUCCESS: 'the face, on acceptance',
      SIGNATURE_MISMATCH: 'the face (authentication)',
      NEED_DELIVERYTOKEN: 'client RPCs (mps.md §4)',
      NEED_FILE: 'the console multiple push upload',
      APPID_WRONG: 'the face (the key names another app)',
      OS_TYPE_NOT_SUPPORTED: 'client RPCs',
      NEED_USERID: 'client RPCs',
      TEMPLATE_NOT_EXIST: 'the intake (template lookup)',
      TEMPLATEKV_NOT_ENOUGH: 'the intake (rendering)',
      REQUEST_SHOULD_BE_UTF8: 'the face (body decoding)',
      REST_API_SWITCH_NOT_OPEN: 'the face (API switch)',
      UNKNOWN_REST_SIGN_TYPE: 'the face (authentication)',
      TEMPLATE_ALREADY_EXIST: 'the template API',
      TEMPLATE_NAME_NULL: 'the template API',
      TEMPLATE_NAME_INVALID: 'the template API',
      TEMPLATE_CONTENT_INVALID: 'the template API',
      TEMPLATE_TITLE_INVALID: 'the template API',
      TEMPLATE_DESC_INFO_INVALID: 'the template API',
      TEMPLATE_URI_INVALID: 'the template API',
      DELIVERYTOKEN_INVALID: 'the delivery of self-built messages',
      TEMPLATE_NUM_TOO_MUCH: 'the template API',
      SYSTEM_ERROR: 'anything failing unexpectedly',
    };

    it('sorts every one of the 45 codes into raised or not raised, once', () => {
      const raised = Object.keys(RAISED);
      const notRaised = Object.keys(NOT_RAISED);
      expect(raised.filter((code) => notRaised.includes(code))).toEqual([]);
      expect([...raised, ...notRaised].sort()).toEqual(Object.keys(PUSH_RESULT_CODES).sort());
      expect(Object.keys(PUSH_RESULT_CODES)).toHaveLength(45);
    });

    it.each(Object.entries(RAISED))('raises %s', (code, example) => {
      const [type, overrides] = example as [PushType, Raw];
      expect(refusalOf(() => parsePushRequest(type, request(type, overrides), 'strict')).code).toBe(code);
    });
  });
});

describe('assertPayloadFits', () => {
  const sized = (bytes: number) => {
    const overhead = Buffer.byteLength(JSON.stringify({ title: 't', content: '', uri: '', extParams: {} }));
    return { title: 't', content: 'x'.repeat(bytes - overhead), uri: '', extParams: {} };
  };

  it('accepts a message of 4096 bytes as serialised for the client and refuses 4097', () => {
    expect(() => assertPayloadFits(sized(4096))).not.toThrow();
    expect(refusalOf(() => assertPayloadFits(sized(4097)))).toMatchObject({ code: 'MSG_PAYLOAD_TOO_LONG', numericCode: 3050 });
  });

  it('counts UTF-8 bytes, ext params included, and nothing else given', () => {
    const message = { title: '界'.repeat(1000), content: 'c', uri: '', extParams: { k: '界'.repeat(400) } };
    expect(refusalOf(() => assertPayloadFits(message)).message).toContain('4256 bytes');
    expect(() => assertPayloadFits({ ...sized(4096), imageUrls: 'x'.repeat(5000) } as Parameters<typeof assertPayloadFits>[0])).not.toThrow();
  });
});
