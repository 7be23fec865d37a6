import type { Devices } from '@pushsync/devices';
import type { AppDirectory } from './app-directory';
import type { Bus, BusSubscription } from '@pushsync/platform';
import type { Connection } from './connection';
import type { CometConfig } from './config';
import { decodeDelivery, encodeDelivery, nodeSubject } from './delivery';
import { eventSubject, type CometEvent, type CometEventKind } from './events';
import type { CometMetrics } from './metrics';
import type { Presence } from './presence';
import { TokenBucketLimiter } from './rate-limiter';
import { ConnectionRegistry } from './registry';
import { Session } from './session';

/** How the gateway checks an app named in a handshake (tenancy's TenantApp has these fields). */
export interface CometLogger {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface CometGatewayDeps {
  config: CometConfig;
  apps: AppDirectory;
  devices: Devices;
  presence: Presence;
  bus: Bus;
  metrics: CometMetrics;
  logger: CometLogger;
  /** Also receives every event published on the bus (the sync engine takes its device work from here). */
  eventSink?: (event: CometEvent) => void;
  now?: () => number;
}

/** Socket writes of one fan-out between two yields to the event loop. */
const WRITES_PER_TURN = 1000;

/**
 * The transport-agnostic gateway of one node: accepts connections (each becomes a Session), keeps
 * the registry of handshaken ones by device token, sweeps handshake and idle timeouts, consumes its
 * node subject and writes each delivery's frame bytes to the named connections, keeps presence, and
 * drains on shutdown.
 */
export class CometGateway {
  public readonly config: CometConfig;
  public readonly apps: AppDirectory;
  public readonly devices: Devices;
  public readonly presence: Presence;
  public readonly metrics: CometMetrics;
  public readonly logger: CometLogger;
  public readonly now: () => number;
  public readonly registry: ConnectionRegistry<Session>;
  private readonly bus: Bus;
  private readonly eventSink: ((event: CometEvent) => void) | undefined;
  private readonly awaitingHandshake = new Set<Session>();
  private readonly limiter: TokenBucketLimiter;
  private subscription: BusSubscription | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private draining = false;

  public constructor(deps: CometGatewayDeps) {
    this.config = deps.config;
    this.apps = deps.apps;
    this.devices = deps.devices;
    this.presence = deps.presence;
    this.bus = deps.bus;
    this.eventSink = deps.eventSink;
    this.metrics = deps.metrics;
    this.logger = deps.logger;
    this.now = deps.now ?? (() => Date.now());
    this.registry = new ConnectionRegistry<Session>(deps.config.bucketCount);
    this.limiter = new TokenBucketLimiter(deps.config.handshakeRate, this.now);
  }

  public get isDraining(): boolean {
    return this.draining;
  }

  /** Sessions still in their handshake (not in the registry yet). */
  public get pendingCount(): number {
    return this.awaitingHandshake.size;
  }

  /** Subscribes to this node's delivery subject and starts the timeout sweeper. */
  public async start(): Promise<void> {
    this.subscription = await this.bus.subscribe(nodeSubject(this.config.nodeId), (message) => this.deliver(message.data));
    const every = Math.max(50, Math.min(this.config.handshakeTimeoutMs, this.config.heartbeatMs) / 4);
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref?.();
  }

  /** A transport accepted a connection: the returned session takes its frames. */
  public accept(connection: Connection): Session {
    const session = new Session(this, connection);
    if (this.draining) {
      session.goAway('DRAINING', this.config.reconnectBackoffMs);
      return session;
    }
    this.awaitingHandshake.add(session);
    return session;
  }

  public allowHandshake(remoteAddress: string): boolean {
    return this.limiter.tryTake(remoteAddress);
  }

  /** Called by a session whose handshake succeeded. A session of the same device on this node is replaced. */
  public register(session: Session): void {
    this.awaitingHandshake.delete(session);
    const previous = this.registry.put(session.token, session);
    session.registered = true;
    this.metrics.connections.inc({ transport: session.connection.transport });
    if (previous !== undefined && previous !== session) {
      previous.registered = false;
      this.metrics.connections.dec({ transport: previous.connection.transport });
      previous.goAway('REPLACED', this.config.reconnectBackoffMs);
    }
  }

  public sessionClosed(session: Session, reason: string): void {
    this.awaitingHandshake.delete(session);
    if (session.app === undefined || session.token === '') return;
    if (session.registered && this.registry.remove(session.token, session)) {
      session.registered = false;
      this.metrics.connections.dec({ transport: session.connection.transport });
    }
    const { instanceId } = session.app;
    this.presence.remove(instanceId, session.token, session.userId, session.id).catch((error: unknown) => this.logger.warn({ err: error, connectionId: session.id }, 'removing presence failed; it expires with its TTL'));
    this.publishEvent(session, 'disconnect', { reason });
  }

