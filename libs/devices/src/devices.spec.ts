import { SqliteStore } from '@pushsync/platform';
import { DEVICE_TOKEN, type DeviceFacts } from './device';
import { DeviceRepository } from './device.repository';
import { Devices } from './devices';

const APP = { workspaceId: 'ws1', appId: 'app1' };
const OTHER_APP = { workspaceId: 'ws1', appId: 'app2' };
const FACTS: DeviceFacts = { platform: 'ANDROID', osVersion: '14', appVersion: '1.0.0', sdkVersion: '0.1.0', manufacturer: 'acme', deviceId: 'utd-1' };

describe('Devices', () => {
  let store: SqliteStore;
  let devices: Devices;
  let now: number;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = 1_700_000_000_000;
    devices = new Devices(await DeviceRepository.open(store), { now: () => now });
  });

  afterEach(() => store.close());

  it('issues a 128-bit base64url token at the first handshake and keeps it on the next ones', async () => {
    const first = await devices.identify(APP, '', FACTS);
    if (!first.ok) throw new Error(first.message);
    expect(first.issued).toBe(true);
    expect(first.device._id).toMatch(DEVICE_TOKEN);
    expect(Buffer.from(first.device._id, 'base64url')).toHaveLength(16);
    expect(first.device).toMatchObject({ ...APP, ...FACTS, userId: null, firstSeenAt: now, lastSeenAt: now });

    now += 1000;
    const again = await devices.identify(APP, first.device._id, { ...FACTS, appVersion: '1.1.0' });
    expect(again).toMatchObject({ ok: true, issued: false, device: { _id: first.device._id, appVersion: '1.1.0', firstSeenAt: now - 1000, lastSeenAt: now } });

    const second = await devices.identify(APP, '', FACTS);
    expect(second.ok && second.device._id).not.toBe(first.device._id);
  });

  it('refuses a token of another app, an unknown one and a malformed one with DEVICE_TOKEN_INVALID', async () => {
    const foreign = await devices.identify(OTHER_APP, '', FACTS);
    if (!foreign.ok) throw new Error(foreign.message);
    expect(await devices.identify(APP, foreign.device._id, FACTS)).toMatchObject({ ok: false, code: 'DEVICE_TOKEN_INVALID' });
    expect(await devices.identify(APP, 'AAAAAAAAAAAAAAAAAAAAAA', FACTS)).toMatchObject({ ok: false, code: 'DEVICE_TOKEN_INVALID' });
    expect(await devices.identify(APP, 'not a token', FACTS)).toMatchObject({ ok: false, code: 'DEVICE_TOKEN_INVALID' });
    // The other app's device is untouched.
    expect(await devices.find(OTHER_APP, foreign.device._id)).toMatchObject({ lastSeenAt: now });
  });

  it('binds and unbinds a user with the mps.md §4 result codes', async () => {
    const issued = await devices.identify(APP, '', FACTS);
    if (!issued.ok) throw new Error(issued.message);
    const token = issued.device._id;

    expect(await devices.bind(APP, token, '', 's')).toEqual({ success: false, code: 3012, name: 'NEED_USERID', message: 'need userid' });
    expect(await devices.bind(APP, '', 'u1', 's')).toEqual({ success: false, code: 3001, name: 'NEED_DELIVERYTOKEN', message: 'need token' });
    expect(await devices.bind(APP, 'AAAAAAAAAAAAAAAAAAAAAA', 'u1', 's')).toMatchObject({ success: false, code: 3054, name: 'DELIVERYTOKEN_INVALID' });
    expect(await devices.bind(OTHER_APP, token, 'u1', 's')).toMatchObject({ success: false, code: 3054 });

    now += 5;
    const bound = await devices.bind(APP, token, 'u1', 'sess-1');
    expect(bound).toMatchObject({ success: true, code: 100, name: 'SUCCESS', device: { userId: 'u1', sessionId: 'sess-1', boundAt: now } });
    expect((await devices.devicesOfUser(APP, 'u1')).map((d) => d._id)).toEqual([token]);
    expect(await devices.devicesOfUser(OTHER_APP, 'u1')).toEqual([]);

    now += 5;
    expect(await devices.unbind(APP, token)).toMatchObject({ success: true, device: { userId: null, sessionId: null, unboundAt: now } });
    expect(await devices.devicesOfUser(APP, 'u1')).toEqual([]);
    now += 5;
    expect(await devices.unbind(APP, token)).toMatchObject({ success: true, device: { unboundAt: now - 5 } });
    expect(await devices.unbind(APP, '')).toMatchObject({ code: 3001 });
  });

  it('records vendor tokens idempotently and refuses unknown vendors', async () => {
    const issued = await devices.identify(APP, '', FACTS);
    if (!issued.ok) throw new Error(issued.message);
    const token = issued.device._id;
    expect(await devices.reportVendorToken(APP, token, 'HUAWEI', 'hw-1')).toMatchObject({ success: true, device: { vendorTokens: { HUAWEI: 'hw-1' } } });
    expect(await devices.reportVendorToken(APP, token, 'HUAWEI', 'hw-1')).toMatchObject({ success: true, device: { vendorTokens: { HUAWEI: 'hw-1' } } });
    expect(await devices.reportVendorToken(APP, token, 'FCM', 'f-1')).toMatchObject({ success: true, device: { vendorTokens: { HUAWEI: 'hw-1', FCM: 'f-1' } } });
    expect(await devices.reportVendorToken(APP, token, 'NOKIA', 'x')).toMatchObject({ success: false, code: 3028 });
    expect(await devices.reportVendorToken(APP, '', 'FCM', 'x')).toMatchObject({ success: false, code: 3001 });
    expect(await devices.reportVendorToken(OTHER_APP, token, 'FCM', 'x')).toMatchObject({ success: false, code: 3054 });
  });

  it('registers a device without a connection: issues a token, records the vendor token, refuses foreign tokens and bad vendors', async () => {
    const IOS: DeviceFacts = { ...FACTS, platform: 'IOS', manufacturer: 'apple' };
    const issued = await devices.reportDevice(APP, '', IOS, 'APNS', 'apns-1');
    expect(issued).toMatchObject({ success: true, code: 100, issued: true, device: { ...APP, platform: 'IOS', vendorTokens: { APNS: 'apns-1' }, userId: null } });
    const token = issued.device!._id;
    expect(token).toMatch(DEVICE_TOKEN);

    now += 10;
    expect(await devices.reportDevice(APP, token, IOS, 'APNS', 'apns-2')).toMatchObject({ success: true, issued: false, device: { _id: token, vendorTokens: { APNS: 'apns-2' }, lastSeenAt: now } });
    expect(await devices.reportDevice(OTHER_APP, token, IOS, 'APNS', 'x')).toMatchObject({ success: false, code: 3054, name: 'DELIVERYTOKEN_INVALID' });
    expect(await devices.reportDevice(APP, 'AAAAAAAAAAAAAAAAAAAAAA', IOS, 'APNS', 'x')).toMatchObject({ success: false, code: 3054 });

    expect(await devices.reportDevice(APP, '', IOS, 'NOKIA', 'x')).toMatchObject({ success: false, code: 3028, name: 'INVALID_PARAM' });
    expect(await devices.reportDevice(APP, '', IOS, 'APNS', '')).toMatchObject({ success: false, code: 3028 });

    // Bound over HTTP, the registered device is found by its user like a connected one.
    expect(await devices.bind(APP, token, 'u-ios', '')).toMatchObject({ success: true, device: { userId: 'u-ios', sessionId: null, boundAt: now } });
    expect((await devices.devicesOfUser(APP, 'u-ios')).map((d) => d._id)).toEqual([token]);
  });

  it('unbinds only the named user when a userId is given', async () => {
    const issued = await devices.identify(APP, '', FACTS);
    if (!issued.ok) throw new Error(issued.message);
    const token = issued.device._id;
    await devices.bind(APP, token, 'u2', '');
    now += 5;
    expect(await devices.unbind(APP, token, 'u1')).toMatchObject({ success: true, device: { userId: 'u2', unboundAt: null } });
    expect(await devices.unbind(APP, token, 'u2')).toMatchObject({ success: true, device: { userId: null, unboundAt: now } });
  });
});
