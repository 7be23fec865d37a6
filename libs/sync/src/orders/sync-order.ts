import type { JsonValue, StoredDocument } from '@pushsync/platform';
import type { PushObject } from '../configs/sync-config';
import type { OrderFilters } from '../filters/delivery-filter';
import type { SyncScope } from './sync-data';

export type OrderState = 'ACCEPTED' | 'SEQUENCED';

/**
 * An accepted tenant order (DECISIONS D3 "Accept path"). Its `_id` is the idempotency key, so the
 * insert that reserves the key is the write that makes the order durable; the collection doubles as
 * the outbox the relay re-produces from until the sequencer marks the order SEQUENCED.
 */
export interface SyncOrder extends StoredDocument {
  _id: string;
  appId: string;
  workspaceId: string;
  instanceId: string;
  scope: SyncScope;
  bizType: string;
  /** The channel key: linkToken, or "*" for global orders. */
  key: string;
  thirdMsgId: string;
  payload: string;
  binary: boolean;
  filters: OrderFilters & { [field: string]: JsonValue };
  validTimeStart: number | null;
  validTimeEnd: number | null;
  persistent: boolean;
  /** The configuration's push object and multi-device flag when the order was accepted (both immutable). */
  pushObject: PushObject;
  multiDevice: boolean;
  /** Non-persistent orders: the devices connected at accept, the only ones that may receive it. */
  targets: string[] | null;
  createdAt: number;
  /** When the order may be sequenced: its validTimeStart, or its creation. */
  dueAt: number;
  /** Last time the order was produced to the orders topic (the relay re-produces stale ones). */
  producedAt: number;
  /** When the idempotency key and the oplog are forgotten: min(validTimeEnd, created + retention). */
  expireAt: number;
  state: OrderState;
  oplogId: number | null;
}

/** The idempotency key of DECISIONS D3: (app, bizType, linkToken, thirdMsgId) single, (app, bizType, thirdMsgId) global. */
export function orderKey(instanceId: string, scope: SyncScope, bizType: string, linkToken: string, thirdMsgId: string): string {
  return scope === 'GLOBAL' ? JSON.stringify(['G', instanceId, bizType, thirdMsgId]) : JSON.stringify(['S', instanceId, bizType, linkToken, thirdMsgId]);
}
