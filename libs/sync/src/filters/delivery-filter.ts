import { compareVersions } from './app-version';
import type { SyncPlatform } from './os-type';
import { uidSegment } from './uid-segment';

/** The delivery filters of an order (mss.md §2.7, DECISIONS D3); null = no filter. */
export interface OrderFilters {
  platforms: SyncPlatform[] | null;
  /** Inclusive. */
  appMinVersion: string | null;
  /** Inclusive. */
  appMaxVersion: string | null;
  /** The UID segments (00-99) in range: `uids`, or minUid..maxUid expanded. */
  uidSegments: number[] | null;
}

export const NO_FILTERS: OrderFilters = { platforms: null, appMinVersion: null, appMaxVersion: null, uidSegments: null };

export interface FilterTarget {
  /** The platform the device reported at its handshake. */
  platform: string;
  /** The app version the device reported; '' when unknown. */
  appVersion: string;
  /** The id whose UID segment counts: the userId (user dimension) or the device token; null for a device without a bound user. */
  segmentId: string | null;
}

/**
 * Whether an order reaches a device. A device that reported no app version fails any version
 * filter, and a device without a segment id (no bound user on a user-dimension config) fails a UID
 * filter: a filtered order goes only where the filter is known to hold.
 */
export function passesFilters(filters: OrderFilters, target: FilterTarget): boolean {
  if (filters.platforms && !(filters.platforms as string[]).includes(target.platform)) return false;
  if (filters.appMinVersion !== null && (target.appVersion === '' || compareVersions(target.appVersion, filters.appMinVersion) < 0)) return false;
  if (filters.appMaxVersion !== null && (target.appVersion === '' || compareVersions(target.appVersion, filters.appMaxVersion) > 0)) return false;
  if (filters.uidSegments && (target.segmentId === null || !filters.uidSegments.includes(uidSegment(target.segmentId)))) return false;
  return true;
}
