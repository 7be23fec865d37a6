// @pushsync/client/node: everything of '@pushsync/client' plus the Node-only transports and storage.
export * from './index';
export { TcpTransport } from './transports/tcp.node';
export type { TcpTransportOptions } from './transports/tcp.node';
export { nodeWebSocketTransport } from './transports/websocket.node';
export { FileStorage } from './storage/file.storage.node';
