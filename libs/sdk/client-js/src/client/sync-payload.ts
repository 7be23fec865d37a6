import { type SyncMessageOp } from './client.types';

/** The payload of an oplog: the text, or the bytes when it is binary (`isB`, base64 in `pl`). */
export function syncOpPayload(op: SyncMessageOp): string | Uint8Array {
  if (!op.isB) return op.pl;
  const text = atob(op.pl);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
