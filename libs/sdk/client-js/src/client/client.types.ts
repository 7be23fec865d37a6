import { type Platform, type RpcResult, type Vendor } from '@pushsync/protocol';
import { type ClientStorage } from '../storage/client-storage.port';
import { type Transport } from '../transports/transport.port';
import { type BackoffOptions } from './reconnect-backoff';
import { type PushSyncError } from './push-sync.error';

export const SDK_VERSION = '0.1.0';

export type ClientPlatform = Exclude<Platform, 'PLATFORM_UNSPECIFIED'>;

export interface PushSyncClientOptions {
  /** tcp://host:9800, tls://host:9801, ws://host:8080/comet or wss://host/comet. */
  endpoint: string;
  appId: string;
  workspaceId: string;
  /** The app's client key (console / admin API); sent in the handshake. */
  clientKey: string;
  /** Default WEB. */
  platform?: ClientPlatform;
  osVersion?: string;
  appVersion?: string;
  manufacturer?: string;
  /** The device's own identifier (the mPaaS utdId), recorded by the gateway as sent. */
  deviceId?: string;
  /** Where the device token, the sync points and the handled push msgIds live between runs. Default: MemoryStorage. */
  persistence?: ClientStorage;
  /**
   * How to reach the endpoint. Default: WebSocketTransport (global WebSocket) for ws:// and wss://;
   * tcp:// and tls:// need `new TcpTransport()` from '@pushsync/client/node'.
   */
  transport?: Transport;
  /** Exponential back-off with full jitter between reconnect attempts. Default base 1 s, max 60 s. */
  reconnect?: BackoffOptions;
  /** Ping interval when the server advertises none, ms. Default 30000. */
  heartbeatIntervalMs?: number;
  /** Reconnect when a Pong does not arrive this long after a Ping, ms. Default min(heartbeat interval, 10000). */
  pongTimeoutMs?: number;
  /** From starting a connection to the HandshakeAck, ms. Default 10000. */
  handshakeTimeoutMs?: number;
  /** From calling an RPC (bind, unbind, report, ...) to its RpcResult, ms, waiting for a connection included. Default 10000. */
  rpcTimeoutMs?: number;
  /** Default 65536 (DECISIONS D6). */
  maxFrameBytes?: number;
  /**
   * How many handled push msgIds are remembered (and persisted) so that a re-sent message is not
   * raised twice; each is kept until its message expires, the oldest dropped beyond this. Default 10000.
   */
  recentMessageIds?: number;
  /** Source of randomness for the back-off jitter (tests). Default Math.random. */
  random?: () => number;
  /** The current time, epoch ms, against which push expiry is checked (tests). Default Date.now. */
  now?: () => number;
}

/** One oplog as delivered: `pl` is text, or base64 of the bytes when `isB` (use syncOpPayload). */
export interface SyncMessageOp {
  readonly id: number;
  readonly pl: string;
  readonly isB: boolean;
}

/** One batch of oplogs of one channel (bizType + key), as handed to a registerBiz callback. */
export interface SyncMessage {
  readonly bizType: string;
  /** The channel key: the userId, the device token or "*" (global). */
  readonly key: string;
  /** In oplog id order, duplicates and ids at or below the sync point removed. */
  readonly ops: readonly SyncMessageOp[];
  /** The id reportMsgReceived acknowledges: the highest of `ops`. */
  readonly highestId: number;
  /** The mPaaS `msgData` / iOS `op` value: JSON text of [{"id", "pl", "isB"?}] (isB only for binary). */
  readonly msgData: string;
}

export type SyncCallback = (message: SyncMessage) => void | Promise<void>;

/**
 * What the notification opens when tapped (mPaaS `pushAction`): 'web' for "0" (a web URL in `uri`,
 * also when the server sent no action, the mPaaS default), 'intent' for "1" (an Android activity or
 * iOS view controller named in `uri`), 'unknown' for any other value (read `action`).
 */
export type PushActionType = 'web' | 'intent' | 'unknown';

/** A push delivered over the gateway connection (the comet.v1 PushMessage). */
export interface PushSyncMessage {
  /** The mPaaS `k`: pass it to reportPushOpen / reportPushIgnored. */
  readonly msgId: string;
  readonly taskId: string;
  readonly title: string;
  readonly content: string;
  /** The web URL, or the activity / view controller name, that a tap opens (see actionType). */
  readonly uri: string;
  /** The action as the server sent it: "0" web URL, "1" intent activity ("" = not given). */
  readonly action: string;
  readonly actionType: PushActionType;
  /** mPaaS `pushStyle`: 0 default, 1 big text, 2 image and text. */
  readonly style: number;
  /** A silent push: handle it without showing a notification. */
  readonly silent: boolean;
  /** The extension parameters, system keys (notifyType, action, silent, pushType, templateCode, channel, taskId) included. */
  readonly extParams: Readonly<Record<string, string>>;
  readonly imageUrl: string;
  readonly iconUrl: string;
  /** When the message expires, epoch ms; 0 when the server gave no expiry. */
  readonly expireAtMs: number;
}

/** A push message withdrawn by the server: remove its notification if one is shown. */
export interface PushRevoke {
  readonly msgId: string;
}

export type PushMessageCallback = (message: PushSyncMessage) => void | Promise<void>;
export type PushRevokeCallback = (revoke: PushRevoke) => void | Promise<void>;
export type DeviceTokenCallback = (deviceToken: string) => void;

/** The mPaaS RPC result (mps.md §4): success, code, name, message. */
export type PushSyncRpcResult = Readonly<RpcResult>;

/** Vendor names of comet.v1, or the mPaaS thirdChannel numbers (4 Xiaomi, 5 Huawei, 7 OPPO, 8 vivo, ...). */
export type VendorInput = Exclude<Vendor, 'VENDOR_UNSPECIFIED'> | number;

export type DisconnectReason =
  /** appToBackground(): no reconnect until appToForeground(). */
  | 'background'
  /** The server sent GoAway; the client reconnects after its reconnect_after_ms. */
  | 'go-away'
  /** The server closed the connection. */
  | 'server-closed'
  /** The server sent an Error frame and the connection ended. */
  | 'server-error'
  | 'transport-error'
  | 'protocol-error'
  | 'handshake-timeout'
  | 'pong-timeout';

export interface ConnectedEvent {
  deviceToken: string;
  /** True when the gateway issued this token on this connection. */
  tokenIssued: boolean;
  heartbeatIntervalMs: number;
  serverTimeMs: number;
}

export interface DisconnectedEvent {
  reason: DisconnectReason;
  /** What the transport said, for logs. */
  detail: string;
  error?: PushSyncError;
  willReconnect: boolean;
}

export interface ReconnectingEvent {
  /** 1 for the first attempt after a connection ended. */
  attempt: number;
  delayMs: number;
}

export interface GoAwayEvent {
  reason: string;
  reconnectAfterMs: number;
}

export interface PushSyncClientEvents {
  connected: ConnectedEvent;
  /** Fired only for connections that had completed their handshake. */
  disconnected: DisconnectedEvent;
  reconnecting: ReconnectingEvent;
  /** Failed connection attempts, server Error frames, storage failures, throwing callbacks. */
  error: PushSyncError;
  /** The device token, at the first handshake of this client and whenever it changes. */
  deviceToken: string;
  goAway: GoAwayEvent;
}
