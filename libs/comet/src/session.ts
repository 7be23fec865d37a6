import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppRef, DeviceFacts } from '@pushsync/devices';
import { bodyKind, createFrame, decodeFrame, encodeFrame, isProtocolError, type Frame, type FrameBodyKind, type ProtocolError } from '@pushsync/protocol';
import type { Connection } from './connection';
import type { CometEventKind } from './events';
import type { CometGateway } from './gateway';
import { SendQueue } from './send-queue';

/** Error codes sent in Error frames before the gateway closes a connection. */
export type SessionErrorCode =
  | ProtocolError['code']
  | 'HANDSHAKE_REQUIRED'
  | 'HANDSHAKE_TIMEOUT'
  | 'UNEXPECTED_FRAME'
  | 'CLIENT_KEY_INVALID'
  | 'APP_INVALID'
  | 'DEVICE_TOKEN_INVALID'
  | 'RATE_LIMITED'
  | 'TOO_MANY_PENDING'
  | 'UNAVAILABLE';

type State = 'handshake' | 'authenticating' | 'open' | 'closing' | 'closed';

/** Frames a client may send once the handshake is done. */
const CLIENT_KINDS: ReadonlySet<FrameBodyKind> = new Set(['ping', 'bindUser', 'unbindUser', 'appState', 'reportVendorToken', 'syncAck', 'pushAck', 'pushReport']);
/** Sync points a handshake may carry; more are ignored. */
const MAX_HANDSHAKE_SYNC_POINTS = 1000;
/** Frames received but not processed yet, per connection; beyond, the client is flooding. */
const MAX_PENDING = 64;
/** Enough to absorb the duplicates a message meets within seconds (replays, connect resends) without growing for a connection's lifetime. */
const RECENT_MESSAGES_KEPT = 2048;

/**
 * One client connection's state machine: handshake first (within the handshake timeout; anything
 * else is refused), then pings, client RPCs (answered with RpcResult echoing `seq`), acks and
 * reports; frames out go through the bounded send queue. Any refusal sends one Error frame and
 * closes this connection only.
 */
export class Session {
  public readonly id = randomBytes(8).toString('hex');
  public readonly openedAt: number;
  /** Set by the gateway while the registry holds this session. */
  public registered = false;
  public lastActivity: number;
  public app: (AppRef & { instanceId: string }) | undefined;
  public token = '';
  public userId: string | null = null;
  public sessionId: string | null = null;
  /** The sync points of the handshake (DECISIONS D3), reported with the connect event. */
  public handshakeSyncPoints: Array<{ bizType: string; key: string; oplogId: number }> = [];
  public platform = 'PLATFORM_UNSPECIFIED';
  /** Deliveries that arrived before the handshake ack was sent; null once it was. */
  private heldUntilAck: Uint8Array[] | null = [];
  /** The latest push messages written to this connection (insertion order, at most RECENT_MESSAGES_KEPT). */
  private readonly messagesReceived = new Set<string>();
  public appVersion = '';
  private state: State = 'handshake';
  private readonly queue: SendQueue;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private closeReason = 'CLIENT_CLOSED';
  private nextPresenceRefresh = 0;
  private graceTimer: NodeJS.Timeout | undefined;

  public constructor(
    private readonly gateway: CometGateway,
    public readonly connection: Connection,
  ) {
    this.openedAt = gateway.now();
    this.lastActivity = this.openedAt;
    this.queue = new SendQueue(connection, gateway.config.sendQueue);
  }

  public get isOpen(): boolean {
    return this.state === 'open';
  }

  public get isAwaitingHandshake(): boolean {
    return this.state === 'handshake';
  }

