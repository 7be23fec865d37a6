import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CometGateway, Connection } from '@pushsync/comet';
import { FrameReader, isProtocolError, LENGTH_PREFIX_BYTES } from '@pushsync/protocol';
import { WebSocket, WebSocketServer } from 'ws';

/** The comet WebSocket path on the HTTP port (DECISIONS D6). */
export const COMET_WS_PATH = '/comet';

/**
 * A TCP or TLS socket as a comet Connection: 4-byte big-endian length prefix per frame (D6). The
 * prefix and the frame go out as two writes under cork, so the frame bytes shared by a fan-out are
 * never copied per connection.
 */
export function attachSocket(gateway: CometGateway, socket: Socket, transport: 'tcp' | 'tls', maxFrameBytes: number): void {
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  const connection: Connection = {
    transport,
    remoteAddress: socket.remoteAddress ?? 'unknown',
    write: (frame) => {
      if (socket.destroyed || !socket.writable) return false;
      const header = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES);
      header.writeUInt32BE(frame.length, 0);
      socket.cork();
      socket.write(header);
      const ok = socket.write(frame);
      socket.uncork();
      return ok;
    },
    onDrain: (listener) => void socket.on('drain', listener),
    end: () => socket.end(),
    destroy: () => socket.destroy(),
  };
  const session = gateway.accept(connection);
  const reader = new FrameReader({ maxFrameBytes });
  socket.on('data', (chunk: Buffer) => {
    let frames: Uint8Array[];
    try {
      frames = reader.push(chunk);
    } catch (error) {
      if (isProtocolError(error)) {
        session.protocolError(error);
        socket.pause(); // read nothing more from an offender
        return;
      }
      throw error;
    }
    for (const frame of frames) session.receive(frame);
  });
  socket.on('error', () => undefined); // 'close' follows
  socket.on('close', () => session.closed());
}

/** A WebSocket (one binary message = one frame) as a comet Connection. */
export function attachWebSocket(gateway: CometGateway, socket: WebSocket, remoteAddress: string, highWaterMark: number): void {
  const drainListeners: Array<() => void> = [];
  let waitingForDrain = false;
  const pollDrain = () => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > highWaterMark) {
      setTimeout(pollDrain, 10).unref();
      return;
    }
    waitingForDrain = false;
    for (const listener of drainListeners) listener();
  };
  const connection: Connection = {
    transport: 'ws',
    remoteAddress,
    write: (frame) => {
      if (socket.readyState !== WebSocket.OPEN) return false;
      socket.send(frame, { binary: true });
      if (socket.bufferedAmount <= highWaterMark) return true;
      if (!waitingForDrain) {
        waitingForDrain = true;
        setTimeout(pollDrain, 10).unref();
      }
      return false;
    },
    onDrain: (listener) => void drainListeners.push(listener),
    end: () => socket.close(1000),
    destroy: () => socket.terminate(),
  };
  const session = gateway.accept(connection);
  socket.on('message', (data, isBinary) => {
    if (!isBinary) {
      session.receive(new Uint8Array(0)); // text messages are not frames: refused as malformed
      return;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    session.receive(bytes);
  });
  socket.on('error', () => undefined);
  socket.on('close', () => session.closed());
}

/** Serves WebSocket upgrades at COMET_WS_PATH of an HTTP server (Fastify's); other upgrade paths are refused. */
export function createWebSocketUpgrade(gateway: CometGateway, maxFrameBytes: number): { handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void; close(): void } {
  // Up to twice the frame limit a message reaches the session, which answers FRAME_TOO_LARGE with an Error frame; beyond, ws closes with 1009.
  const server = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes * 2, perMessageDeflate: false, clientTracking: false });
  return {
    handleUpgrade: (request, socket, head) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== COMET_WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      socket.on('error', () => undefined);
      server.handleUpgrade(request, socket, head, (ws) => attachWebSocket(gateway, ws, request.socket.remoteAddress ?? 'unknown', 64 * 1024));
    },
    close: () => server.close(),
  };
}
