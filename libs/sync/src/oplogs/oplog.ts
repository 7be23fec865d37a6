import type { JsonValue, StoredDocument } from '@pushsync/platform';
import type { PushObject } from '../configs/sync-config';
import type { OrderFilters } from '../filters/delivery-filter';

/**
 * One sequenced piece of data on a channel (mss.md §2.1): `id` strictly increases per channel.
 * `_id` is the channel id plus the oplog id, so an id is claimed by inserting it; `orderId` is
 * unique too, so an order replayed after a crash finds the oplog it already got.
 */
export interface Oplog extends StoredDocument {
  _id: string;
  instanceId: string;
  appId: string;
  workspaceId: string;
  bizType: string;
  key: string;
  id: number;
  orderId: string;
  thirdMsgId: string;
  payload: string;
  binary: boolean;
  filters: OrderFilters & { [field: string]: JsonValue };
  validTimeEnd: number | null;
  persistent: boolean;
  pushObject: PushObject;
  multiDevice: boolean;
  targets: string[] | null;
  createdAt: number;
  expireAt: number;
}

/** Whether a device may still be sent the oplog at `now` (validity window and retention). */
export function isLive(oplog: Pick<Oplog, 'validTimeEnd' | 'expireAt'>, now: number): boolean {
  return now < oplog.expireAt && (oplog.validTimeEnd === null || now <= oplog.validTimeEnd);
}
