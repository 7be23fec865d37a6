import type { BindDeviceRequest, DeviceRpcReply, ReportDeviceRequest, UnbindDeviceRequest } from '@pushsync/contracts';
import type { Device, DevicePlatform, DeviceRpcResult, Devices, ReportDeviceResult } from '@pushsync/devices';

const PLATFORMS: readonly DevicePlatform[] = ['ANDROID', 'IOS', 'HARMONY', 'WEB'];

/**
 * The PushCore device RPCs for callers without a comet connection (REST v1 bind/unbind, the HTTP
 * client endpoints), delegating to the devices domain. Rule violations come back in the reply. A
 * binding is handed to `bound` like a bind over a comet connection: messages waiting for it go out.
 */
export function deviceRpcs(devices: () => Devices, bound: (device: Device) => Promise<void>) {
  const app = (request: { appId: string; workspaceId: string }) => ({ appId: request.appId, workspaceId: request.workspaceId });
  return {
    BindDevice: async (request: BindDeviceRequest): Promise<DeviceRpcReply> => {
      const result = await devices().bind(app(request), request.deliveryToken, request.userId, '');
      if (result.device) await bound(result.device);
      return toReply(result);
    },
    UnbindDevice: async (request: UnbindDeviceRequest): Promise<DeviceRpcReply> => toReply(await devices().unbind(app(request), request.deliveryToken, request.userId)),
    ReportDevice: async (request: ReportDeviceRequest): Promise<DeviceRpcReply> => {
      const platform = PLATFORMS.find((name) => name === request.platform) ?? 'PLATFORM_UNSPECIFIED';
      const facts = {
        platform,
        osVersion: request.osVersion.slice(0, 64),
        appVersion: request.appVersion.slice(0, 64),
        sdkVersion: '',
        manufacturer: platform === 'IOS' ? 'apple' : '',
        deviceId: request.deviceId.slice(0, 128),
      };
      return toReply(await devices().reportDevice(app(request), request.deliveryToken, facts, request.vendor, request.vendorToken));
    },
  };
}

function toReply(result: DeviceRpcResult | ReportDeviceResult): DeviceRpcReply {
  return {
    success: result.success,
    code: result.code,
    name: result.name,
    message: result.message,
    deliveryToken: result.device?._id ?? '',
    tokenIssued: 'issued' in result && result.issued === true,
  };
}
