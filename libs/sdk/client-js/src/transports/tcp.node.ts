import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { FrameReader, lengthPrefixed } from '@pushsync/protocol';
import { endpointScheme, type Transport, type TransportConnection, type TransportHandlers } from './transport.port';

export interface TcpTransportOptions {
  /** TLS options for tls:// endpoints (ca, servername, rejectUnauthorized, ...). */
  tls?: Omit<ConnectionOptions, 'host' | 'port'>;
  /** Give up a connection attempt after this long, ms. Default 10000. */
  connectTimeoutMs?: number;
}

/**
 * tcp://host:port (plain, for development) and tls://host:port: each frame preceded by its 4-byte
 * big-endian length (DECISIONS D6). Node only: import it from '@pushsync/client/node'.
 */
export class TcpTransport implements Transport {
  public readonly name = 'tcp';

  public constructor(private readonly options: TcpTransportOptions = {}) {}

  public supports(endpoint: string): boolean {
    const scheme = endpointScheme(endpoint);
    return scheme === 'tcp' || scheme === 'tls';
  }

  public connect(endpoint: string, handlers: TransportHandlers, options: { maxFrameBytes: number }): TransportConnection {
    return new TcpConnection(endpoint, this.options, handlers, options.maxFrameBytes);
  }
}

class TcpConnection implements TransportConnection {
  private readonly socket: Socket;
  private readonly reader: FrameReader;
  private closed = false;
  private failure: Error | undefined;

  public constructor(
    endpoint: string,
    options: TcpTransportOptions,
    private readonly handlers: TransportHandlers,
    private readonly maxFrameBytes: number,
  ) {
    this.reader = new FrameReader({ maxFrameBytes });
    const url = new URL(endpoint);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const secure = url.protocol === 'tls:';
    const port = url.port === '' ? (secure ? 443 : 9800) : Number(url.port);
    const readyEvent = secure ? 'secureConnect' : 'connect';
    this.socket = secure ? connectTls({ servername: isIp(host) ? undefined : host, ...options.tls, host, port }) : connectTcp({ host, port });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(options.connectTimeoutMs ?? 10_000);
    this.socket.once('timeout', () => {
      this.failure ??= new Error(`connecting to ${endpoint} timed out`);
      this.socket.destroy();
    });
    this.socket.once(readyEvent, () => {
      this.socket.setTimeout(0);
      if (!this.closed) this.handlers.onOpen();
    });
    this.socket.on('data', (chunk: Buffer) => this.receive(chunk));
    this.socket.on('error', (error) => {
      this.failure ??= error;
    });
    this.socket.once('close', () => this.finish(this.failure ? 'connection failed' : 'connection closed by peer', this.failure));
  }

  public send(frameBytes: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(lengthPrefixed(frameBytes, { maxFrameBytes: this.maxFrameBytes }));
  }

  public close(): void {
    if (this.closed) return;
    this.socket.end();
    // A peer that never closes its side must not keep the socket (and the process) alive.
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.finish('closed by client');
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Uint8Array[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      this.socket.destroy();
      this.finish('protocol violation', error as Error);
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.handlers.onFrame(frame);
    }
  }

  private finish(reason: string, error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(reason, error);
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
