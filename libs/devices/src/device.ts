import { randomBytes } from 'node:crypto';
import type { StoredDocument } from '@pushsync/platform';

export type DevicePlatform = 'ANDROID' | 'IOS' | 'HARMONY' | 'WEB' | 'PLATFORM_UNSPECIFIED';

/** What a handshake says about the device. */
export interface DeviceFacts {
  platform: DevicePlatform;
  osVersion: string;
  appVersion: string;
  sdkVersion: string;
  manufacturer: string;
  /** The device's own identifier (mPaaS utdId), recorded as sent; '' when none. */
  deviceId: string;
}

/**
 * One device as the devices domain owns it (DECISIONS D6, ARCHITECTURE "Bindings"): the token the
 * comet gateway issued is its id; at most one user binding per device.
 */
export interface Device extends StoredDocument, DeviceFacts {
  /** The device token (the mPaaS Ad-token / deliveryToken). */
  _id: string;
  appId: string;
  workspaceId: string;
  /** Vendor name (XIAOMI, HUAWEI, APNS, ...) -> the vendor's token for this device. */
  vendorTokens: Record<string, string>;
  userId: string | null;
  sessionId: string | null;
  boundAt: number | null;
  unboundAt: number | null;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** 128 random bits, base64url without padding: 22 characters. */
export const DEVICE_TOKEN_BYTES = 16;
export const DEVICE_TOKEN = /^[A-Za-z0-9_-]{22}$/;

export function newDeviceToken(): string {
  return randomBytes(DEVICE_TOKEN_BYTES).toString('base64url');
}

export function isWellFormedDeviceToken(token: string): boolean {
  return DEVICE_TOKEN.test(token);
}
