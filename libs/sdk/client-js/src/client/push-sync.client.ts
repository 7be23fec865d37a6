import {
  bodyKind,
  createFrame,
  decodeFrame,
  DEFAULT_MAX_FRAME_BYTES,
  encodeFrame,
  type Frame,
  type FrameBody,
  type FrameBodyKind,
  type HandshakeAck,
  isProtocolError,
  type PushMessage,
  type SyncData,
  type Vendor,
} from '@pushsync/protocol';
import { type ClientStorage, type StoredClientState, type StoredSyncPoint } from '../storage/client-storage.port';
import { MemoryStorage } from '../storage/memory.storage';
import { type Transport, type TransportConnection } from '../transports/transport.port';
import { WebSocketTransport } from '../transports/websocket';
import {
  type ClientPlatform,
  type DeviceTokenCallback,
  type DisconnectReason,
  type PushActionType,
  type PushMessageCallback,
  type PushRevokeCallback,
  type PushSyncClientEvents,
  type PushSyncClientOptions,
  type PushSyncMessage,
  type PushSyncRpcResult,
  SDK_VERSION,
  type SyncCallback,
  type SyncMessage,
  type SyncMessageOp,
  type VendorInput,
} from './client.types';
import { PushSyncError } from './push-sync.error';
import { HandledPushIds, isExpired } from './handled-push-ids';
import { ReconnectBackoff } from './reconnect-backoff';
import { TypedEmitter } from './typed-emitter';

interface ResolvedOptions {
  readonly endpoint: string;
  readonly appId: string;
  readonly workspaceId: string;
  readonly clientKey: string;
  readonly platform: ClientPlatform;
  readonly osVersion: string;
  readonly appVersion: string;
  readonly manufacturer: string;
  readonly deviceId: string;
  readonly storage: ClientStorage;
  readonly transport: Transport;
  readonly heartbeatIntervalMs: number;
  readonly pongTimeoutMs: number | undefined;
  readonly handshakeTimeoutMs: number;
  readonly rpcTimeoutMs: number;
  readonly maxFrameBytes: number;
  readonly now: () => number;
}

/** One connection attempt, from transport connect to its end. Callbacks of an ended session are ignored. */
interface Session {
  connection: TransportConnection | undefined;
  phase: 'opening' | 'handshaking' | 'ready';
  ended: boolean;
  handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  pongTimer: ReturnType<typeof setTimeout> | undefined;
  heartbeatIntervalMs: number;
  /** Set by the server's Error frame, so that the close that follows is reported as server-error. */
  serverError: PushSyncError | undefined;
}

interface PendingRpc {
  readonly kind: FrameBodyKind;
  readonly bytes: Uint8Array;
  sent: boolean;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly resolve: (result: PushSyncRpcResult) => void;
  readonly reject: (error: PushSyncError) => void;
}

const NEED_USERID: PushSyncRpcResult = Object.freeze({ success: false, code: 3012, name: 'NEED_USERID', message: 'need userid' });
const MAX_QUEUED_REPORTS = 100;
const DEFAULT_HANDLED_PUSH_IDS = 10_000;
const VENDOR_CODES: Readonly<Record<number, Vendor>> = { 4: 'XIAOMI', 5: 'HUAWEI', 7: 'OPPO', 8: 'VIVO', 9: 'HONOR', 10: 'HARMONYOS', 11: 'FCM', 12: 'APNS' };
const PLATFORMS: readonly ClientPlatform[] = ['ANDROID', 'IOS', 'HARMONY', 'WEB'];

/**
 * The device side of pushsync: one persistent connection to the comet gateway carrying Mobile Sync
 * (MPSync-like: initialize, appToForeground, registerBiz, reportMsgReceived, ...) and Message Push
 * (MPPush-like: onDeviceToken, bind, report, onPushMessage, onPushRevoke, reportPushOpen, ...). See README.md.
 */
