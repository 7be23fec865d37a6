import { DuplicateKeyError } from '@pushsync/platform';
import { isWellFormedDeviceToken, newDeviceToken, type Device, type DeviceFacts } from './device';
import type { DeviceRepository } from './device.repository';
import { RPC_FAILURES, RPC_SUCCESS, type RpcResult } from './rpc-result';

export interface AppRef {
  workspaceId: string;
  appId: string;
}

export type IdentifyResult = { ok: true; device: Device; issued: boolean } | { ok: false; code: 'DEVICE_TOKEN_INVALID'; message: string };

export type DeviceRpcResult = RpcResult & { device?: Device };

/** The answer of {@link Devices.reportDevice}: the RPC result, and on success the device and whether its token was issued now. */
export type ReportDeviceResult = RpcResult & { device?: Device; issued?: boolean };

/** Vendor names a device may report a token for (comet.v1.Vendor, mps.md §4, DECISIONS D4). */
export const VENDORS = ['XIAOMI', 'HUAWEI', 'OPPO', 'VIVO', 'HONOR', 'HARMONYOS', 'FCM', 'APNS'] as const;
export const MAX_USER_ID_LENGTH = 128;
export const MAX_VENDOR_TOKEN_LENGTH = 4096;

/**
 * The device use cases of the comet handshake and the client RPCs (mps.md §4).
 *
 * Token policy (DECISIONS D6 "issued at the first handshake, stable afterwards"): a handshake
 * without a token is issued a new one; a handshake with a token is accepted only when that token
 * names a device of the same app. Any other token (malformed, unknown, or another app's) is
 * refused with DEVICE_TOKEN_INVALID rather than silently re-issued, so a foreign or forged token
 * is never turned into a session, and the refusal says nothing about other apps (the lookup is
 * scoped to the app). A client told DEVICE_TOKEN_INVALID drops its stored token and handshakes
 * again without one (a reinstalled app has no stored token and simply gets a new one).
 */
export class Devices {
  public constructor(
    private readonly repository: DeviceRepository,
    private readonly clock: { now(): number } = { now: () => Date.now() },
  ) {}

  public async identify(app: AppRef, presentedToken: string, facts: DeviceFacts): Promise<IdentifyResult> {
    const now = this.clock.now();
    if (presentedToken === '') return { ok: true, device: await this.issue(app, facts, now), issued: true };
    const invalid = { ok: false, code: 'DEVICE_TOKEN_INVALID', message: 'the device token is not one this gateway issued to this app; handshake again without a token' } as const;
    if (!isWellFormedDeviceToken(presentedToken)) return invalid;
    const device = await this.repository.update(app.workspaceId, app.appId, presentedToken, { ...facts, lastSeenAt: now });
    return device ? { ok: true, device, issued: false } : invalid;
  }

  public async bind(app: AppRef, token: string, userId: string, sessionId: string): Promise<DeviceRpcResult> {
    if (userId.trim() === '') return RPC_FAILURES.NEED_USERID();
    if (token === '') return RPC_FAILURES.NEED_DELIVERYTOKEN();
    if (userId.length > MAX_USER_ID_LENGTH) return RPC_FAILURES.INVALID_PARAM(`userId is longer than ${MAX_USER_ID_LENGTH} characters`);
    if (!isWellFormedDeviceToken(token)) return RPC_FAILURES.DELIVERYTOKEN_INVALID();
    const now = this.clock.now();
    const device = await this.repository.update(app.workspaceId, app.appId, token, { userId, sessionId: sessionId === '' ? null : sessionId, boundAt: now, lastSeenAt: now });
    return device ? { ...RPC_SUCCESS, device } : RPC_FAILURES.DELIVERYTOKEN_INVALID();
  }

