export interface BackoffOptions {
  /** Delay scale of the first retry, ms. Default 1000. */
  baseMs?: number;
  /** Upper bound of any delay, ms. Default 60000. */
  maxMs?: number;
}

/**
 * Exponential back-off with full jitter: the n-th consecutive retry waits a uniformly random time in
 * [0, min(max, base * 2^n)), so clients dropped together by a failed node do not come back together.
 */
export class ReconnectBackoff {
  private readonly configuredBaseMs: number;
  private baseMs: number;
  private readonly maxMs: number;
  private attempt = 0;

  public constructor(
    options: BackoffOptions | undefined,
    private readonly random: () => number = Math.random,
  ) {
    this.configuredBaseMs = positive(options?.baseMs ?? 1000, 'reconnect.baseMs');
    this.maxMs = positive(options?.maxMs ?? 60_000, 'reconnect.maxMs');
    this.baseMs = this.configuredBaseMs;
  }

  /** Consecutive failed attempts since the last successful handshake. */
  public get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call counts one more attempt. */
  public next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.floor(this.random() * ceiling);
  }

  /** After a successful handshake. */
  public reset(): void {
    this.attempt = 0;
  }

  /** The server's hint (HandshakeAck.reconnect_backoff_ms) replaces the configured base; 0 restores it. */
  public useServerBase(hintMs: number): void {
    this.baseMs = hintMs > 0 ? Math.min(hintMs, this.maxMs) : this.configuredBaseMs;
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${String(value)}`);
  return value;
}
