import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import {
  bodyKind,
  createFrame,
  decodeFrame,
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  type Frame,
  type FrameBody,
  type FrameBodyKind,
  FrameReader,
  type Handshake,
  lengthPrefixed,
  type RpcResult,
  type SyncOp,
} from '@pushsync/protocol';
import { AsyncQueue } from './async-queue';
import { MinimalWebSocket } from './minimal-websocket.server';

/**
 * TEST FIXTURE, not a gateway: a small comet server speaking proto/comet/v1 over TCP (length-prefixed)
 * and WebSocket (one binary message per frame), scripted by the tests. It issues tokens, answers
 * pings and RPCs, and lets a test push sync data, push messages, revokes and GoAways to a connection.
 */

export interface CometTestServerOptions {
  heartbeatIntervalMs?: number;
  reconnectBackoffMs?: number;
  /** Answer Pings with Pongs. Default true. */
  answerPings?: boolean;
  /** The answer to an RPC frame; undefined = no answer (RPC timeout tests). Default: success, or 3012 for an empty userId. */
  rpc?: (frame: Frame, connection: TestConnection) => RpcResult | undefined;
  /** Device tokens refused at the handshake (Error DEVICE_TOKEN_INVALID and close), as the gateway refuses foreign tokens. */
  refusedTokens?: ReadonlySet<string>;
  /** Serve TLS instead of plain TCP on the TCP port (tls:// endpoints). */
  tls?: { key: string; cert: string };
  /** Also listen for WebSocket upgrades on an HTTP port. */
  websocket?: boolean;
}

/** What the comet gateway (libs/comet) answers a successful RPC with. */
export const RPC_OK: RpcResult = { success: true, code: 100, name: 'SUCCESS', message: 'success' };

export class TestConnection {
  public readonly frames = new AsyncQueue<Frame>('a frame from the client');
  public handshake: Handshake | undefined;
  public deviceToken = '';
  public closed = false;
  private readonly closeWaiters: (() => void)[] = [];

  public constructor(
    public readonly transport: 'tcp' | 'websocket',
    private readonly write: (bytes: Uint8Array) => void,
    private readonly end: (graceful: boolean) => void,
  ) {}

  public send(frame: Frame): void {
    if (!this.closed) this.write(encodeFrame(frame));
  }

  public sendSyncData(bizType: string, key: string, ops: (Partial<SyncOp> & { id: number })[]): void {
    this.send(createFrame('syncData', { bizType, key, op: ops.map((op) => ({ pl: `payload-${op.id}`, isB: false, ...op })) }));
  }

  public sendPush(body: Partial<FrameBody<'pushMessage'>> & { msgId: string }): void {
    this.send(createFrame('pushMessage', body));
  }

  /** The next frame of `kind` the client sent (frames of other kinds stay queued). */
  public async next<K extends FrameBodyKind>(kind: K, timeoutMs = 5000): Promise<Frame & Required<Pick<Frame, K>>> {
    return (await this.frames.next(timeoutMs, (frame) => bodyKind(frame) === kind)) as Frame & Required<Pick<Frame, K>>;
  }

  /** Frames of `kind` received and not taken by next() yet. */
  public received(kind: FrameBodyKind): Frame[] {
    return this.frames.pending((frame) => bodyKind(frame) === kind);
  }

  /** Closes cleanly (TCP FIN / WebSocket close frame). */
  public close(): void {
    this.end(true);
  }

  /** Drops the connection abruptly. */
  public destroy(): void {
    this.end(false);
  }

  public whenClosed(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`connection not closed within ${timeoutMs} ms`)), timeoutMs);
      this.closeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Called by the server. */
  public markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.closeWaiters.splice(0)) waiter();
  }
}

export class CometTestServer {
  /** Every connection that completed its handshake, in order. */
  public readonly connections = new AsyncQueue<TestConnection>('a client handshake');
  public readonly handshakes: Handshake[] = [];
  public readonly issuedTokens: string[] = [];
  public tcpPort = 0;
  public httpPort = 0;
  private readonly open = new Set<TestConnection>();
  private readonly sockets = new Set<Socket>();
  private tcp: TcpServer | undefined;
  private http: HttpServer | undefined;

  public constructor(public options: CometTestServerOptions = {}) {}

  public get tcpEndpoint(): string {
    return `${this.options.tls ? 'tls' : 'tcp'}://127.0.0.1:${this.tcpPort}`;
  }

  public get wsEndpoint(): string {
    return `ws://127.0.0.1:${this.httpPort}/comet`;
  }

