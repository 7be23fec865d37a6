// @pushsync/client: the browser-safe entry (WebSocket transport, memory and localStorage persistence).
// Node-only pieces (TcpTransport, FileStorage, nodeWebSocketTransport) are in '@pushsync/client/node'.
export { PushSyncClient } from './client/push-sync.client';
export { isPushSyncError, PushSyncError } from './client/push-sync.error';
export type { PushSyncErrorCode } from './client/push-sync.error';
export { SDK_VERSION } from './client/client.types';
export type {
  ClientPlatform,
  ConnectedEvent,
  DeviceTokenCallback,
  DisconnectedEvent,
  DisconnectReason,
  GoAwayEvent,
  PushActionType,
  PushMessageCallback,
  PushRevoke,
  PushRevokeCallback,
  PushSyncClientEvents,
  PushSyncClientOptions,
  PushSyncMessage,
  PushSyncRpcResult,
  ReconnectingEvent,
  SyncCallback,
  SyncMessage,
  SyncMessageOp,
  VendorInput,
} from './client/client.types';
export { syncOpPayload } from './client/sync-payload';
export { ReconnectBackoff } from './client/reconnect-backoff';
export type { BackoffOptions } from './client/reconnect-backoff';
export type { ClientStorage, StoredClientState, StoredPushMsgId, StoredSyncPoint } from './storage/client-storage.port';
export { MemoryStorage } from './storage/memory.storage';
export { LocalStorageStorage } from './storage/local-storage.storage';
export type { WebStorageLike } from './storage/local-storage.storage';
export type { Transport, TransportConnection, TransportHandlers } from './transports/transport.port';
export { WebSocketTransport } from './transports/websocket';
export type { WebSocketConstructor, WebSocketLike, WebSocketTransportOptions } from './transports/websocket';