  /**
   * Removes the binding (idempotent: unbinding an unbound device succeeds and keeps its unboundAt).
   * With `userId` (mps.md §4 `unbind(userId, token)`), only that user's binding is removed: when the
   * device is bound to someone else the call succeeds and changes nothing, so a stale logout cannot
   * unbind the next user of the device.
   */
  public async unbind(app: AppRef, token: string, userId?: string): Promise<DeviceRpcResult> {
    if (token === '') return RPC_FAILURES.NEED_DELIVERYTOKEN();
    if (!isWellFormedDeviceToken(token)) return RPC_FAILURES.DELIVERYTOKEN_INVALID();
    const current = await this.repository.find(app.workspaceId, app.appId, token);
    if (!current) return RPC_FAILURES.DELIVERYTOKEN_INVALID();
    if (current.userId === null || (userId !== undefined && userId !== '' && userId !== current.userId)) return { ...RPC_SUCCESS, device: current };
    const now = this.clock.now();
    const device = await this.repository.update(app.workspaceId, app.appId, token, { userId: null, sessionId: null, unboundAt: now, lastSeenAt: now });
    return device ? { ...RPC_SUCCESS, device } : RPC_FAILURES.DELIVERYTOKEN_INVALID();
  }

  /** Records a vendor token for the device; accepted idempotently (mps.md §4: the framework reports it more than once). */
  public async reportVendorToken(app: AppRef, token: string, vendor: string, vendorToken: string): Promise<DeviceRpcResult> {
    if (token === '') return RPC_FAILURES.NEED_DELIVERYTOKEN();
    if (!(VENDORS as readonly string[]).includes(vendor)) return RPC_FAILURES.INVALID_PARAM(`unknown vendor ${JSON.stringify(vendor)}; one of ${VENDORS.join(', ')}`);
    if (vendorToken === '' || vendorToken.length > MAX_VENDOR_TOKEN_LENGTH) return RPC_FAILURES.INVALID_PARAM(`the vendor token must have 1 to ${MAX_VENDOR_TOKEN_LENGTH} characters`);
    if (!isWellFormedDeviceToken(token)) return RPC_FAILURES.DELIVERYTOKEN_INVALID();
    const device = await this.repository.setVendorToken(app.workspaceId, app.appId, token, vendor, vendorToken, this.clock.now());
    return device ? { ...RPC_SUCCESS, device } : RPC_FAILURES.DELIVERYTOKEN_INVALID();
  }

  /**
   * A device that never holds a connection (iOS with APNs only, mps.md §4 "Device report"):
   * registers it as a handshake would (a new token when none is presented, otherwise the
   * presented token must name a device of this app: 3054) and records its vendor token. The
   * vendor and vendor token are checked first, so a refused report leaves no device behind.
   */
  public async reportDevice(app: AppRef, presentedToken: string, facts: DeviceFacts, vendor: string, vendorToken: string): Promise<ReportDeviceResult> {
    if (!(VENDORS as readonly string[]).includes(vendor)) return RPC_FAILURES.INVALID_PARAM(`unknown vendor ${JSON.stringify(vendor)}; one of ${VENDORS.join(', ')}`);
    if (vendorToken === '' || vendorToken.length > MAX_VENDOR_TOKEN_LENGTH) return RPC_FAILURES.INVALID_PARAM(`the vendor token must have 1 to ${MAX_VENDOR_TOKEN_LENGTH} characters`);
    const identified = await this.identify(app, presentedToken, facts);
    if (!identified.ok) return RPC_FAILURES.DELIVERYTOKEN_INVALID();
    const reported = await this.reportVendorToken(app, identified.device._id, vendor, vendorToken);
    return reported.success ? { ...reported, issued: identified.issued } : reported;
  }

  public find(app: AppRef, token: string): Promise<Device | null> {
    return this.repository.find(app.workspaceId, app.appId, token);
  }

  public devicesOfUser(app: AppRef, userId: string): Promise<Device[]> {
    return this.repository.devicesOfUser(app.workspaceId, app.appId, userId);
  }

  private async issue(app: AppRef, facts: DeviceFacts, now: number): Promise<Device> {
    for (let attempt = 0; ; attempt++) {
      const device: Device = {
        _id: newDeviceToken(),
        appId: app.appId,
        workspaceId: app.workspaceId,
        ...facts,
        vendorTokens: {},
        userId: null,
        sessionId: null,
        boundAt: null,
        unboundAt: null,
        firstSeenAt: now,
        lastSeenAt: now,
      };
      try {
        await this.repository.insert(device);
        return device;
      } catch (error) {
        if (!(error instanceof DuplicateKeyError) || attempt >= 2) throw error;
      }
    }
  }
}