export class PushSyncClient extends TypedEmitter<PushSyncClientEvents> {
  private options: ResolvedOptions | undefined;
  private initializing = false;
  private deviceToken: string | undefined;
  /** Token the server confirmed to this client instance (deviceToken event / onDeviceToken). */
  private confirmedToken: string | undefined;
  /** channel id -> acknowledged sync point. */
  private readonly points = new Map<string, StoredSyncPoint>();
  /** channel id -> highest oplog id accepted in this process (held or delivered, acked or not). */
  private readonly accepted = new Map<string, number>();
  private readonly bizCallbacks = new Map<string, SyncCallback>();
  private readonly held = new Map<string, SyncMessage[]>();
  private readonly pushCallbacks = new Set<PushMessageCallback>();
  private readonly pushRevokeCallbacks = new Set<PushRevokeCallback>();
  private readonly tokenCallbacks = new Set<DeviceTokenCallback>();
  private handledPushIds = new HandledPushIds(DEFAULT_HANDLED_PUSH_IDS);
  /** msgId -> push message that arrived while no callback was registered, in arrival order; not acked yet. */
  private readonly heldPushes = new Map<string, PushSyncMessage>();
  /** msgIds handed to the callbacks whose PushAck waits for the callbacks and the save. */
  private readonly raisingPushes = new Set<string>();
  private backoff = new ReconnectBackoff(undefined);
  private foreground = false;
  private session: Session | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** The GoAway's reconnect_after_ms, used instead of the back-off for the next attempt. */
  private goAwayDelayMs: number | undefined;
  private readonly pendingRpcs = new Map<number, PendingRpc>();
  private lastSeq = 0;
  /** Push reports made while offline, sent after the next handshake. */
  private readonly queuedReports: Uint8Array[] = [];
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;
  private readonly connectedWaiters = new Set<() => void>();

