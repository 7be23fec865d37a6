import type { RenderedMessage } from '../messages/push-message';

/** What routing reads of a device (libs/devices Device). */
export interface RoutableDevice {
  platform: string;
  vendorTokens: Record<string, string>;
}

export type Route = { via: 'self-built'; channel: 'ANDROID' | 'WEB' } | { via: 'vendor'; vendor: string; vendorToken: string; channel: string };

/** Vendor name (libs/devices VENDORS) -> the analysis `channel` of DECISIONS D4. */
const VENDOR_CHANNELS: Record<string, string> = { APNS: 'IOS', FCM: 'FCM', HUAWEI: 'HMS', HONOR: 'HONOR', HARMONYOS: 'HARMONYOS', XIAOMI: 'MIUI', OPPO: 'OPPO', VIVO: 'VIVO' };
/** Vendors tried for a `notify` message on Android and HarmonyOS, in this order. */
const ANDROID_VENDORS = ['HARMONYOS', 'HUAWEI', 'HONOR', 'XIAOMI', 'OPPO', 'VIVO', 'FCM'];

/**
 * DECISIONS D4 routing for one device:
 * - iOS: APNs when the device has an APNs token and APNs is enabled for the app, else the self-built channel;
 * - Android / HarmonyOS: `transparent`, silent or a `badge` -> self-built only; otherwise (`notify`, the
 *   default channel) the first vendor the device has a token for and the app has enabled, else self-built;
 * - web: self-built.
 * The self-built channel is reported as `ANDROID` (web devices: `WEB`), the analysis channel names of D4.
 */
export function routeOf(device: RoutableDevice, message: Pick<RenderedMessage, 'notifyType' | 'silent' | 'extParams'>, enabledVendors: ReadonlySet<string>): Route {
  const selfBuilt: Route = { via: 'self-built', channel: device.platform === 'WEB' ? 'WEB' : 'ANDROID' };
  const vendor = (name: string): Route | null => {
    const vendorToken = device.vendorTokens[name];
    return vendorToken && enabledVendors.has(name) ? { via: 'vendor', vendor: name, vendorToken, channel: VENDOR_CHANNELS[name]! } : null;
  };
  switch (device.platform) {
    case 'IOS':
      return vendor('APNS') ?? selfBuilt;
    case 'ANDROID':
    case 'HARMONY': {
      const selfBuiltOnly = message.notifyType === 'transparent' || message.silent || message.extParams.badge !== undefined;
      if (selfBuiltOnly) return selfBuilt;
      for (const name of ANDROID_VENDORS) {
        const route = vendor(name);
        if (route) return route;
      }
      return selfBuilt;
    }
    default:
      return selfBuilt;
  }
}
