import type { StoredDocument } from '@pushsync/platform';
import type { BroadcastAudience, DeliveryType, PushType } from '../push-request';

/**
 * One execution of a push API call (mps.md §2.10 "Task"): every push creates one, the task list
 * (§3.13, §6.3) shows the multiple and broadcast ones, RevokePushTask names them.
 */
export interface PushTask extends StoredDocument {
  /** 32 hex characters. */
  _id: string;
  appId: string;
  workspaceId: string;
  taskName: string;
  type: PushType;
  deliveryType: DeliveryType;
  templateName: string;
  /** Targets after resolution (valid ones only, mps.md §2.7: invalid targets are not counted). */
  targetCount: number;
  /** Frames written to connections or handed to a vendor channel. */
  pushedCount: number;
  /** Acknowledged by a device (self-built) or accepted by a vendor. */
  ackedCount: number;
  /** Set for a broadcast: who it reaches (DECISIONS D4 defaults applied). */
  audience: BroadcastAudience | null;
  /** The broadcast's single message; '' for other types. */
  broadcastMessageId: string;
  /** 0 API, 1 console. */
  createType: 0 | 1;
  revokedAt: number | null;
  createdAt: number;
  expireAt: number;
  /** When the last target was handed to delivery (the end of the fan-out); null while it runs. */
  finishedAt: number | null;
  /** A broadcast's most messages per minute (`rate`); null: unpaced. */
  ratePerMinute: number | null;
  /** The broadcast plan whose shards count (a plan replayed after a crash is another plan); null until planned. */
  shardPlanId: string | null;
  /** Shards of that plan; null until planned. */
  shardCount: number | null;
  /** Shards of that plan sent. */
  shardsDone: number;
}

export const TASK_LIST_TYPE: Partial<Record<PushType, number>> = { MULTIPLE: 2, BROADCAST: 3 };
