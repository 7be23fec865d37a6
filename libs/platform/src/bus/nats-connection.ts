import { connect, DebugEvents, ErrorCode, Events, NatsError, type NatsConnection as NatsClientConnection } from 'nats';
import { DependencyUnavailableError } from '../errors/platform.error';
import type { PlatformLogger } from '../logging/logger';

const CONNECT_TIMEOUT_MS = 3000;
const FIRST_RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 5000;
const PING_TIMEOUT_MS = 2000;
const DRAIN_TIMEOUT_MS = 5000;

export interface NatsConnectionOptions {
  url: string;
  /** Connection name shown by the server (e.g. the service name). */
  name: string;
  logger: PlatformLogger;
}

/** Rejects with `onTimeout()` when `promise` has not settled after `ms`. */
export function settleWithin<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** NATS client errors that mean the server cannot be reached become DependencyUnavailableError. */
export function natsFailure(error: unknown): Error {
  if (error instanceof NatsError) {
    const lost = [ErrorCode.Timeout, ErrorCode.NoResponders, ErrorCode.Disconnect, ErrorCode.ConnectionClosed, ErrorCode.ConnectionDraining, ErrorCode.ConnectionRefused];
    if (lost.includes(error.code as ErrorCode)) return new DependencyUnavailableError('nats', error.message, { cause: error });
  }
  return error as Error;
}

/**
 * One NATS connection, shared by the NATS adapters of a process: opened on first use, retried
 * until the server answers (and re-established by the client after a loss), status changes logged.
 */
export class NatsConnection {
  private connecting: Promise<NatsClientConnection> | undefined;
  private current: NatsClientConnection | undefined;
  private up = false;
  private closed = false;
  private wakeRetry: (() => void) | undefined;

  public constructor(private readonly options: NatsConnectionOptions) {}

  public get logger(): PlatformLogger {
    return this.options.logger;
  }

  /**
   * Throws DependencyUnavailableError while the connection is down: the client drops whatever
   * was written in the meantime when it reconnects, so sending now would lose the message silently.
   */
  public assertUp(): void {
    if (!this.up) throw new DependencyUnavailableError('nats', `connection to ${this.options.url} lost, reconnecting`);
  }

  /**
   * The connection, once established. With `waitMs`, rejects with DependencyUnavailableError when
   * the first connection takes longer; without, waits for as long as the server stays down.
   */
  public connection(waitMs?: number): Promise<NatsClientConnection> {
    this.connecting ??= this.open();
    if (waitMs === undefined) return this.connecting;
    return settleWithin(this.connecting, waitMs, () => new DependencyUnavailableError('nats', `not connected to ${this.options.url} after ${waitMs} ms`));
  }

  public async ping(): Promise<void> {
    const connection = await this.connection(PING_TIMEOUT_MS);
    this.assertUp();
    try {
      await settleWithin(connection.rtt(), PING_TIMEOUT_MS, () => new Error(`no answer to a ping within ${PING_TIMEOUT_MS} ms`));
    } catch (error) {
      throw new DependencyUnavailableError('nats', (error as Error).message, { cause: error });
    }
  }

  /** Drains the connection (delivering what has arrived) or, if the server is unreachable, closes it. */
  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeRetry?.();
    const connection = this.current;
    if (!connection || connection.isClosed()) return;
    if (this.up) {
      await settleWithin(connection.drain(), DRAIN_TIMEOUT_MS, () => new Error('drain timed out')).catch(() => connection.close());
    } else {
      await connection.close();
    }
  }

  // Our own retry loop rather than the client's waitOnFirstConnect, which close() could not stop.
  private async open(): Promise<NatsClientConnection> {
    const { url, name, logger } = this.options;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new DependencyUnavailableError('nats', 'connection closed');
      try {
        const connection = await connect({
          servers: url,
          name,
          timeout: CONNECT_TIMEOUT_MS,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          pingInterval: 10_000,
          maxPingOut: 2,
        });
        if (this.closed) {
          await connection.close();
          throw new DependencyUnavailableError('nats', 'connection closed');
        }
        this.current = connection;
        this.up = true;
        this.followStatus(connection);
        logger.info({ nats: url, attempt }, 'connected to nats');
        return connection;
      } catch (error) {
        if (this.closed) throw natsFailure(error);
        const delay = Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
        logger.warn({ nats: url, attempt, reason: (error as Error).message }, `nats unreachable; retrying in ${delay} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = undefined;
      }
    }
  }

  private followStatus(connection: NatsClientConnection): void {
    const { url, logger } = this.options;
    void (async () => {
      for await (const status of connection.status()) {
        switch (status.type) {
          case Events.Disconnect:
            this.up = false;
            logger.warn({ nats: url }, 'nats connection lost; reconnecting');
            break;
          case Events.Reconnect:
            this.up = true;
            logger.info({ nats: url, server: status.data }, 'nats connection re-established');
            break;
          case Events.Error:
            logger.error({ nats: url, detail: status.data }, 'nats reported an error');
            break;
          case DebugEvents.StaleConnection:
            logger.warn({ nats: url }, 'nats server stopped answering pings; reconnecting');
            break;
          default:
            break;
        }
      }
    })();
    void connection.closed().then((error) => {
      this.up = false;
      if (!this.closed) logger.error({ nats: url, err: error }, 'nats connection closed for good');
    });
  }
}
