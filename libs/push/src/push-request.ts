import type { JsonValue } from '@pushsync/platform';

/**
 * The four push APIs as push-core sees them once their parameters are checked (mps.md §3.1–3.9,
 * DECISIONS D4): the output of `parsePushRequest`, the input of the intake and what a schedule
 * stores until it fires.
 */
export type PushType = 'SIMPLE' | 'TEMPLATE' | 'MULTIPLE' | 'BROADCAST';

/** `type` of QueryPushSchedulerList (mps.md §3.15): 0 simple, 1 template, 2 multiple, 3 broadcast. */
export const PUSH_TYPE_NUMBER: Record<PushType, number> = { SIMPLE: 0, TEMPLATE: 1, MULTIPLE: 2, BROADCAST: 3 };

/** 1 Android device, 2 iOS device, 3 user, 5 live-activity pushToken, 6 live-activity activityId, 7 HarmonyOS device, 8 web device (DECISIONS D4). */
export type DeliveryType = 1 | 2 | 3 | 5 | 6 | 7 | 8;
export const DELIVERY_TYPES: readonly DeliveryType[] = [1, 2, 3, 5, 6, 7, 8];
/** Broadcast audiences by platform (DECISIONS D4). */
export const BROADCAST_DELIVERY_TYPES: readonly DeliveryType[] = [1, 2, 7, 8];

/** `notifyType` / `androidChannel`: `transparent` = self-built channel only, `notify` = vendor first. */
export type NotifyType = 'transparent' | 'notify';

/** Per-channel image or icon URLs (mps.md §3.1 rows 16–17): keys defaultUrl, hmsUrl, oppoUrl, miuiUrl, fcmUrl, iosUrl. */
export type ChannelUrls = Partial<Record<'defaultUrl' | 'hmsUrl' | 'oppoUrl' | 'miuiUrl' | 'fcmUrl' | 'iosUrl', string>>;

export type LiveActivity = {
  event: 'update' | 'end';
  contentState: Record<string, JsonValue> | null;
  /** Epoch seconds; only meaningful with `end`. */
  dismissalDate: number | null;
};

/** Stored and passed on; a non-zero strategy answers 3028 until the SMS channel ships (DECISIONS D4). */
export type SmsSupplement = {
  strategy: number;
  signName: string | null;
  templateCode: string | null;
  templateParam: string | null;
};

/** `strategyType` and `StrategyContent` as received (checked for shape by the parser; the schedule rules of §3.5 by scheduling). */
export interface StrategyRequest {
  /** 0 immediately, 1 timed, 2 cyclic. */
  strategyType: 0 | 1 | 2;
  /** The parsed StrategyContent object; null when strategyType is 0. */
  content: Record<string, unknown> | null;
}

/** What every push type carries. */
export interface PushCommon {
  appId: string;
  workspaceId: string;
  taskName: string;
  /** 1–604800 (3020 / 3026). */
  expiredSeconds: number;
  strategy: StrategyRequest;
  /** vivo classification: '0' operational, '1' system (default). */
  classification: '0' | '1';
  /** Null when not given (the routing default applies). */
  notifyType: NotifyType | null;
  /** User-defined and significant extension parameters (mps.md §3.9); reserved keys refused with 3044. */
  extParams: Record<string, string>;
  liveActivity: LiveActivity | null;
  sms: SmsSupplement | null;
}

/** One addressee of a simple or template push: `targetMsgkey` entry (target -> customer message id). */
export interface PushTarget {
  target: string;
  msgKey: string;
}

/** The message fields a simple push gives directly and a template gives otherwise. */
export interface DirectContent {
  title: string;
  content: string;
  uri: string;
  /** pushAction: 0 web URL (default), 1 intent activity. */
  action: 0 | 1;
  silent: boolean;
  /** pushStyle: 0 default, 1 big text, 2 image and text. */
  style: 0 | 1 | 2;
  imageUrls: ChannelUrls;
  iconUrls: ChannelUrls;
}

export interface SimplePushRequest extends PushCommon {
  type: 'SIMPLE';
  deliveryType: DeliveryType;
  targets: PushTarget[];
  content: DirectContent;
}

export interface TemplatePushRequest extends PushCommon {
  type: 'TEMPLATE';
  deliveryType: DeliveryType;
  targets: PushTarget[];
  templateName: string;
  templateValues: Record<string, string>;
}

export interface MultipleTarget extends PushTarget {
  templateValues: Record<string, string>;
  /** At most 10 per target (3049). */
  extParams: Record<string, string>;
}

export interface MultiplePushRequest extends PushCommon {
  type: 'MULTIPLE';
  deliveryType: DeliveryType;
  templateName: string;
  targetMsgs: MultipleTarget[];
}

/** pushStatus 0 login users, 1 all users, 2 logout users; periods 1 = 7 days, 2 = 15, 3 = 60, 4 = permanent. */
export type BroadcastAudience = {
  pushStatus: 0 | 1 | 2;
  /** Applies with pushStatus 0 (default 4). */
  bindPeriod: 1 | 2 | 3 | 4 | null;
  /** Required with pushStatus 1 or 2. */
  unBindPeriod: 1 | 2 | 3 | 4 | null;
};

export interface BroadcastPushRequest extends PushCommon {
  type: 'BROADCAST';
  deliveryType: DeliveryType;
  msgKey: string;
  templateName: string;
  templateValues: Record<string, string>;
  audience: BroadcastAudience;
  /** The most messages the broadcast sends per minute (`rate`, a pushsync extension); null: as fast as the devices take them. */
  ratePerMinute: number | null;
}

export type PushRequest = SimplePushRequest | TemplatePushRequest | MultiplePushRequest | BroadcastPushRequest;