  /** Connections currently open (handshaken or not). */
  public get openConnections(): number {
    return this.open.size;
  }

  /** Listens on 127.0.0.1: the TCP port given (to come back on the same port after stop()) or a free one. */
  public async start(tcpPort = 0): Promise<this> {
    const tls = this.options.tls;
    this.tcp = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => this.acceptTcp(socket)) : createTcpServer((socket) => this.acceptTcp(socket));
    if (tls) this.tcp.on('tlsClientError', () => undefined);
    this.tcpPort = await listen(this.tcp, tcpPort);
    if (this.options.websocket) {
      this.http = createHttpServer((_request, response) => response.writeHead(426).end());
      this.http.on('upgrade', (request, socket: Socket, head: Buffer) => {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        if (request.url !== '/comet') {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
          return;
        }
        let connection: TestConnection | undefined = undefined;
        const ws = MinimalWebSocket.accept(request, socket, head, {
          onMessage: (bytes) => connection && this.onFrameBytes(connection, bytes),
          onClose: () => connection && this.onClosed(connection),
        });
        if (!ws) return;
        connection = new TestConnection(
          'websocket',
          (bytes) => ws.sendBinary(bytes),
          (graceful) => (graceful ? ws.close() : ws.destroy()),
        );
        this.open.add(connection);
      });
      this.httpPort = await listen(this.http, 0);
    }
    return this;
  }

  public async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.tcp, this.http].map((server) => (server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined)));
  }

  private acceptTcp(socket: Socket): void {
    this.sockets.add(socket);
    const reader = new FrameReader({ maxFrameBytes: DEFAULT_MAX_FRAME_BYTES });
    const connection = new TestConnection(
      'tcp',
      (bytes) => socket.write(lengthPrefixed(bytes)),
      (graceful) => (graceful ? socket.end() : socket.destroy()),
    );
    this.open.add(connection);
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const bytes of frames) this.onFrameBytes(connection, bytes);
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.onClosed(connection);
    });
  }

  private onClosed(connection: TestConnection): void {
    this.open.delete(connection);
    connection.markClosed();
  }

  private onFrameBytes(connection: TestConnection, bytes: Uint8Array): void {
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      connection.send(createFrame('error', { code: 'MALFORMED_FRAME', message: String(error) }));
      connection.destroy();
      return;
    }
    const kind = bodyKind(frame);
    if (kind === 'handshake') {
      this.onHandshake(connection, frame.handshake!);
      return;
    }
    if (!connection.handshake) {
      connection.send(createFrame('error', { code: 'HANDSHAKE_REQUIRED', message: `${String(kind)} before the handshake` }));
      connection.destroy();
      return;
    }
    connection.frames.push(frame);
    if (kind === 'ping' && this.options.answerPings !== false) {
      connection.send(createFrame('pong', { clientTimeMs: frame.ping!.clientTimeMs, serverTimeMs: Date.now() }));
    }
    if (kind === 'bindUser' || kind === 'unbindUser' || kind === 'reportVendorToken') {
      const result = this.options.rpc ? this.options.rpc(frame, connection) : defaultRpc(frame);
      if (result) connection.send(createFrame('rpcResult', result, frame.seq));
    }
  }

  private onHandshake(connection: TestConnection, handshake: Handshake): void {
    if (this.options.refusedTokens?.has(handshake.deviceToken)) {
      this.handshakes.push(handshake);
      connection.send(createFrame('error', { code: 'DEVICE_TOKEN_INVALID', message: 'unknown device token' }));
      connection.close();
      return;
    }
    let token = handshake.deviceToken;
    const issued = token === '';
    if (issued) {
      token = randomBytes(16).toString('hex');
      this.issuedTokens.push(token);
    }
    connection.handshake = handshake;
    connection.deviceToken = token;
    this.handshakes.push(handshake);
    connection.send(
      createFrame('handshakeAck', {
        deviceToken: token,
        tokenIssued: issued,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs ?? 30_000,
        serverTimeMs: Date.now(),
        reconnectBackoffMs: this.options.reconnectBackoffMs ?? 0,
      }),
    );
    this.connections.push(connection);
  }
}

function defaultRpc(frame: Frame): RpcResult {
  if (frame.bindUser && frame.bindUser.userId === '') return { success: false, code: 3012, name: 'NEED_USERID', message: 'need userid' };
  return RPC_OK;
}

function listen(server: TcpServer | HttpServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
