import type { StoredDocument } from '@pushsync/platform';
import type { PushStatus } from '../receipts/push-status';
import type { ChannelUrls, DeliveryType, LiveActivity, NotifyType, PushType, SmsSupplement } from '../push-request';

/** The message as rendered at creation (DECISIONS D4: later template edits do not change it) and as stored with a schedule. */
// A type alias (not an interface) so it is a JSON value for the Store port.
export type RenderedMessage = {
  title: string;
  content: string;
  uri: string;
  /** 0 web URL, 1 intent activity. */
  action: 0 | 1;
  /** 0 default, 1 big text, 2 image and text. */
  style: 0 | 1 | 2;
  silent: boolean;
  extParams: Record<string, string>;
  imageUrls: ChannelUrls;
  iconUrls: ChannelUrls;
  notifyType: NotifyType | null;
  classification: '0' | '1';
  liveActivity: LiveActivity | null;
  sms: SmsSupplement | null;
  /** The template it was rendered from; '' for a simple push. */
  templateName: string;
};

/**
 * One message to one target (mps.md §2.10 "Message"): the unit the console lists, a receipt
 * names and RevokePushMessage finds. A user target reaches each of the user's bound devices
 * through a {@link PushDelivery}; a broadcast is one message whose deliveries are recorded as
 * its devices acknowledge it.
 */
export interface PushMessage extends StoredDocument {
  /** pushsync's message id: the `k` clients receive and acknowledge. */
  _id: string;
  appId: string;
  workspaceId: string;
  taskId: string;
  type: PushType;
  /** The customer's business message id (`targetMsgkey` value, `msgKey`, broadcast `msgkey`). */
  msgKey: string;
  deliveryType: DeliveryType;
  /** Device token, user id, or '' for a broadcast. */
  targetId: string;
  message: RenderedMessage;
  /** The schedule occurrence that created it; null for an immediate push. */
  occurrenceId: string | null;
  status: PushStatus;
  createdAt: number;
  expireAt: number;
  updatedAt: number;
}

/** One message owed to one device; `_id` = `<messageId>:<deviceToken>` (once per device, DECISIONS D4). */
export interface PushDelivery extends StoredDocument {
  _id: string;
  appId: string;
  workspaceId: string;
  messageId: string;
  token: string;
  taskId: string;
  status: PushStatus;
  /** The channel it went (or goes) through: ANDROID (self-built), WEB, IOS (APNs), HMS, MIUI, ...; null before routing. */
  channel: string | null;
  /** Times it was written to a connection. */
  sends: number;
  /** The vendor's own code beside status 5 (DECISIONS D4). */
  vendorCode: string | null;
  /** The user an iOS broadcast reached through this device (bound to it at the ack), so it reaches that user once (mps.md §2.5); null otherwise. */
  userId: string | null;
  createdAt: number;
  expireAt: number;
  updatedAt: number;
}

export function deliveryIdOf(messageId: string, token: string): string {
  return `${messageId}:${token}`;
}
