import type { Oplog } from '../oplogs/oplog';

export interface ClientSyncPoint {
  bizType: string;
  key: string;
  oplogId: number;
}

/** Where and how a device is connected, as the comet gateway reported it. */
export interface DeviceConnection {
  instanceId: string;
  appId: string;
  workspaceId: string;
  token: string;
  node: string;
  connectionId: string;
  platform: string;
  appVersion: string;
  userId: string | null;
  /** Epoch ms the connection was opened. */
  since: number;
}

/**
 * The work items of the `sync.device-work` topic, keyed by device token (an `oplog` item names
 * several devices of one partition): connection lifecycle and acks from the comet gateway, and new
 * oplogs from the sequencer.
 */
export type DeviceWork =
  | ({ type: 'connect'; sessionId: string | null; syncPoints: ClientSyncPoint[] } & DeviceConnection)
  | { type: 'disconnect'; instanceId: string; token: string; connectionId: string }
  | ({ type: 'bind'; sessionId: string | null } & DeviceConnection)
  | { type: 'unbind'; instanceId: string; token: string; connectionId: string; userId: string }
  | { type: 'ack'; instanceId: string; token: string; connectionId: string; bizType: string; key: string; oplogId: number }
  | { type: 'oplog'; instanceId: string; tokens: string[]; oplog: Oplog };

export function encodeDeviceWork(work: DeviceWork): Uint8Array {
  return Buffer.from(JSON.stringify(work), 'utf8');
}

/** Null for anything that is not a work item (a malformed record is skipped, never retried forever). */
export function decodeDeviceWork(value: Uint8Array): DeviceWork | null {
  try {
    const work = JSON.parse(Buffer.from(value).toString('utf8')) as DeviceWork;
    return typeof work?.type === 'string' && typeof work.instanceId === 'string' ? work : null;
  } catch {
    return null;
  }
}
