import type { TopicSpec } from '@pushsync/platform';

/** One record per (message, device) to route, keyed by device token (ARCHITECTURE "Push"). */
export const PUSH_DISPATCH_TOPIC: TopicSpec = { name: 'push.dispatch', partitions: 12 };

/** Connections, bindings, acks and reports of devices as the comet gateway saw them, keyed by device token. */
export const PUSH_DEVICE_WORK_TOPIC: TopicSpec = { name: 'push.device-work', partitions: 12 };

/** Messages routed to a vendor channel (channel-gateway consumes it), keyed by device token. */
export const PUSH_VENDOR_TOPIC: TopicSpec = { name: 'push.vendor', partitions: 12 };

/** Broadcasts to plan (audience into shards), keyed by task id. */
export const PUSH_BROADCAST_TOPIC: TopicSpec = { name: 'push.broadcasts', partitions: 4 };

/**
 * Shards of planned broadcasts (at most 1000 devices with their node each), keyed by task id: one
 * member sends all shards of a task, so its counters have a single writer (FerretDB 1.x updates
 * are not atomic) and a rated task is paced in one place.
 */
export const PUSH_BROADCAST_SHARD_TOPIC: TopicSpec = { name: 'push.broadcast-shards', partitions: 12 };

export const PUSH_DISPATCH_GROUP = 'push-dispatch';
export const PUSH_DEVICE_WORK_GROUP = 'push-device-work';
export const PUSH_BROADCAST_GROUP = 'push-broadcast';
export const PUSH_BROADCAST_SHARD_GROUP = 'push-broadcast-shards';

/** A dispatch record: which device is owed which message. */
export interface DispatchRecord {
  appId: string;
  workspaceId: string;
  messageId: string;
  token: string;
}

/** A vendor hand-off record (DECISIONS D4 routing): what channel-gateway needs to call the vendor. */
export interface VendorRecord {
  appId: string;
  workspaceId: string;
  messageId: string;
  token: string;
  vendor: string;
  vendorToken: string;
}

export function encodeRecord(value: object): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function decodeRecord<T>(value: Uint8Array | null): T | null {
  if (value === null) return null;
  try {
    return JSON.parse(Buffer.from(value).toString('utf8')) as T;
  } catch {
    return null;
  }
}
