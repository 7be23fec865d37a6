import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { bodyKind, createFrame, decodeFrame, encodeFrame, FrameReader, lengthPrefixed, type Frame, type FrameBody, type FrameBodyKind, type FrameOf } from '@pushsync/protocol';
import WebSocket from 'ws';

export type CometTransport = { kind: 'tcp'; port: number } | { kind: 'tls'; port: number } | { kind: 'ws'; url: string };

/**
 * A raw comet client for tests: frames over TCP (length-prefixed), TLS or WebSocket, everything
 * received kept in order, with waits for a frame kind or for the close.
 */
export class CometTestClient {
  public readonly frames: Frame[] = [];
  public closed = false;
  private readonly waiters: Array<() => void> = [];
  private socket: Socket | undefined;
  private ws: WebSocket | undefined;
  private consumed = 0;

  private constructor() {}

  public static async connect(transport: CometTransport): Promise<CometTestClient> {
    const client = new CometTestClient();
    await client.open(transport);
    return client;
  }

  /** Connects and completes a handshake; resolves with the client and its ack. */
  public static async handshake(transport: CometTransport, body: Partial<FrameBody<'handshake'>>): Promise<{ client: CometTestClient; ack: FrameBody<'handshakeAck'> }> {
    const client = await CometTestClient.connect(transport);
    client.send(createFrame('handshake', { platform: 'ANDROID', appVersion: '1.0.0', sdkVersion: 'test', ...body }));
    const frame = await client.next();
    if (!frame.handshakeAck) throw new Error(`expected a handshake ack, got ${JSON.stringify(frame)}`);
    return { client, ack: frame.handshakeAck };
  }

  public send(frame: Frame): void {
    this.sendRaw(encodeFrame(frame));
  }

  /** One frame payload (the TCP transports add the length prefix). */
  public sendRaw(payload: Uint8Array): void {
    if (this.ws) this.ws.send(payload, { binary: true });
    else this.socket!.write(lengthPrefixed(payload));
  }

  /** Bytes as they are, no framing (TCP only). */
  public writeBytes(bytes: Uint8Array): void {
    if (this.ws) this.ws.send(bytes, { binary: true });
    else this.socket!.write(bytes);
  }

  /** Stops reading from the socket: the gateway sees a client that does not read. */
  public pauseReading(): void {
    this.socket?.pause();
    (this.ws as unknown as { _socket?: Socket } | undefined)?._socket?.pause();
  }

  /** The first frame received after `from` frames (default: the next unseen one), optionally of one kind. */
  public async next<K extends FrameBodyKind>(kind?: K, timeoutMs = 5000, from?: number): Promise<FrameOf<K>> {
    const start = from ?? this.consumed;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((frame, i) => i >= start && (kind === undefined || bodyKind(frame) === kind));
      if (index >= 0) {
        this.consumed = index + 1;
        return this.frames[index] as FrameOf<K>;
      }
      if (this.closed) throw new Error(`connection closed before a ${kind ?? 'frame'} arrived; got ${JSON.stringify(this.frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind ?? 'frame'} within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  public async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`connection still open after ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  public close(): void {
    this.ws?.terminate();
    this.socket?.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private received(payload: Uint8Array): void {
    this.frames.push(decodeFrame(payload));
    this.wake();
  }

  private open(transport: CometTransport): Promise<void> {
    return new Promise((resolve, reject) => {
      const onClose = () => {
        this.closed = true;
        this.wake();
      };
      if (transport.kind === 'ws') {
        const ws = new WebSocket(transport.url);
        ws.binaryType = 'nodebuffer';
        this.ws = ws;
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.on('message', (data: Buffer) => this.received(new Uint8Array(data)));
        ws.on('close', onClose);
        return;
      }
      const reader = new FrameReader({ maxFrameBytes: 16 * 1024 * 1024 });
      const socket =
        transport.kind === 'tcp'
          ? connectTcp({ host: '127.0.0.1', port: transport.port }, () => resolve())
          : connectTls({ host: '127.0.0.1', port: transport.port, rejectUnauthorized: false }, () => resolve());
      this.socket = socket;
      socket.once('error', reject);
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const payload of reader.push(chunk)) this.received(payload);
      });
      socket.on('close', onClose);
    });
  }
}