  /**
   * Before a device's presence names this node: if it still names a connection on another node
   * (the device reconnected here, or someone replays its token), that node is told to close it.
   */
  public async takeOverPresence(session: Session): Promise<void> {
    if (session.app === undefined) return;
    try {
      const previous = await this.presence.get(session.app.instanceId, session.token);
      if (previous && previous.node !== this.config.nodeId) {
        await this.bus.publish(nodeSubject(previous.node), encodeDelivery({ v: 1, instanceId: session.app.instanceId, tokens: [session.token], kick: previous.connectionId }, new Uint8Array(0)));
      }
    } catch (error) {
      this.logger.warn({ err: error, connectionId: session.id }, 'could not tell the previous node of this device to close its connection');
    }
    await this.putPresence(session);
  }

  public async putPresence(session: Session): Promise<void> {
    if (session.app === undefined) return;
    try {
      await this.presence.put(session.app.instanceId, session.token, {
        node: this.config.nodeId,
        connectionId: session.id,
        platform: session.platform,
        appVersion: session.appVersion,
        userId: session.userId,
        since: session.openedAt,
      });
    } catch (error) {
      this.logger.warn({ err: error, connectionId: session.id }, 'writing presence failed; retried at the next heartbeat');
    }
  }

  public publishEvent(session: Session, kind: CometEventKind, detail?: CometEvent['detail']): void {
    if (session.app === undefined) return;
    const event: CometEvent = {
      kind,
      instanceId: session.app.instanceId,
      appId: session.app.appId,
      workspaceId: session.app.workspaceId,
      deviceToken: session.token,
      node: this.config.nodeId,
      connectionId: session.id,
      platform: session.platform,
      appVersion: session.appVersion,
      userId: session.userId,
      sessionId: session.sessionId,
      since: session.openedAt,
      at: this.now(),
      ...(detail ? { detail } : {}),
      ...(kind === 'connect' ? { syncPoints: session.handshakeSyncPoints } : {}),
    };
    this.eventSink?.(event);
    this.bus.publish(eventSubject(kind), Buffer.from(JSON.stringify(event), 'utf8')).catch((error: unknown) => this.logger.warn({ err: error, kind }, 'publishing a comet event failed'));
  }

  /**
   * Writes a delivery's frame to each named connection of this node (the same bytes to each). A large
   * fan-out yields to the event loop every WRITES_PER_TURN writes so handshakes, pings and unicasts
   * are not stalled behind it; the bus hands this node's deliveries over one at a time, so order holds.
   */
  public async deliver(data: Uint8Array): Promise<void> {
    let delivery: ReturnType<typeof decodeDelivery>;
    try {
      delivery = decodeDelivery(data);
    } catch (error) {
      this.logger.warn({ err: error }, 'dropping a malformed delivery');
      return;
    }
    const { header, frame } = delivery;
    if (header.kick !== undefined) {
      for (const token of header.tokens) {
        const session = this.registry.get(token);
        if (session?.id === header.kick) session.goAway('REPLACED', this.config.reconnectBackoffMs);
      }
      return;
    }
    let missed = 0;
    for (let i = 0; i < header.tokens.length; i++) {
      if (i > 0 && i % WRITES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      const session = this.registry.get(header.tokens[i]!);
      if (session === undefined || !session.isOpen || session.app?.instanceId !== header.instanceId) missed++;
      else if (header.messageId === undefined || session.firstTimeOfMessage(header.messageId)) session.deliver(frame);
    }
    if (missed > 0) this.metrics.deliveriesMissed.inc(missed);
  }

  /** Closes connections past their handshake timeout or silent past the idle timeout. */
  public sweep(): void {
    const now = this.now();
    for (const session of [...this.awaitingHandshake]) {
      if (!session.isAwaitingHandshake) continue;
      if (now - session.openedAt >= this.config.handshakeTimeoutMs) {
        this.awaitingHandshake.delete(session);
        session.fail('HANDSHAKE_TIMEOUT', `no handshake within ${this.config.handshakeTimeoutMs} ms`);
      }
    }
    const idleMs = this.config.heartbeatMs * this.config.idleFactor;
    for (const session of this.registry.values()) {
      if (session.isOpen && now - session.lastActivity >= idleMs) session.goAway('IDLE_TIMEOUT', this.config.reconnectBackoffMs);
    }
  }

  /**
   * Graceful drain (SIGTERM): refuse new handshakes, tell every connection to go away (clients
   * reconnect to another node after `reconnectAfterMs`), remove their presence at once so
   * deliveries stop being routed here, then close what is left after `graceMs`.
   */
  public async drain(reason = 'SHUTDOWN', reconnectAfterMs = this.config.reconnectBackoffMs, graceMs = this.config.closeGraceMs): Promise<void> {
    this.draining = true;
    const sessions = [...this.registry.values(), ...this.awaitingHandshake];
    const removals: Promise<void>[] = [];
    for (const session of sessions) {
      if (session.app !== undefined && session.token !== '') {
        removals.push(this.presence.remove(session.app.instanceId, session.token, session.userId, session.id).catch(() => undefined));
      }
      session.goAway(reason, reconnectAfterMs);
    }
    await Promise.all(removals);
    const deadline = this.now() + graceMs;
    while ((this.registry.size > 0 || this.awaitingHandshake.size > 0) && this.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const session of sessions) session.connection.destroy();
  }

  public async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    await this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
