import { concatBytes } from '@pushsync/protocol';
import { type Transport, type TransportConnection, type TransportHandlers, endpointScheme } from './transport.port';

/** The part of the WHATWG WebSocket API used here (browsers, Node ≥ 22, and the `ws` package). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

const OPEN = 1;

export interface WebSocketTransportOptions {
  /** The WebSocket class to use; default the global WebSocket, looked up at each connect. */
  WebSocket?: WebSocketConstructor;
}

/** One comet.v1.Frame per binary WebSocket message (DECISIONS D6). Browser-safe: no Node imports. */
export class WebSocketTransport implements Transport {
  public readonly name = 'websocket';

  public constructor(private readonly options: WebSocketTransportOptions = {}) {}

  public supports(endpoint: string): boolean {
    const scheme = endpointScheme(endpoint);
    return scheme === 'ws' || scheme === 'wss';
  }

  public connect(endpoint: string, handlers: TransportHandlers, options: { maxFrameBytes: number }): TransportConnection {
    return new WebSocketConnection(endpoint, this.options.WebSocket, handlers, options.maxFrameBytes);
  }
}

class WebSocketConnection implements TransportConnection {
  private socket: WebSocketLike | undefined;
  private closed = false;
  private failure: Error | undefined;

  public constructor(
    endpoint: string,
    implementation: WebSocketConstructor | undefined,
    private readonly handlers: TransportHandlers,
    private readonly maxFrameBytes: number,
  ) {
    const WebSocketClass = implementation ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketClass) {
      this.finishLater('no WebSocket', new Error('no global WebSocket here: pass one (WebSocketTransport({ WebSocket }) or nodeWebSocketTransport() from @pushsync/client/node)'));
      return;
    }
    let socket: WebSocketLike;
    try {
      socket = new WebSocketClass(endpoint);
    } catch (error) {
      this.finishLater('connect failed', error instanceof Error ? error : new Error(String(error)));
      return;
    }
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (!this.closed) this.handlers.onOpen();
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onerror = (event) => {
      const message = (event as { message?: unknown; error?: { message?: unknown } } | null)?.error?.message ?? (event as { message?: unknown } | null)?.message;
      this.failure ??= new Error(`WebSocket error${typeof message === 'string' && message !== '' ? `: ${message}` : ''}`);
    };
    socket.onclose = (event) => this.finish(`websocket closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`, this.failure);
  }

  public send(frameBytes: Uint8Array): void {
    if (this.closed || this.socket?.readyState !== OPEN) return;
    this.socket.send(frameBytes);
  }

  public close(): void {
    if (this.closed) return;
    try {
      this.socket?.close(1000, 'client closed');
    } catch {
      // Closing a socket that never opened may throw in some implementations; the outcome is the same.
    }
    this.finish('closed by client');
  }

  private receive(data: unknown): void {
    if (this.closed) return;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (data instanceof Uint8Array) bytes = data;
    else if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) bytes = concatBytes(data as Uint8Array[]);
    else {
      this.failAndClose(new Error('received a text WebSocket message; the comet protocol uses binary messages only'));
      return;
    }
    if (bytes.length > this.maxFrameBytes) {
      this.failAndClose(new Error(`received a frame of ${bytes.length} bytes, the maximum is ${this.maxFrameBytes}`));
      return;
    }
    this.handlers.onFrame(bytes);
  }

  private failAndClose(error: Error): void {
    try {
      this.socket?.close(1003, 'unsupported data');
    } catch {
      // see close()
    }
    this.finish('protocol violation', error);
  }

  private finish(reason: string, error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket) {
      this.socket.onopen = null;
      this.socket.onmessage = null;
      this.socket.onclose = null;
      // Not null: the `ws` package emits 'error' for a socket closed while connecting, and an
      // EventEmitter 'error' without a listener would be thrown as an uncaught exception.
      this.socket.onerror = () => undefined;
    }
    this.handlers.onClose(reason, error);
  }

  private finishLater(reason: string, error: Error): void {
    // Never call back from within connect(): the caller has not stored the connection yet.
    setTimeout(() => this.finish(reason, error), 0);
  }
}
