import { validateSyncData, type SyncDataRequest, type SyncScope } from './sync-data';

const NOW = 1_800_000_000_000;
const DAY = 24 * 60 * 60 * 1000;
const SINGLE: SyncDataRequest = { bizType: 'DEVICE-LOCK', linkToken: 'user1234', thirdMsgId: 'msg-1', payload: '{"lock":true}' };
const GLOBAL: SyncDataRequest = { bizType: 'NEWS', thirdMsgId: 'msg-2', payload: 'headline' };

function refusal(scope: SyncScope, request: SyncDataRequest): { code: string; kind: string; message: string } {
  try {
    validateSyncData(scope, request, NOW);
  } catch (error) {
    const { code, kind, message } = error as { code: string; kind: string; message: string };
    return { code, kind, message };
  }
  throw new Error('expected a refusal');
}

describe('validateSyncData', () => {
  it('accepts a minimal single order without filters', () => {
    expect(validateSyncData('SINGLE', SINGLE, NOW)).toEqual({
      scope: 'SINGLE',
      bizType: 'DEVICE-LOCK',
      linkToken: 'user1234',
      thirdMsgId: 'msg-1',
      payload: '{"lock":true}',
      binary: false,
      filters: { platforms: null, appMinVersion: null, appMaxVersion: null, uidSegments: null },
      validTimeStart: null,
      validTimeEnd: null,
    });
  });

  it('accepts a global order with every filter, reading numbers as text', () => {
    const valid = validateSyncData('GLOBAL', { ...GLOBAL, osType: 'IOS/android', appMinVersion: ' 8.6.0.9999', appMaxVersion: '9.0', validTimeStart: String(NOW - 1000), validTimeEnd: ` ${NOW + 30 * DAY} `, uids: '99, 01,02,01', minUid: '5' }, NOW);
    expect(valid).toMatchObject({
      scope: 'GLOBAL',
      linkToken: '',
      filters: { platforms: ['IOS', 'ANDROID'], appMinVersion: '8.6.0.9999', appMaxVersion: '9.0', uidSegments: [1, 2, 99] },
      validTimeStart: NOW - 1000,
      validTimeEnd: NOW + 30 * DAY,
    });
  });

  it('keeps a binary payload as its base64 text', () => {
    expect(validateSyncData('SINGLE', { ...SINGLE, payload: '  ', binaryPayload: 'AAEC/w==' }, NOW)).toMatchObject({ payload: 'AAEC/w==', binary: true });
  });

  it('expands minUid..maxUid, a missing bound being 0 or 99', () => {
    const segments = (request: SyncDataRequest) => validateSyncData('GLOBAL', { ...GLOBAL, ...request }, NOW).filters.uidSegments;
    expect(segments({ minUid: '3', maxUid: '05' })).toEqual([3, 4, 5]);
    expect(segments({ minUid: '97' })).toEqual([97, 98, 99]);
    expect(segments({ maxUid: '2' })).toEqual([0, 1, 2]);
    expect(segments({ minUid: '7', maxUid: '7' })).toEqual([7]);
    expect(segments({ minUid: '', maxUid: ' ', uids: '' })).toBeNull();
  });

  it('accepts the limits exactly', () => {
    const atLimits = { ...SINGLE, payload: '\u{1F600}'.repeat(4096), thirdMsgId: 'é'.repeat(50), linkToken: 'u'.repeat(100), bizType: 'B'.repeat(30), appMinVersion: '1'.repeat(20), validTimeEnd: String(NOW + 30 * DAY) };
    expect(validateSyncData('SINGLE', atLimits, NOW).thirdMsgId).toBe('é'.repeat(50));
    expect(validateSyncData('SINGLE', { ...SINGLE, payload: undefined, binaryPayload: 'A'.repeat(4096) }, NOW).binary).toBe(true);
  });

  it.each<[string, SyncScope, SyncDataRequest, string, RegExp]>([
    ['thirdMsgId missing', 'SINGLE', { ...SINGLE, thirdMsgId: undefined }, 'THIRD_MSG_ID_IS_NULL', /thirdMsgId is required/],
    ['thirdMsgId blank', 'GLOBAL', { ...GLOBAL, thirdMsgId: ' \t' }, 'THIRD_MSG_ID_IS_NULL', /thirdMsgId/],
    ['bizType missing', 'SINGLE', { ...SINGLE, bizType: undefined }, 'ARGS_IS_NULL', /bizType is required/],
    ['bizType blank', 'GLOBAL', { ...GLOBAL, bizType: '  ' }, 'ARGS_IS_NULL', /bizType is required/],
    ['linkToken missing on single', 'SINGLE', { ...SINGLE, linkToken: undefined }, 'ARGS_IS_NULL', /linkToken is required/],
    ['linkToken blank on single', 'SINGLE', { ...SINGLE, linkToken: ' ' }, 'ARGS_IS_NULL', /linkToken is required/],
    ['both payloads missing', 'SINGLE', { ...SINGLE, payload: undefined }, 'ARGS_IS_NULL', /payload \(or binaryPayload\) is required/],
    ['both payloads blank', 'GLOBAL', { ...GLOBAL, payload: '', binaryPayload: ' ' }, 'ARGS_IS_NULL', /payload/],
    ['both payloads set', 'SINGLE', { ...SINGLE, binaryPayload: 'AA==' }, 'PAYLOAD_CONFLICT', /payload and binaryPayload/],
    ['payload of 4097 characters', 'SINGLE', { ...SINGLE, payload: 'p'.repeat(4097) }, 'PAYLOAD_LONG', /payload has 4097 characters; at most 4096/],
    ['payload of 4097 code points', 'GLOBAL', { ...GLOBAL, payload: '\u{1F600}'.repeat(4097) }, 'PAYLOAD_LONG', /payload has 4097/],
    ['binaryPayload of 4100 characters', 'SINGLE', { ...SINGLE, payload: undefined, binaryPayload: 'A'.repeat(4100) }, 'PAYLOAD_LONG', /binaryPayload has 4100 characters/],
    ['thirdMsgId of 101 bytes', 'SINGLE', { ...SINGLE, thirdMsgId: 'é'.repeat(50) + 'x' }, 'THIRD_MSG_ID_LONG', /thirdMsgId has 101 UTF-8 bytes; at most 100/],
    ['bizType of 31 characters', 'SINGLE', { ...SINGLE, bizType: 'B'.repeat(31) }, 'ARGS_INVALID', /^bizType: .*1-30/],
    ['bizType with an underscore', 'GLOBAL', { ...GLOBAL, bizType: 'NEWS_FEED' }, 'ARGS_INVALID', /^bizType: /],
    ['linkToken of 101 characters', 'SINGLE', { ...SINGLE, linkToken: 'u'.repeat(101) }, 'ARGS_INVALID', /^linkToken: at most 100 characters/],
    ['linkToken on global', 'GLOBAL', { ...GLOBAL, linkToken: 'user1' }, 'ARGS_INVALID', /^linkToken: the global API/],
    ['binaryPayload not base64', 'SINGLE', { ...SINGLE, payload: undefined, binaryPayload: 'not base64!' }, 'ARGS_INVALID', /^binaryPayload: must be base64/],
    ['binaryPayload without padding', 'SINGLE', { ...SINGLE, payload: undefined, binaryPayload: 'AAE' }, 'ARGS_INVALID', /^binaryPayload/],
    ['unknown osType', 'SINGLE', { ...SINGLE, osType: 'SYMBIAN' }, 'ARGS_INVALID', /^osType: "SYMBIAN"/],
    ['appMinVersion of 21 characters', 'SINGLE', { ...SINGLE, appMinVersion: '1.'.repeat(10) + '1' }, 'ARGS_INVALID', /^appMinVersion: .*at most 20/],
    ['appMaxVersion malformed', 'GLOBAL', { ...GLOBAL, appMaxVersion: '9..0' }, 'ARGS_INVALID', /^appMaxVersion: "9..0"/],
    ['appMinVersion above appMaxVersion', 'GLOBAL', { ...GLOBAL, appMinVersion: '9.1', appMaxVersion: '9.0.9' }, 'ARGS_INVALID', /appMinVersion 9.1 is above appMaxVersion 9.0.9/],
    ['minUid on single', 'SINGLE', { ...SINGLE, minUid: '1' }, 'ARGS_INVALID', /^minUid: UID ranges apply only to the global API/],
    ['uids on single', 'SINGLE', { ...SINGLE, uids: '01' }, 'ARGS_INVALID', /^uids: UID ranges apply only/],
    ['uids with a one-digit entry', 'GLOBAL', { ...GLOBAL, uids: '01,2' }, 'ARGS_INVALID', /^uids: "2" is not a two-digit segment/],
    ['uids with an empty entry', 'GLOBAL', { ...GLOBAL, uids: '01,,02' }, 'ARGS_INVALID', /^uids: "" is not/],
    ['uids of 100', 'GLOBAL', { ...GLOBAL, uids: '100' }, 'ARGS_INVALID', /^uids: "100"/],
    ['minUid not an integer', 'GLOBAL', { ...GLOBAL, minUid: '1.5' }, 'ARGS_INVALID', /^minUid: "1.5" must be an integer 0-99/],
    ['minUid negative', 'GLOBAL', { ...GLOBAL, minUid: '-1' }, 'ARGS_INVALID', /^minUid: /],
    ['maxUid of 100', 'GLOBAL', { ...GLOBAL, maxUid: '100' }, 'ARGS_INVALID', /^maxUid: "100" must be an integer 0-99/],
    ['minUid above maxUid', 'GLOBAL', { ...GLOBAL, minUid: '50', maxUid: '49' }, 'ARGS_INVALID', /minUid 50 is above maxUid 49/],
    ['a malformed bound even when uids wins', 'GLOBAL', { ...GLOBAL, uids: '01', maxUid: 'x' }, 'ARGS_INVALID', /^maxUid: /],
    ['validTimeStart not a number', 'SINGLE', { ...SINGLE, validTimeStart: 'tomorrow' }, 'INVALID_VALID_TIME', /^validTimeStart: "tomorrow" must be an integer epoch time in milliseconds/],
    ['validTimeEnd with a fraction', 'SINGLE', { ...SINGLE, validTimeEnd: `${NOW + 1000}.5` }, 'INVALID_VALID_TIME', /^validTimeEnd: /],
    ['validTimeEnd in exponent form', 'SINGLE', { ...SINGLE, validTimeEnd: '1.8e12' }, 'INVALID_VALID_TIME', /^validTimeEnd: /],
    ['validTimeStart after validTimeEnd', 'GLOBAL', { ...GLOBAL, validTimeStart: String(NOW + 2000), validTimeEnd: String(NOW + 1000) }, 'INVALID_VALID_TIME', /validTimeStart .* is after validTimeEnd/],
    ['validTimeEnd now', 'SINGLE', { ...SINGLE, validTimeEnd: String(NOW) }, 'INVALID_VALID_TIME', /validTimeEnd .* has passed/],
    ['validTimeEnd beyond 30 days', 'SINGLE', { ...SINGLE, validTimeEnd: String(NOW + 30 * DAY + 1) }, 'INVALID_VALID_TIME', /validTimeEnd .* more than 30 days ahead/],
    ['validTimeStart beyond 30 days', 'GLOBAL', { ...GLOBAL, validTimeStart: String(NOW + 31 * DAY) }, 'INVALID_VALID_TIME', /validTimeStart .* more than 30 days ahead/],
  ])('refuses %s', (_, scope, request, code, message) => {
    const refused = refusal(scope, request);
    expect(refused).toMatchObject({ code, kind: 'validation' });
    expect(refused.message).toMatch(message);
  });

  it.each<[string, SyncScope, SyncDataRequest, string]>([
    ['THIRD_MSG_ID_IS_NULL before ARGS_IS_NULL', 'SINGLE', { linkToken: 'u' }, 'THIRD_MSG_ID_IS_NULL'],
    ['ARGS_IS_NULL before PAYLOAD_CONFLICT', 'SINGLE', { ...SINGLE, linkToken: '', binaryPayload: 'AA==' }, 'ARGS_IS_NULL'],
    ['PAYLOAD_CONFLICT before PAYLOAD_LONG', 'SINGLE', { ...SINGLE, payload: 'p'.repeat(5000), binaryPayload: 'AA==' }, 'PAYLOAD_CONFLICT'],
    ['PAYLOAD_LONG before THIRD_MSG_ID_LONG', 'SINGLE', { ...SINGLE, payload: 'p'.repeat(5000), thirdMsgId: 't'.repeat(101) }, 'PAYLOAD_LONG'],
    ['THIRD_MSG_ID_LONG before ARGS_INVALID', 'SINGLE', { ...SINGLE, thirdMsgId: 't'.repeat(101), osType: 'SYMBIAN' }, 'THIRD_MSG_ID_LONG'],
    ['PAYLOAD_LONG before ARGS_INVALID', 'GLOBAL', { ...GLOBAL, payload: 'p'.repeat(5000), bizType: 'B'.repeat(31) }, 'PAYLOAD_LONG'],
    ['ARGS_INVALID before INVALID_VALID_TIME', 'GLOBAL', { ...GLOBAL, uids: '1', validTimeEnd: '0' }, 'ARGS_INVALID'],
    ['ARGS_INVALID for UID fields on single before INVALID_VALID_TIME', 'SINGLE', { ...SINGLE, maxUid: '9', validTimeStart: 'x' }, 'ARGS_INVALID'],
  ])('answers %s', (_, scope, request, code) => {
    expect(refusal(scope, request).code).toBe(code);
  });
});
