import type { DevicePlatform } from '@pushsync/devices';
import { ArgsInvalidError } from '../configs/sync-config.errors';

/** The platforms an order can be filtered to: the device platforms a handshake reports. */
export type SyncPlatform = Exclude<DevicePlatform, 'PLATFORM_UNSPECIFIED'>;

const PLATFORM_OF_NAME: Record<string, SyncPlatform> = {
  IOS: 'IOS',
  ANDROID: 'ANDROID',
  HARMONYOS: 'HARMONY',
  HARMONY: 'HARMONY',
  WEB: 'WEB',
};

/**
 * The `osType` filter (DECISIONS D3): IOS, ANDROID, HARMONYOS (alias HARMONY) or WEB, any case.
 * mss.md's examples write `IOS/ANDROID`, so a list separated by `/` or `,` names several
 * platforms. Empty (or blanks only) means every platform: null. An unknown or empty entry is
 * ARGS_INVALID.
 */
export function parseOsType(osType: string): SyncPlatform[] | null {
  if (osType.trim() === '') return null;
  const platforms = new Set<SyncPlatform>();
  for (const entry of osType.split(/[/,]/)) {
    const platform = PLATFORM_OF_NAME[entry.trim().toUpperCase()];
    if (!platform) throw new ArgsInvalidError(`osType: ${JSON.stringify(entry.trim())} is not a platform; use IOS, ANDROID, HARMONYOS or WEB, several separated by "/" or ","`);
    platforms.add(platform);
  }
  return [...platforms];
}