  public constructor() {
    super();
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle (MPSync)

  /** Once per app lifecycle: checks the options and loads the persisted token, sync points and handled push msgIds. Does not connect. */
  public async initialize(options: PushSyncClientOptions): Promise<void> {
    if (this.options || this.initializing) throw new PushSyncError('INVALID_ARGUMENT', 'initialize() was called already');
    const resolved = resolveOptions(options);
    let handledPushIds: HandledPushIds;
    let backoff: ReconnectBackoff;
    try {
      handledPushIds = new HandledPushIds(options.recentMessageIds ?? DEFAULT_HANDLED_PUSH_IDS);
      backoff = new ReconnectBackoff(options.reconnect, options.random);
    } catch (error) {
      throw new PushSyncError('INVALID_ARGUMENT', errorText(error));
    }
    this.initializing = true;
    let stored: StoredClientState | undefined;
    try {
      stored = await resolved.storage.load();
    } catch (error) {
      throw new PushSyncError('STORAGE_ERROR', `could not load the client state: ${errorText(error)}`, { cause: error });
    } finally {
      this.initializing = false;
    }
    this.deviceToken = stored?.deviceToken;
    for (const point of stored?.syncPoints ?? []) this.points.set(channelId(point.bizType, point.key), { ...point });
    for (const entry of stored?.pushMsgIds ?? []) handledPushIds.add(entry.msgId, entry.expireAtMs);
    handledPushIds.dropExpired(resolved.now());
    this.handledPushIds = handledPushIds;
    this.backoff = backoff;
    this.options = resolved;
  }

  /**
   * Connects (and keeps reconnecting) until appToBackground(). Call on every foreground; while
   * already in foreground it changes nothing (a pending back-off or GoAway delay is kept).
   */
  public appToForeground(): void {
    this.requireOptions();
    this.foreground = true;
    if (this.session || this.reconnectTimer) return;
    this.backoff.reset();
    this.goAwayDelayMs = undefined;
    this.openSession();
  }

  /** Disconnects and stops reconnecting until appToForeground(); resolves once the state is saved. */
  public async appToBackground(): Promise<void> {
    this.foreground = false;
    this.clearReconnectTimer();
    if (this.session) this.endSession(this.session, 'background', 'app went to background', undefined);
    for (const [seq, pending] of this.pendingRpcs) {
      this.settleRpc(seq);
      pending.reject(new PushSyncError('NOT_CONNECTED', `${pending.kind} was not answered: the app went to background`));
    }
    await this.flush();
  }

  public isConnected(): boolean {
    return this.session?.phase === 'ready';
  }

  /** Resolves when connected (at once if connected already); rejects after `timeoutMs`. */
  public whenConnected(timeoutMs = 30_000): Promise<void> {
    if (this.isConnected()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.connectedWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.connectedWaiters.delete(done);
        reject(new PushSyncError('NOT_CONNECTED', `not connected within ${timeoutMs} ms`));
      }, timeoutMs);
      this.connectedWaiters.add(done);
    });
  }

  /** Resolves when every change so far is saved to the persistence. */
  public async flush(): Promise<void> {
    await this.saving;
  }

  /** The device token, once the gateway issued one (also from the persistence of an earlier run). */
  public getDeviceToken(): string | undefined {
    return this.deviceToken;
  }

  /** The acknowledged sync points, as sent at the next handshake. */
  public getSyncPoints(): StoredSyncPoint[] {
    return [...this.points.values()].map((point) => ({ ...point }));
  }

  // ---------------------------------------------------------------------------------------------
  // Sync (MPSync)

  /**
   * Binds the user to this device (BindUser RPC; the same binding as bind(), DECISIONS D4). With an
   * empty userId nothing is sent and the result is the mPaaS NEED_USERID answer (success false, code
   * 3012), the counterpart of Android's `false` return. Rejects on RPC timeout or in background.
   */
  public async updateUserInfo(userId: string, sessionId = ''): Promise<PushSyncRpcResult> {
    this.requireOptions();
    if (typeof userId !== 'string' || userId.trim() === '') return NEED_USERID;
    return this.rpc('bindUser', { userId, sessionId });
  }

  /** Removes the user binding (UnbindUser RPC). */
  public async clearUserInfo(): Promise<PushSyncRpcResult> {
    this.requireOptions();
    return this.rpc('unbindUser', {});
  }

  /**
   * Delivers the bizType's sync messages to `callback`, first those held since they arrived without a
   * registered callback, in arrival order. A second registration replaces the first.
   */
  public registerBiz(bizType: string, callback: SyncCallback): void {
    if (typeof bizType !== 'string' || bizType === '') throw new PushSyncError('INVALID_ARGUMENT', 'bizType must be a non-empty string');
    if (typeof callback !== 'function') throw new PushSyncError('INVALID_ARGUMENT', 'callback must be a function');
    this.bizCallbacks.set(bizType, callback);
    const held = this.held.get(bizType);
    if (!held) return;
    this.held.delete(bizType);
    for (const message of held) {
      // The callback may unregister itself while the backlog drains: keep the rest held.
      if (this.bizCallbacks.get(bizType) !== callback) {
        this.hold(message);
        continue;
      }
      this.invokeSync(callback, message);
    }
  }

  /** Stops delivering; later messages of the bizType are held until a callback registers again. */
  public unregisterBiz(bizType: string): void {
    this.bizCallbacks.delete(bizType);
  }

  /**
   * Tells the server the message was processed: a SyncAck with the batch's highest oplog id, which
   * moves (and persists) the sync point of its bizType + key. Offline, the moved point is carried by
   * the next handshake instead.
   */
  public reportMsgReceived(message: SyncMessage): void {
    this.requireOptions();
    if (!message || typeof message.bizType !== 'string' || typeof message.key !== 'string' || !Number.isSafeInteger(message.highestId)) {
      throw new PushSyncError('INVALID_ARGUMENT', 'reportMsgReceived takes a SyncMessage handed to a registerBiz callback');
    }
    const channel = channelId(message.bizType, message.key);
    const current = this.points.get(channel)?.oplogId ?? 0;
    if (message.highestId > current) {
      this.points.set(channel, { bizType: message.bizType, key: message.key, oplogId: message.highestId });
      this.persist();
    }
    this.sendIfReady(createFrame('syncAck', { bizType: message.bizType, key: message.key, oplogId: Math.max(current, message.highestId) }));
  }

  // ---------------------------------------------------------------------------------------------
  // Push (MPPush)

  /** `callback` gets the device token at the first handshake of this client and whenever it changes. Returns an unsubscribe function. */
  public onDeviceToken(callback: DeviceTokenCallback): () => void {
    this.tokenCallbacks.add(callback);
    const known = this.confirmedToken;
    if (known !== undefined) {
      queueMicrotask(() => {
        if (this.tokenCallbacks.has(callback)) this.invokeCallback(() => callback(known));
      });
    }
    return () => this.tokenCallbacks.delete(callback);
  }

  /** Binds userId to this device's token (BindUser RPC); same empty-userId answer as updateUserInfo. */
  public async bind(userId: string, sessionId = ''): Promise<PushSyncRpcResult> {
    return this.updateUserInfo(userId, sessionId);
  }

  /** Removes the user binding (UnbindUser RPC). */
  public async unbind(): Promise<PushSyncRpcResult> {
    return this.clearUserInfo();
  }

  /** Reports a vendor channel token (ReportVendorToken RPC); idempotent on the server. */
  public async report(vendor: VendorInput, vendorToken: string): Promise<PushSyncRpcResult> {
    this.requireOptions();
    const name = typeof vendor === 'number' ? VENDOR_CODES[vendor] : vendor;
    if (name === undefined || !Object.values(VENDOR_CODES).includes(name)) throw new PushSyncError('INVALID_ARGUMENT', `unknown vendor ${String(vendor)}`);
    if (typeof vendorToken !== 'string' || vendorToken === '') throw new PushSyncError('INVALID_ARGUMENT', 'vendorToken must be a non-empty string');
    return this.rpc('reportVendorToken', { vendor: name, vendorToken });
  }

  /**
   * `callback` gets each push message once, also across restarts (the handled msgIds are persisted).
   * The PushAck is sent after every callback returned (or its promise settled, also when one threw)
   * and the msgId is saved. Messages that arrived while no callback was registered are held, not
   * acked, and handed over (in arrival order) right after this registration. Expired messages are
   * acked and never handed over. Returns an unsubscribe function.
   */
  public onPushMessage(callback: PushMessageCallback): () => void {
    if (typeof callback !== 'function') throw new PushSyncError('INVALID_ARGUMENT', 'callback must be a function');
    this.pushCallbacks.add(callback);
    // In a microtask, so that every callback registered in the same turn gets the held messages.
    if (this.heldPushes.size > 0) queueMicrotask(() => this.raiseHeldPushes());
    return () => this.pushCallbacks.delete(callback);
  }

  /** The mPaaS name of onPushMessage (the message receiver); the same registration. */
  public onMessage(callback: PushMessageCallback): () => void {
    return this.onPushMessage(callback);
  }

  /**
   * `callback` gets `{ msgId }` of each push message the server revokes, whether it was handed to
   * onPushMessage, is still held (it is then dropped and never handed over) or was never received
   * (a later delivery of it is not handed over). Returns an unsubscribe function.
   */
  public onPushRevoke(callback: PushRevokeCallback): () => void {
    if (typeof callback !== 'function') throw new PushSyncError('INVALID_ARGUMENT', 'callback must be a function');
    this.pushRevokeCallbacks.add(callback);
    return () => this.pushRevokeCallbacks.delete(callback);
  }

  /** The user opened the notification of `msgId` (the mPaaS `k`); queued while offline. */
  public reportPushOpen(msgId: string): void {
    this.pushReport(msgId, 'OPENED');
  }

  /** The user dismissed the notification of `msgId`; queued while offline. */
  public reportPushIgnored(msgId: string): void {
    this.pushReport(msgId, 'IGNORED');
  }

  protected override onListenerError(event: keyof PushSyncClientEvents, error: unknown): void {
    if (event !== 'error') this.emit('error', new PushSyncError('CALLBACK_ERROR', `a '${String(event)}' listener threw: ${errorText(error)}`, { cause: error }));
  }

  // ---------------------------------------------------------------------------------------------
  // Connection

  private openSession(): void {
    const options = this.requireOptions();
    this.clearReconnectTimer();
    const session: Session = {
      connection: undefined,
      phase: 'opening',
      ended: false,
      handshakeTimer: undefined,
      heartbeatTimer: undefined,
      pongTimer: undefined,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      serverError: undefined,
    };
    this.session = session;
    session.handshakeTimer = setTimeout(() => {
      this.abort(session, 'handshake-timeout', new PushSyncError('HANDSHAKE_TIMEOUT', `no HandshakeAck within ${options.handshakeTimeoutMs} ms`));
    }, options.handshakeTimeoutMs);
    try {
      session.connection = options.transport.connect(
        options.endpoint,
        {
          onOpen: () => this.onOpen(session),
          onFrame: (bytes) => this.onBytes(session, bytes),
          onClose: (detail, error) => this.onTransportClose(session, detail, error),
        },
        { maxFrameBytes: options.maxFrameBytes },
      );
    } catch (error) {
      const failure = new PushSyncError('TRANSPORT_ERROR', `cannot connect to ${options.endpoint}: ${errorText(error)}`, { cause: error });
      setTimeout(() => this.endSession(session, 'transport-error', failure.message, failure), 0);
    }
  }

  private onOpen(session: Session): void {
    if (session.ended || session.phase !== 'opening') return;
    const options = this.requireOptions();
    session.phase = 'handshaking';
    this.sendOn(
      session,
      createFrame('handshake', {
        appId: options.appId,
        workspaceId: options.workspaceId,
        clientKey: options.clientKey,
        deviceToken: this.deviceToken ?? '',
        platform: options.platform,
        osVersion: options.osVersion,
        appVersion: options.appVersion,
        sdkVersion: SDK_VERSION,
        manufacturer: options.manufacturer,
        deviceId: options.deviceId,
        syncPoints: this.getSyncPoints(),
        appState: 'FOREGROUND',
      }),
    );
  }

  private onBytes(session: Session, bytes: Uint8Array): void {
    if (session.ended) return;
    let frame: Frame;
    try {
      frame = decodeFrame(bytes, { maxFrameBytes: this.requireOptions().maxFrameBytes });
    } catch (error) {
      if (isProtocolError(error) && error.code === 'EMPTY_FRAME') return; // a body kind from a newer server
      this.abort(session, 'protocol-error', new PushSyncError('PROTOCOL_ERROR', `the server sent an invalid frame: ${errorText(error)}`, { cause: error }));
      return;
    }
    const kind = bodyKind(frame);
    if (session.phase !== 'ready' && kind !== 'handshakeAck' && kind !== 'error' && kind !== 'goAway') {
      this.abort(session, 'protocol-error', new PushSyncError('PROTOCOL_ERROR', `the server sent ${String(kind)} before the HandshakeAck`));
      return;
    }
    switch (kind) {
      case 'handshakeAck':
        this.onHandshakeAck(session, frame.handshakeAck!);
        break;
      case 'pong':
        clearTimeout(session.pongTimer);
        session.pongTimer = undefined;
        break;
      case 'ping':
        this.sendOn(session, createFrame('pong', { clientTimeMs: frame.ping!.clientTimeMs, serverTimeMs: Date.now() }));
        break;
      case 'syncData':
        this.onSyncData(frame.syncData!);
        break;
      case 'pushMessage':
        this.onPushMessageFrame(frame.pushMessage!);
        break;
      case 'revoke':
        this.onRevokeFrame(frame.revoke!.msgId);
        break;
      case 'rpcResult':
        this.onRpcResult(frame.seq, frame.rpcResult!);
        break;
      case 'error':
        this.onErrorFrame(session, frame.seq, frame.error!);
        break;
      case 'goAway':
        this.onGoAway(session, frame.goAway!);
        break;
      default:
        // Client-to-server kinds (or a kind this SDK does not know) from the server: ignored.
        break;
    }
  }

  private onHandshakeAck(session: Session, ack: HandshakeAck): void {
    if (session.phase !== 'handshaking') return;
    clearTimeout(session.handshakeTimer);
    session.handshakeTimer = undefined;
    session.phase = 'ready';
    this.backoff.reset();
    this.backoff.useServerBase(ack.reconnectBackoffMs);
    if (ack.deviceToken !== '' && ack.deviceToken !== this.deviceToken) {
      this.deviceToken = ack.deviceToken;
      this.persist();
    }
    session.heartbeatIntervalMs = ack.heartbeatIntervalMs > 0 ? ack.heartbeatIntervalMs : this.requireOptions().heartbeatIntervalMs;
    this.scheduleHeartbeat(session);
    for (const pending of this.pendingRpcs.values()) {
      if (pending.sent) continue;
      pending.sent = true;
      session.connection?.send(pending.bytes);
    }
    for (const report of this.queuedReports.splice(0)) session.connection?.send(report);
    for (const waiter of [...this.connectedWaiters]) waiter();
    this.emit('connected', {
      deviceToken: this.deviceToken ?? '',
      tokenIssued: ack.tokenIssued,
      heartbeatIntervalMs: session.heartbeatIntervalMs,
      serverTimeMs: ack.serverTimeMs,
    });
    const token = this.deviceToken;
    if (token !== undefined && token !== this.confirmedToken) {
      this.confirmedToken = token;
      this.emit('deviceToken', token);
      for (const callback of [...this.tokenCallbacks]) this.invokeCallback(() => callback(token));
    }
  }

  private scheduleHeartbeat(session: Session): void {
    session.heartbeatTimer = setTimeout(() => {
      if (session.ended) return;
      this.sendOn(session, createFrame('ping', { clientTimeMs: Date.now() }));
      if (session.pongTimer === undefined) {
        const timeoutMs = this.requireOptions().pongTimeoutMs ?? Math.min(session.heartbeatIntervalMs, 10_000);
        session.pongTimer = setTimeout(() => {
          this.abort(session, 'pong-timeout', new PushSyncError('PONG_TIMEOUT', `no Pong within ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.scheduleHeartbeat(session);
    }, session.heartbeatIntervalMs);
  }

  private onGoAway(session: Session, goAway: FrameBody<'goAway'>): void {
    this.emit('goAway', { reason: goAway.reason, reconnectAfterMs: goAway.reconnectAfterMs });
    this.goAwayDelayMs = goAway.reconnectAfterMs > 0 ? goAway.reconnectAfterMs : undefined;
    this.abort(session, 'go-away', undefined, `go-away: ${goAway.reason}`);
  }

  private onErrorFrame(session: Session, seq: number, body: FrameBody<'error'>): void {
    const error = new PushSyncError('SERVER_ERROR', `${body.code}: ${body.message}`, { serverCode: body.code });
    const pending = seq !== 0 ? this.pendingRpcs.get(seq) : undefined;
    if (pending) {
      this.settleRpc(seq);
      pending.reject(error);
      return;
    }
    session.serverError = error;
    if (body.code === 'DEVICE_TOKEN_INVALID' && session.phase !== 'ready' && this.deviceToken !== undefined) {
      // A token the gateway refuses (foreign, revoked, from another app) would be refused at every
      // reconnect: forget it, so that the next handshake is issued a new one.
      this.deviceToken = undefined;
      this.persist();
    }
    this.emit('error', error);
  }

  private onTransportClose(session: Session, detail: string, error: Error | undefined): void {
    if (session.ended) return;
    if (session.serverError) {
      this.endSession(session, 'server-error', detail, session.serverError, true);
    } else if (error) {
      const code = isProtocolError(error) ? 'PROTOCOL_ERROR' : 'TRANSPORT_ERROR';
      this.endSession(session, code === 'PROTOCOL_ERROR' ? 'protocol-error' : 'transport-error', detail, new PushSyncError(code, `${detail}: ${error.message}`, { cause: error }));
    } else if (session.phase !== 'ready') {
      this.endSession(session, 'server-closed', detail, new PushSyncError('TRANSPORT_ERROR', `${detail} before the HandshakeAck`));
    } else {
      this.endSession(session, 'server-closed', detail, undefined);
    }
  }

  /** Ends the session on the client's initiative. */
  private abort(session: Session, reason: DisconnectReason, error: PushSyncError | undefined, detail = error?.message ?? reason): void {
    if (session.ended) return;
    this.endSession(session, reason, detail, error);
  }

  private endSession(session: Session, reason: DisconnectReason, detail: string, error: PushSyncError | undefined, errorReported = false): void {
    if (session.ended) return;
    session.ended = true;
    clearTimeout(session.handshakeTimer);
    clearTimeout(session.heartbeatTimer);
    clearTimeout(session.pongTimer);
    try {
      session.connection?.close();
    } catch {
      // The connection is gone either way.
    }
    if (this.session === session) this.session = undefined;
    const wasReady = session.phase === 'ready';
    for (const [seq, pending] of this.pendingRpcs) {
      if (!pending.sent) continue;
      this.settleRpc(seq);
      pending.reject(new PushSyncError('CONNECTION_LOST', `the connection ended before the result of ${pending.kind} (${reason}); it may or may not have been applied`));
    }
    const willReconnect = this.foreground && reason !== 'background';
    if (error && !errorReported) this.emit('error', error);
    if (wasReady) this.emit('disconnected', error ? { reason, detail, error, willReconnect } : { reason, detail, willReconnect });
    if (willReconnect) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.foreground || this.session || this.reconnectTimer) return;
    const delayMs = this.goAwayDelayMs ?? this.backoff.next();
    this.goAwayDelayMs = undefined;
    this.emit('reconnecting', { attempt: Math.max(this.backoff.attempts, 1), delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.foreground && !this.session) this.openSession();
    }, delayMs);
  }

  private clearReconnectTimer(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Sync data

  private onSyncData(data: SyncData): void {
    const channel = channelId(data.bizType, data.key);
    const point = this.points.get(channel)?.oplogId ?? 0;
    let last = Math.max(point, this.accepted.get(channel) ?? 0);
    const ops: SyncMessageOp[] = [];
    for (const op of data.op) {
      // Ids of a channel only grow: anything at or below the last one taken is a redelivery.
      if (op.id <= last) continue;
      ops.push(Object.freeze({ id: op.id, pl: op.pl, isB: op.isB }));
      last = op.id;
    }
    if (ops.length === 0) {
      // Everything was acknowledged already (our ack was lost): acknowledge again so the server moves on.
      const highest = data.op.reduce((max, op) => Math.max(max, op.id), 0);
      if (highest > 0 && highest <= point) this.sendIfReady(createFrame('syncAck', { bizType: data.bizType, key: data.key, oplogId: point }));
      return;
    }
    this.accepted.set(channel, last);
    const message: SyncMessage = Object.freeze({
      bizType: data.bizType,
      key: data.key,
      ops: Object.freeze(ops),
      highestId: last,
      msgData: JSON.stringify(ops.map((op) => (op.isB ? { id: op.id, pl: op.pl, isB: true } : { id: op.id, pl: op.pl }))),
    });
    const callback = this.bizCallbacks.get(data.bizType);
    if (callback) this.invokeSync(callback, message);
    else this.hold(message);
  }

  private hold(message: SyncMessage): void {
    let queue = this.held.get(message.bizType);
    if (!queue) this.held.set(message.bizType, (queue = []));
    queue.push(message);
  }

  private invokeSync(callback: SyncCallback, message: SyncMessage): void {
    this.invokeCallback(() => callback(message));
  }

  // ---------------------------------------------------------------------------------------------
  // Push

  private onPushMessageFrame(frame: PushMessage): void {
    const msgId = frame.msgId;
    // Without a msgId a message can be neither deduplicated nor acknowledged.
    if (msgId === '') return;
    // A re-send of a message held or being raised: its ack follows when that completes.
    if (this.heldPushes.has(msgId) || this.raisingPushes.has(msgId)) return;
    if (this.handledPushIds.has(msgId) || isExpired(frame.expireAtMs, this.requireOptions().now())) {
      this.ackPush(msgId);
      return;
    }
    const message = toPushSyncMessage(frame);
    if (this.pushCallbacks.size === 0) this.heldPushes.set(msgId, message);
    else this.raisePush(message);
  }

  private raiseHeldPushes(): void {
    for (const [msgId, message] of this.heldPushes) {
      // The callbacks may unregister while the backlog drains: keep the rest held.
      if (this.pushCallbacks.size === 0) return;
      this.heldPushes.delete(msgId);
      if (isExpired(message.expireAtMs, this.requireOptions().now())) this.ackPush(msgId);
      else this.raisePush(message);
    }
  }

  /** Hands the message to every callback; acks once they settled and its msgId is saved as handled. */
  private raisePush(message: PushSyncMessage): void {
    const msgId = message.msgId;
    this.raisingPushes.add(msgId);
    this.handledPushIds.add(msgId, message.expireAtMs);
    this.persist();
    const saved = this.saving;
    const outcomes = [...this.pushCallbacks].map((callback) => this.invokeCallback(() => callback(message)));
    void Promise.all([saved, ...outcomes]).then(() => {
      this.raisingPushes.delete(msgId);
      this.ackPush(msgId);
    });
  }

  private ackPush(msgId: string): void {
    this.sendIfReady(createFrame('pushAck', { msgId }));
  }

  private onRevokeFrame(msgId: string): void {
    if (msgId === '') return;
    const held = this.heldPushes.get(msgId);
    this.heldPushes.delete(msgId);
    if (!this.handledPushIds.has(msgId)) {
      this.handledPushIds.add(msgId, held?.expireAtMs ?? 0);
      this.persist();
    }
    // The held message reached the device: ack it (once its msgId is saved) so the server stops re-sending it.
    if (held) void this.saving.then(() => this.ackPush(msgId));
    const revoke = Object.freeze({ msgId });
    for (const callback of [...this.pushRevokeCallbacks]) void this.invokeCallback(() => callback(revoke));
  }

  private pushReport(msgId: string, kind: 'OPENED' | 'IGNORED'): void {
    this.requireOptions();
    if (typeof msgId !== 'string' || msgId === '') throw new PushSyncError('INVALID_ARGUMENT', 'msgId must be a non-empty string');
    const frame = createFrame('pushReport', { msgId, kind });
    if (this.sendIfReady(frame)) return;
    this.queuedReports.push(this.encode(frame));
    if (this.queuedReports.length > MAX_QUEUED_REPORTS) this.queuedReports.shift();
  }

  // ---------------------------------------------------------------------------------------------
  // RPC

  private rpc<K extends 'bindUser' | 'unbindUser' | 'reportVendorToken'>(kind: K, body: Partial<FrameBody<K>>): Promise<PushSyncRpcResult> {
    const options = this.requireOptions();
    if (!this.foreground) {
      return Promise.reject(new PushSyncError('NOT_CONNECTED', `${kind} needs a connection: call appToForeground() first`));
    }
    const seq = this.nextSeq();
    const bytes = this.encode(createFrame(kind, body, seq));
    return new Promise<PushSyncRpcResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pendingRpcs.has(seq)) return;
        const pending = this.pendingRpcs.get(seq)!;
        this.pendingRpcs.delete(seq);
        const where = pending.sent ? 'no RpcResult arrived' : 'no connection was established';
        reject(new PushSyncError('RPC_TIMEOUT', `${kind} (seq ${seq}) timed out after ${options.rpcTimeoutMs} ms: ${where}`));
      }, options.rpcTimeoutMs);
      const pending: PendingRpc = { kind, bytes, sent: false, timer, resolve, reject };
      this.pendingRpcs.set(seq, pending);
      if (this.session?.phase === 'ready') {
        pending.sent = true;
        this.session.connection?.send(bytes);
      }
    });
  }

  private onRpcResult(seq: number, result: FrameBody<'rpcResult'>): void {
    const pending = this.pendingRpcs.get(seq);
    if (!pending) return; // answered after its timeout
    this.settleRpc(seq);
    pending.resolve(Object.freeze({ ...result }));
  }

  private settleRpc(seq: number): void {
    const pending = this.pendingRpcs.get(seq);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pendingRpcs.delete(seq);
  }

  private nextSeq(): number {
    // uint32 on the wire; 0 means "not an RPC".
    this.lastSeq = this.lastSeq >= 0xffffffff ? 1 : this.lastSeq + 1;
    return this.lastSeq;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private encode(frame: Frame): Uint8Array {
    try {
      return encodeFrame(frame, { maxFrameBytes: this.requireOptions().maxFrameBytes });
    } catch (error) {
      throw new PushSyncError('INVALID_ARGUMENT', errorText(error), { cause: error });
    }
  }

  private sendOn(session: Session, frame: Frame): void {
    if (!session.ended) session.connection?.send(this.encode(frame));
  }

  private sendIfReady(frame: Frame): boolean {
    const session = this.session;
    if (session?.phase !== 'ready') return false;
    this.sendOn(session, frame);
    return true;
  }

  /** Runs an application callback; its failure (thrown or rejected) becomes an 'error' event. */
  private invokeCallback(run: () => unknown): Promise<void> {
    const fail = (error: unknown): void => {
      this.emit('error', new PushSyncError('CALLBACK_ERROR', `an application callback failed: ${errorText(error)}`, { cause: error }));
    };
    try {
      const outcome = run();
      if (outcome instanceof Promise) return outcome.then(() => undefined, fail);
    } catch (error) {
      fail(error);
    }
    return Promise.resolve();
  }

  private persist(): void {
    const storage = this.requireOptions().storage;
    this.dirty = true;
    this.saving = this.saving.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      this.handledPushIds.dropExpired(this.requireOptions().now());
      const state: StoredClientState = { syncPoints: this.getSyncPoints(), pushMsgIds: this.handledPushIds.toStored() };
      if (this.deviceToken !== undefined) state.deviceToken = this.deviceToken;
      try {
        await storage.save(state);
      } catch (error) {
        this.emit('error', new PushSyncError('STORAGE_ERROR', `could not save the client state: ${errorText(error)}`, { cause: error }));
      }
    });
  }

  private requireOptions(): ResolvedOptions {
    if (!this.options) throw new PushSyncError('NOT_INITIALIZED', 'call initialize() first');
    return this.options;
  }
}

function resolveOptions(options: PushSyncClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new PushSyncError('INVALID_ARGUMENT', 'initialize() takes an options object');
  for (const name of ['endpoint', 'appId', 'workspaceId', 'clientKey'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') throw new PushSyncError('INVALID_ARGUMENT', `options.${name} must be a non-empty string`);
  }
  const platform = options.platform ?? 'WEB';
  if (!PLATFORMS.includes(platform)) throw new PushSyncError('INVALID_ARGUMENT', `options.platform must be one of ${PLATFORMS.join(', ')}`);
  const transport = options.transport ?? new WebSocketTransport();
  if (!transport.supports(options.endpoint)) {
    throw new PushSyncError(
      'TRANSPORT_UNAVAILABLE',
      `the ${transport.name} transport cannot reach ${options.endpoint}` +
        (options.transport ? '' : ': for tcp:// and tls:// pass transport: new TcpTransport() from @pushsync/client/node'),
    );
  }
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  return {
    endpoint: options.endpoint,
    appId: options.appId,
    workspaceId: options.workspaceId,
    clientKey: options.clientKey,
    platform,
    osVersion: options.osVersion ?? '',
    appVersion: options.appVersion ?? '',
    manufacturer: options.manufacturer ?? '',
    deviceId: options.deviceId ?? '',
    storage: options.persistence ?? new MemoryStorage(),
    transport,
    heartbeatIntervalMs: positiveMs(options.heartbeatIntervalMs ?? 30_000, 'heartbeatIntervalMs'),
    pongTimeoutMs: options.pongTimeoutMs === undefined ? undefined : positiveMs(options.pongTimeoutMs, 'pongTimeoutMs'),
    handshakeTimeoutMs: positiveMs(options.handshakeTimeoutMs ?? 10_000, 'handshakeTimeoutMs'),
    rpcTimeoutMs: positiveMs(options.rpcTimeoutMs ?? 10_000, 'rpcTimeoutMs'),
    maxFrameBytes: positiveMs(maxFrameBytes, 'maxFrameBytes'),
    now: options.now ?? Date.now,
  };
}

function toPushSyncMessage(frame: PushMessage): PushSyncMessage {
  return Object.freeze({
    msgId: frame.msgId,
    taskId: frame.taskId,
    title: frame.title,
    content: frame.content,
    uri: frame.uri,
    action: frame.action,
    actionType: pushActionType(frame.action),
    style: frame.style,
    silent: frame.silent,
    extParams: Object.freeze({ ...frame.extParams }),
    imageUrl: frame.imageUrl,
    iconUrl: frame.iconUrl,
    expireAtMs: frame.expireAtMs,
  });
}

/** mPaaS pushAction: 0 (the default) web URL, 1 intent activity. */
function pushActionType(action: string): PushActionType {
  if (action === '' || action === '0') return 'web';
  if (action === '1') return 'intent';
  return 'unknown';
}

function positiveMs(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new PushSyncError('INVALID_ARGUMENT', `options.${name} must be a positive number`);
  return value;
}

/** Map key of a channel; NUL cannot occur in a bizType. */
function channelId(bizType: string, key: string): string {
  return `${bizType}\u0000${key}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
