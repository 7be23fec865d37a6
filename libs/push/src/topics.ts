import type { TopicSpec } from '@pushsync/platform';

/** One record per (message, device) to route, keyed by device token (ARCHITECTURE "Push"). */
export const PUSH_DISPATCH_TOPIC: TopicSpec = { name: 'push.dispatch', partitions: 12 };

/** Connections, bindings, acks and reports of devices as the comet gateway saw them, keyed by device token. */
export const PUSH_DEVICE_WORK_TOPIC: TopicSpec = { name: 'push.device-work', partitions: 12 };

/** Messages routed to a vendor channel (channel-gateway consumes it), keyed by device token. */
export const PUSH_VENDOR_TOPIC: TopicSpec = { name: 'push.vendor', partitions: 12 };

/** Broadcasts to fan out, keyed by task id. */
export const PUSH_BROADCAST_TOPIC: TopicSpec = { name: 'push.broadcasts', partitions: 4 };

export const PUSH_DISPATCH_GROUP = 'push-dispatch';
export const PUSH_DEVICE_WORK_GROUP = 'push-device-work';
export const PUSH_BROADCAST_GROUP = 'push-broadcast';

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
