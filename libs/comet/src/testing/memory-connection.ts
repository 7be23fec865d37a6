import { decodeFrame, type Frame } from '@pushsync/protocol';
import type { Connection } from '../connection';

/** An in-memory transport for tests: records what the gateway writes; `writable = false` simulates a client that does not read. */
export class MemoryConnection implements Connection {
  public readonly transport = 'memory' as const;
  public readonly written: Uint8Array[] = [];
  public writable = true;
  public ended = false;
  public destroyed = false;
  /** Set by the harness: called once when the connection is gone (the transport's 'close'). */
  public onClosed: () => void = () => undefined;
  private readonly drainListeners: Array<() => void> = [];
  private closedOnce = false;

  public constructor(public readonly remoteAddress = '127.0.0.1') {}

  public write(frame: Uint8Array): boolean {
    if (this.destroyed || this.ended) return false;
    this.written.push(frame);
    return this.writable;
  }

  public onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  public end(): void {
    this.ended = true;
    setImmediate(() => this.close());
  }

  public destroy(): void {
    this.destroyed = true;
    this.close();
  }

  /** The client starts reading again. */
  public resume(): void {
    this.writable = true;
    for (const listener of this.drainListeners) listener();
  }

  public frames(): Frame[] {
    return this.written.map((bytes) => decodeFrame(bytes));
  }

  private close(): void {
    if (this.closedOnce) return;
    this.closedOnce = true;
    this.onClosed();
  }
}