  /** The transport hands over one frame payload (its framing removed). */
  public receive(bytes: Uint8Array): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.lastActivity = this.gateway.now();
    let frame: Frame;
    try {
      frame = decodeFrame(bytes, { maxFrameBytes: this.gateway.config.maxFrameBytes });
    } catch (error) {
      if (isProtocolError(error)) return this.fail(error.code, error.message);
      throw error;
    }
    const kind = bodyKind(frame)!;
    this.gateway.metrics.framesIn.inc({ kind });
    if (this.state === 'handshake') {
      if (kind !== 'handshake') return this.fail('HANDSHAKE_REQUIRED', `the first frame must be a handshake, got ${kind}`);
      if (!this.gateway.allowHandshake(this.connection.remoteAddress)) return this.fail('RATE_LIMITED', 'too many handshakes from this address; retry later');
      this.state = 'authenticating';
    } else if (!CLIENT_KINDS.has(kind)) {
      return this.fail('UNEXPECTED_FRAME', `a client may not send ${kind} here`);
    }
    if (++this.pending > MAX_PENDING) return this.fail('TOO_MANY_PENDING', `more than ${MAX_PENDING} frames waiting to be processed`);
    this.chain = this.chain.then(async () => {
      try {
        if (this.state === 'closing' || this.state === 'closed') return;
        await this.handle(kind, frame);
      } catch (error) {
        this.gateway.logger.error({ err: error, connectionId: this.id, kind }, 'processing a client frame failed');
        this.fail('UNAVAILABLE', 'the gateway could not process the frame; retry later');
      } finally {
        this.pending--;
      }
    });
  }

  /** The transport's frame reader refused the stream (garbage, oversize, zero length). */
  public protocolError(error: ProtocolError): void {
    this.fail(error.code, error.message);
  }

  /** The transport reports the connection gone (whoever closed it). */
  public closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.queue.clear();
    this.gateway.sessionClosed(this, this.closeReason);
  }

  /** An already-encoded frame (the same bytes may go to many sessions). */
  public sendEncoded(bytes: Uint8Array): void {
    if (this.state !== 'open' && this.state !== 'authenticating') return;
    const outcome = this.queue.send(bytes);
    if (outcome === 'overflow') {
      this.gateway.metrics.slowConsumers.inc();
      this.goAway('SLOW_CONSUMER', this.gateway.config.reconnectBackoffMs);
      return;
    }
    this.gateway.metrics.framesOut.inc();
  }

  /**
   * A delivery from the bus. The session is registered (and takes deliveries) before its presence
   * write returns and its handshake ack goes out, so what arrives in between waits for the ack:
   * a client must see the ack first (a broadcast shard planned from the new presence entry did
   * arrive first in a CI run).
   */
  public deliver(bytes: Uint8Array): void {
    if (this.heldUntilAck === null) this.sendEncoded(bytes);
    else if (this.heldUntilAck.length < MAX_PENDING) this.heldUntilAck.push(bytes);
    else this.gateway.metrics.deliveriesMissed.inc(); // the presence write hangs; push and sync re-send what is not acknowledged
  }

  public send(frame: Frame): void {
    this.sendEncoded(encodeFrame(frame));
  }

  /**
   * Sends GoAway and closes. Behind the frames already queued (they still reach the client, within
   * the grace period), except for a slow consumer, whose queue is dropped and GoAway written past it.
   */
  public goAway(reason: string, reconnectAfterMs: number): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.closeReason = reason;
    const bytes = encodeFrame(createFrame('goAway', { reason, reconnectAfterMs }));
    if (reason === 'SLOW_CONSUMER' || this.queue.send(bytes) === 'overflow') this.connection.write(bytes);
    this.gateway.metrics.framesOut.inc();
    this.closeSoon();
  }

  /** Sends an Error frame and closes: the answer to every refusal. */
  public fail(code: SessionErrorCode, message: string, seq = 0): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.closeReason = code;
    this.gateway.metrics.protocolErrors.inc({ code });
    this.queue.clear(); // an offender gets the Error frame and nothing more
    this.connection.write(encodeFrame(createFrame('error', { code, message: message.slice(0, 512) }, seq)));
    this.gateway.metrics.framesOut.inc();
    this.closeSoon();
  }

  /** True the first time a push message is offered to this connection (and records it), false after. */
  public firstTimeOfMessage(messageId: string): boolean {
    if (this.messagesReceived.has(messageId)) return false;
    this.messagesReceived.add(messageId);
    if (this.messagesReceived.size > RECENT_MESSAGES_KEPT) this.messagesReceived.delete(this.messagesReceived.values().next().value!);
    return true;
  }

  /** Refreshes this device's presence entry when due (jittered, about three times per TTL). */
  public async refreshPresenceIfDue(): Promise<void> {
    const now = this.gateway.now();
    if (now < this.nextPresenceRefresh || this.state !== 'open') return;
    this.schedulePresenceRefresh(now);
    await this.gateway.putPresence(this);
  }

  private schedulePresenceRefresh(now: number): void {
    const third = this.gateway.config.presenceTtlMs / 3;
    this.nextPresenceRefresh = now + third * (0.75 + 0.25 * Math.random());
  }

  private closeSoon(): void {
    this.state = 'closing';
    this.queue.whenEmpty(() => this.connection.end());
    this.graceTimer = setTimeout(() => this.connection.destroy(), this.gateway.config.closeGraceMs);
    this.graceTimer.unref?.();
  }

  private async handle(kind: FrameBodyKind, frame: Frame): Promise<void> {
    const seq = frame.seq;
    switch (kind) {
      case 'handshake':
        return this.handshake(frame.handshake!, seq);
      case 'ping':
        this.send(createFrame('pong', { clientTimeMs: frame.ping!.clientTimeMs, serverTimeMs: this.gateway.now() }, seq));
        return this.refreshPresenceIfDue();
      case 'bindUser': {
        const { userId, sessionId } = frame.bindUser!;
        const previousUser = this.userId;
        const result = await this.gateway.devices.bind(this.app!, this.token, userId, sessionId);
        if (result.success) {
          this.userId = userId;
          this.sessionId = sessionId === '' ? null : sessionId;
          if (previousUser !== null && previousUser !== userId) await this.gateway.presence.removeUser(this.app!.instanceId, previousUser, this.token, this.id);
          await this.gateway.putPresence(this);
          this.event('bind', { sessionId: sessionId || null });
        }
        return this.rpcResult(result, seq);
      }
      case 'unbindUser': {
        const previousUser = this.userId;
        const result = await this.gateway.devices.unbind(this.app!, this.token);
        if (result.success && previousUser !== null) {
          this.userId = null;
          this.sessionId = null;
          await this.gateway.presence.removeUser(this.app!.instanceId, previousUser, this.token, this.id);
          await this.gateway.putPresence(this);
          this.event('unbind', { userId: previousUser });
        }
        return this.rpcResult(result, seq);
      }
      case 'appState':
        this.event('app-state', { state: frame.appState!.state });
        return this.rpcResult({ success: true, code: 100, name: 'SUCCESS', message: 'success' }, seq);
      case 'reportVendorToken': {
        const { vendor, vendorToken } = frame.reportVendorToken!;
        const result = await this.gateway.devices.reportVendorToken(this.app!, this.token, vendor, vendorToken);
        if (result.success) this.event('vendor-token', { vendor });
        return this.rpcResult(result, seq);
      }
      case 'syncAck': {
        const { bizType, key, oplogId } = frame.syncAck!;
        return this.event('sync-ack', { bizType, key, oplogId });
      }
      case 'pushAck':
        return this.event('push-ack', { msgId: frame.pushAck!.msgId });
      case 'pushReport':
        return this.event('push-report', { msgId: frame.pushReport!.msgId, report: frame.pushReport!.kind });
      default:
        return this.fail('UNEXPECTED_FRAME', `a client may not send ${kind}`);
    }
  }

  private async handshake(handshake: NonNullable<Frame['handshake']>, seq: number): Promise<void> {
    const gateway = this.gateway;
    if (gateway.isDraining) return this.goAway('DRAINING', gateway.config.reconnectBackoffMs);
    const app = await gateway.apps.find(handshake.workspaceId, handshake.appId);
    if (app === null || app.status !== 'active') {
      gateway.metrics.handshakes.inc({ result: 'app_invalid' });
      return this.fail('APP_INVALID', 'unknown or disabled app', seq);
    }
    if (!sameSecret(app.clientKey, handshake.clientKey)) {
      gateway.metrics.handshakes.inc({ result: 'client_key_invalid' });
      return this.fail('CLIENT_KEY_INVALID', 'the client key does not match the app', seq);
    }
    const ref = { workspaceId: handshake.workspaceId, appId: handshake.appId };
    const facts: DeviceFacts = {
      platform: handshake.platform,
      osVersion: handshake.osVersion.slice(0, 64),
      appVersion: handshake.appVersion.slice(0, 64),
      sdkVersion: handshake.sdkVersion.slice(0, 64),
      manufacturer: handshake.manufacturer.slice(0, 64),
      deviceId: handshake.deviceId.slice(0, 128),
    };
    const identified = await gateway.devices.identify(ref, handshake.deviceToken, facts);
    if (!identified.ok) {
      gateway.metrics.handshakes.inc({ result: 'token_invalid' });
      return this.fail('DEVICE_TOKEN_INVALID', identified.message, seq);
    }
    if (this.state !== 'authenticating') return; // closed meanwhile
    this.app = { ...ref, instanceId: `${ref.workspaceId}_${ref.appId}` };
    this.token = identified.device._id;
    this.userId = identified.device.userId;
    this.sessionId = identified.device.sessionId;
    this.handshakeSyncPoints = (handshake.syncPoints ?? []).slice(0, MAX_HANDSHAKE_SYNC_POINTS).map((point) => ({ bizType: point.bizType.slice(0, 64), key: point.key.slice(0, 256), oplogId: Number(point.oplogId) }));
    this.platform = facts.platform;
    this.appVersion = facts.appVersion;
    this.state = 'open';
    gateway.register(this);
    this.schedulePresenceRefresh(gateway.now());
    // A token issued just now cannot be held on another node: no lookup needed.
    if (identified.issued) await gateway.putPresence(this);
    else await gateway.takeOverPresence(this);
    if ((this.state as State) === 'closed') {
      // Closed while its entry was being written: sessionClosed may have run before the put landed.
      await gateway.presence.remove(this.app.instanceId, this.token, this.userId, this.id);
      return;
    }
    gateway.metrics.handshakes.inc({ result: 'ok' });
    this.send(
      createFrame(
        'handshakeAck',
        {
          deviceToken: this.token,
          tokenIssued: identified.issued,
          heartbeatIntervalMs: gateway.config.heartbeatMs,
          serverTimeMs: gateway.now(),
          reconnectBackoffMs: gateway.config.reconnectBackoffMs,
        },
        seq,
      ),
    );
    const held = this.heldUntilAck ?? [];
    this.heldUntilAck = null;
    for (const bytes of held) this.sendEncoded(bytes);
    this.event('connect', { transport: this.connection.transport, tokenIssued: identified.issued });
  }

  private rpcResult(result: { success: boolean; code: number; name: string; message: string }, seq: number): void {
    this.send(createFrame('rpcResult', { success: result.success, code: result.code, name: result.name, message: result.message }, seq));
  }

  public event(kind: CometEventKind, detail?: Record<string, string | number | boolean | null>): void {
    this.gateway.publishEvent(this, kind, detail);
  }
}

function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
