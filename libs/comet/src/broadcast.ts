import type { BindingAudience } from '@pushsync/devices';
import { decodeWithHeader, encodeWithHeader } from './delivery';

/** Every comet node consumes broadcasts here (goim's broadcast to every comet): the node fans out to its own connections. */
export const BROADCAST_SUBJECT = 'comet.broadcast';
/** Each node reports how many connections it wrote a broadcast to. */
export const BROADCAST_PROGRESS_SUBJECT = 'comet.broadcast.progress';

/** A broadcast as published on BROADCAST_SUBJECT, in the shape of a delivery (encodeWithHeader): this header, then one encoded comet.v1.Frame. */
export interface BroadcastHeader {
  v: 1;
  instanceId: string;
  /** ANDROID | IOS | HARMONY | WEB */
  platform: string;
  audience: BindingAudience;
  /** The broadcast's message id: a node fans out each one once. */
  messageId: string;
  taskId: string;
  /** Epoch ms; a node forgets the broadcast after it. */
  expireAt: number;
}

export interface BroadcastProgress {
  instanceId: string;
  taskId: string;
  node: string;
  sent: number;
}

export function encodeBroadcast(header: BroadcastHeader, frame: Uint8Array): Uint8Array {
  return encodeWithHeader(header, frame);
}

/** Throws on anything that is not a version 1 broadcast with a frame. */
export function decodeBroadcast(data: Uint8Array): { header: BroadcastHeader; frame: Uint8Array } {
  const decoded = decodeWithHeader(data, 'broadcast');
  const header = decoded.header as BroadcastHeader;
  if (header?.v !== 1 || typeof header.instanceId !== 'string' || typeof header.platform !== 'string' || typeof header.messageId !== 'string' || typeof header.audience !== 'object' || header.audience === null) {
    throw new Error('not a version 1 broadcast header');
  }
  if (decoded.frame.length === 0) throw new Error('broadcast without a frame');
  return { header, frame: decoded.frame };
}
