import { createHash } from 'node:crypto';
import { type IncomingMessage } from 'node:http';
import { type Duplex } from 'node:stream';

/**
 * Test fixture: just enough of an RFC 6455 server (upgrade handshake, binary/close/ping frames,
 * fragmentation) to exercise the SDK's WebSocket transport without the `ws` package.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;

export interface MinimalWebSocketHandlers {
  onMessage(bytes: Uint8Array): void;
  onClose(): void;
}

export class MinimalWebSocket {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Duplex,
    private readonly handlers: MinimalWebSocketHandlers,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  /** Completes the upgrade of an HTTP request; answers 400 and returns undefined when it is not a WebSocket request. */
  public static accept(request: IncomingMessage, socket: Duplex, head: Buffer, handlers: MinimalWebSocketHandlers): MinimalWebSocket | undefined {
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string' || String(request.headers.upgrade).toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return undefined;
    }
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    const connection = new MinimalWebSocket(socket, handlers);
    if (head.length > 0) connection.receive(head);
    return connection;
  }

  public sendBinary(bytes: Uint8Array): void {
    this.writeFrame(OP_BINARY, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  public sendText(text: string): void {
    this.writeFrame(OP_TEXT, Buffer.from(text, 'utf8'));
  }

  /** Sends a close frame and ends the TCP connection. */
  public close(code = 1000): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code, 0);
    this.writeFrame(OP_CLOSE, payload);
    this.socket.end();
    this.finish();
  }

  /** Drops the TCP connection without a close frame. */
  public destroy(): void {
    this.socket.destroy();
    this.finish();
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    let header: Buffer;
    if (payload.length < 126) {
      header = Buffer.from([0x80 | opcode, payload.length]);
    } else if (payload.length < 0x10000) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    this.socket.write(Buffer.concat([header, payload]));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const first = this.buffer[0]!;
      const second = this.buffer[1]!;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (second & 0x80) !== 0;
      const maskOffset = offset;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) return;
      const payload = Buffer.from(this.buffer.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= this.buffer[maskOffset + (i % 4)]!;
      this.buffer = this.buffer.subarray(offset + length);
      this.onFrame((first & 0x80) !== 0, first & 0x0f, payload);
    }
  }

  private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OP_BINARY:
      case OP_TEXT:
      case OP_CONTINUATION:
        this.fragments.push(payload);
        if (fin) {
          const message = Buffer.concat(this.fragments);
          this.fragments = [];
          if (!this.closed) this.handlers.onMessage(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
        }
        break;
      case OP_CLOSE:
        this.close(payload.length >= 2 ? payload.readUInt16BE(0) : 1000);
        break;
      case OP_PING:
        this.writeFrame(0xa, payload);
        break;
      default:
        break;
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose();
  }
}
