import type { PushObject, PushRange, SyncConfig } from './configs/sync-config';

/** The key of a global stream's channel (DECISIONS D3 "Sync points"). */
export const GLOBAL_KEY = '*';

/**
 * One ordered stream of oplogs (DECISIONS D3 "Oplog ids"): (app, bizType, linkToken) for targeted
 * configurations, (app, bizType, "*") for global ones. Oplog ids strictly increase within it.
 */
export interface ChannelRef {
  instanceId: string;
  bizType: string;
  /** The userId (user dimension), the device token (device dimension) or "*" (global). */
  key: string;
}

/** A stable text id for a channel: JSON, so no separator inside a userId can make two channels collide. */
export function channelId(channel: ChannelRef): string {
  return JSON.stringify([channel.instanceId, channel.bizType, channel.key]);
}

/** How a configuration's data reaches devices, fixed at creation (immutable fields). */
export interface ChannelKind {
  pushRange: PushRange;
  pushObject: PushObject;
  /** Every device of the user (true) or only the most recently connected one (false); global forces true. */
  multiDevice: boolean;
  persistent: boolean;
}

export function channelKindOf(config: SyncConfig): ChannelKind {
  return {
    pushRange: config.pushRange,
    pushObject: config.pushObject,
    multiDevice: config.pushRange === 'GLOBAL' || config.multiDevice === true,
    persistent: config.pushRange === 'GLOBAL' || config.persistent,
  };
}

/** Single-device user channels keep one sync point per user on the server (DECISIONS D3), held by no device. */
export const USER_POINT_HOLDER = '';
