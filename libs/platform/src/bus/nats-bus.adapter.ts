import { Empty, ErrorCode, headers, NatsError, type Msg, type MsgHdrs, type Subscription } from 'nats';
import type { PlatformLogger } from '../logging/logger';
import { BusNoResponderError, BusRequestError, BusTimeoutError } from './bus.errors';
import type { Bus, BusHandler, BusResponder, BusSubscription } from './bus.port';
import { NatsConnection, natsFailure, settleWithin, type NatsConnectionOptions } from './nats-connection';

/** Reply header that carries the message of a responder that threw. */
const ERROR_HEADER = 'ps-error';
/** How long publish waits for the very first connection before giving up. */
const FIRST_CONNECT_WAIT_MS = 5000;
const DRAIN_TIMEOUT_MS = 5000;

/**
 * Cluster Bus adapter: core NATS through the `nats` client. Each subscription handles its
 * messages one at a time in arrival order; a responder answers requests concurrently. While the
 * connection is down, publish and request fail with DependencyUnavailableError.
 */
export class NatsBus implements Bus {
  public readonly kind = 'nats' as const;
  private readonly connection: NatsConnection;
  private readonly ownsConnection: boolean;
  private readonly logger: PlatformLogger;
  private readonly subscriptions = new Set<Subscription>();

  /** Opens its own connection from `{ url, name, logger }`, or uses a shared one, which it leaves open on close. */
  public constructor(options: NatsConnectionOptions | NatsConnection) {
    this.ownsConnection = !(options instanceof NatsConnection);
    this.connection = options instanceof NatsConnection ? options : new NatsConnection(options);
    this.logger = this.connection.logger;
  }

  public async publish(subject: string, data: Uint8Array): Promise<void> {
    const connection = await this.connection.connection(FIRST_CONNECT_WAIT_MS);
    this.connection.assertUp();
    try {
      connection.publish(subject, data);
    } catch (error) {
      throw natsFailure(error);
    }
  }

  public async subscribe(subject: string, handler: BusHandler, options: { queue?: string } = {}): Promise<BusSubscription> {
    const connection = await this.connection.connection();
    const subscription = connection.subscribe(subject, { queue: options.queue });
    let active = true;
    void (async () => {
      for await (const message of subscription) {
        if (!active) break;
        try {
          await handler({ subject: message.subject, data: message.data });
        } catch (error) {
          this.logger.error({ err: error, subject: message.subject }, 'bus handler failed');
        }
      }
    })();
    return this.track(subscription, () => (active = false));
  }

  public async respond(subject: string, responder: BusResponder, options: { queue?: string } = {}): Promise<BusSubscription> {
    const connection = await this.connection.connection();
    const subscription = connection.subscribe(subject, {
      queue: options.queue,
      callback: (error, message) => {
        if (error) this.logger.error({ err: error, subject }, 'bus responder subscription failed');
        else void this.answer(message, responder);
      },
    });
    return this.track(subscription, () => undefined);
  }

  public async request(subject: string, data: Uint8Array, options: { timeoutMs: number }): Promise<Uint8Array> {
    const started = Date.now();
    const connection = await this.connection.connection(options.timeoutMs);
    this.connection.assertUp();
    let reply: Msg;
    try {
      reply = await connection.request(subject, data, { timeout: Math.max(1, options.timeoutMs - (Date.now() - started)) });
    } catch (error) {
      if (error instanceof NatsError && error.code === ErrorCode.NoResponders) throw new BusNoResponderError(subject);
      if (error instanceof NatsError && error.code === ErrorCode.Timeout) throw new BusTimeoutError(subject, options.timeoutMs);
      throw natsFailure(error);
    }
    if (reply.headers?.has(ERROR_HEADER)) throw new BusRequestError(subject, reply.headers.get(ERROR_HEADER));
    return reply.data;
  }

  public async ping(): Promise<void> {
    await this.connection.ping();
  }

  public async close(): Promise<void> {
    if (this.ownsConnection) {
      await this.connection.close();
    } else {
      await Promise.all(
        [...this.subscriptions].map((subscription) =>
          settleWithin(subscription.drain(), DRAIN_TIMEOUT_MS, () => new Error('drain timed out')).catch(() => subscription.unsubscribe()),
        ),
      );
    }
    this.subscriptions.clear();
  }

  private async answer(message: Msg, responder: BusResponder): Promise<void> {
    let reply: Uint8Array;
    let replyHeaders: MsgHdrs | undefined;
    try {
      reply = await responder({ subject: message.subject, data: message.data });
    } catch (error) {
      this.logger.warn({ err: error, subject: message.subject }, 'bus responder failed');
      replyHeaders = headers();
      // Header values cannot span lines.
      replyHeaders.set(ERROR_HEADER, String((error as Error)?.message ?? error).replace(/[\r\n]+/g, ' ') || 'responder failed');
      reply = Empty;
    }
    if (!message.reply) return;
    try {
      message.respond(reply, { headers: replyHeaders });
    } catch (error) {
      this.logger.error({ err: error, subject: message.subject }, 'bus reply could not be sent');
    }
  }

  private async track(subscription: Subscription, deactivate: () => void): Promise<BusSubscription> {
    this.subscriptions.add(subscription);
    // Once the server has seen the SUB, publishers on other connections reach this subscriber.
    await this.connection.ping().catch(() => undefined);
    return {
      unsubscribe: async () => {
        deactivate();
        this.subscriptions.delete(subscription);
        if (!subscription.isClosed()) subscription.unsubscribe();
      },
    };
  }
}
