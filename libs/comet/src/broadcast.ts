import type { BindingAudience } from '@pushsync/devices';

/** Every comet node consumes broadcasts here (goim's broadcast to every comet): the node fans out to its own connections. */
export const BROADCAST_SUBJECT = 'comet.broadcast';
/** Each node reports how many connections it wrote a broadcast to. */
export const BROADCAST_PROGRESS_SUBJECT = 'comet.broadcast.progress';

/**
 * A broadcast as published on BROADCAST_SUBJECT, in the shape of a delivery:
 * [4 bytes big-endian: header length N][N bytes: header, UTF-8 JSON][rest: one encoded comet.v1.Frame].
 */
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
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const out = new Uint8Array(4 + head.length + frame.length);
  new DataView(out.buffer).setUint32(0, head.length, false);
  out.set(head, 4);
  out.set(frame, 4 + head.length);
  return out;
}

/** Throws on anything that is not a version 1 broadcast with a frame. */
export function decodeBroadcast(data: Uint8Array): { header: BroadcastHeader; frame: Uint8Array } {
  if (data.length < 4) throw new Error('broadcast shorter than its header length');
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, false);
  if (4 + length > data.length) throw new Error('broadcast header runs past the message');
  const header = JSON.parse(Buffer.from(data.subarray(4, 4 + length)).toString('utf8')) as BroadcastHeader;
  if (header?.v !== 1 || typeof header.instanceId !== 'string' || typeof header.platform !== 'string' || typeof header.messageId !== 'string' || typeof header.audience !== 'object' || header.audience === null) {
    throw new Error('not a version 1 broadcast header');
  }
  const frame = data.subarray(4 + length);
  if (frame.length === 0) throw new Error('broadcast without a frame');
  return { header, frame };
}
