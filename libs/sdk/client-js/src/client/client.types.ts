import { type Platform, type PushMessage, type RpcResult, type Vendor } from '@pushsync/protocol';
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
  /** Where the device token and sync points live between runs. Default: MemoryStorage. */
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
  /** How many recent push msgIds are remembered to drop redeliveries. Default 1000. */
  recentMessageIds?: number;
  /** Source of randomness for the back-off jitter (tests). Default Math.random. */
  random?: () => number;
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

/** A push delivered over the gateway connection (the comet.v1 PushMessage; msgId is the mPaaS `k`). */
export type PushSyncMessage = Readonly<PushMessage>;

export type MessageCallback = (message: PushSyncMessage) => void | Promise<void>;
export type RevokeCallback = (msgId: string) => void;
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
