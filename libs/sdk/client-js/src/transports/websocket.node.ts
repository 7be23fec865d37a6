import { createRequire } from 'node:module';
import { type WebSocketConstructor, WebSocketTransport } from './websocket';

/**
 * The WebSocket transport in Node: the global WebSocket when there is one (Node ≥ 22, or Node 20
 * with --experimental-websocket), else the `ws` package, loaded only when no global exists so that
 * `ws` stays an optional peer dependency. Throws when neither is available.
 */
export function nodeWebSocketTransport(): WebSocketTransport {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return new WebSocketTransport({ WebSocket: global });
  return new WebSocketTransport({ WebSocket: loadWsPackage() });
}

function loadWsPackage(): WebSocketConstructor {
  try {
    const loaded = createRequire(__filename)('ws') as { WebSocket?: WebSocketConstructor } | WebSocketConstructor;
    return typeof loaded === 'function' ? loaded : loaded.WebSocket!;
  } catch (error) {
    throw new Error('this Node has no global WebSocket and the `ws` package is not installed (npm install ws)', { cause: error });
  }
}
