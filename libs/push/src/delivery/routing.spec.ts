import { routeOf } from './routing';

const notify = { notifyType: 'notify' as const, silent: false, extParams: {} };
const android = (vendorTokens: Record<string, string> = {}) => ({ platform: 'ANDROID', vendorTokens });

describe('routeOf (DECISIONS D4 routing)', () => {
  it('sends notify messages to the first vendor the device has a token for and the app enabled, else the self-built channel', () => {
    expect(routeOf(android({ XIAOMI: 'mi-1', FCM: 'fcm-1' }), notify, new Set(['FCM', 'XIAOMI']))).toEqual({ via: 'vendor', vendor: 'XIAOMI', vendorToken: 'mi-1', channel: 'MIUI' });
    expect(routeOf(android({ XIAOMI: 'mi-1', FCM: 'fcm-1' }), notify, new Set(['FCM']))).toEqual({ via: 'vendor', vendor: 'FCM', vendorToken: 'fcm-1', channel: 'FCM' });
    expect(routeOf(android({ XIAOMI: 'mi-1' }), notify, new Set(['HUAWEI']))).toEqual({ via: 'self-built', channel: 'ANDROID' });
    expect(routeOf(android(), { ...notify, notifyType: null }, new Set(['HUAWEI']))).toEqual({ via: 'self-built', channel: 'ANDROID' });
  });

  it('keeps transparent, silent and badge messages on the self-built channel', () => {
    const device = android({ HUAWEI: 'hw-1' });
    const enabled = new Set(['HUAWEI']);
    expect(routeOf(device, notify, enabled).via).toBe('vendor');
    expect(routeOf(device, { ...notify, notifyType: 'transparent' }, enabled)).toEqual({ via: 'self-built', channel: 'ANDROID' });
    expect(routeOf(device, { ...notify, silent: true }, enabled)).toEqual({ via: 'self-built', channel: 'ANDROID' });
    expect(routeOf(device, { ...notify, extParams: { badge: '2' } }, enabled)).toEqual({ via: 'self-built', channel: 'ANDROID' });
  });

  it('sends iOS to APNs only when it has an APNs token and APNs is enabled, whatever the notify type; web is always self-built', () => {
    const iphone = { platform: 'IOS', vendorTokens: { APNS: 'a1' } };
    expect(routeOf(iphone, { ...notify, notifyType: 'transparent' }, new Set(['APNS']))).toEqual({ via: 'vendor', vendor: 'APNS', vendorToken: 'a1', channel: 'IOS' });
    expect(routeOf(iphone, notify, new Set())).toEqual({ via: 'self-built', channel: 'ANDROID' });
    expect(routeOf({ platform: 'WEB', vendorTokens: { FCM: 'f' } }, notify, new Set(['FCM']))).toEqual({ via: 'self-built', channel: 'WEB' });
  });

  it('routes HarmonyOS devices to the HarmonyOS channel before other vendors', () => {
    expect(routeOf({ platform: 'HARMONY', vendorTokens: { HARMONYOS: 'h', HUAWEI: 'hw' } }, notify, new Set(['HARMONYOS', 'HUAWEI']))).toMatchObject({ vendor: 'HARMONYOS', channel: 'HARMONYOS' });
  });
});
