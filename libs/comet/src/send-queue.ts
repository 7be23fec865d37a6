import type { Connection } from './connection';

export interface SendQueueLimits {
  /** Frames held while the transport is backpressured. */
  maxFrames: number;
  /** Bytes held while the transport is backpressured. */
  maxBytes: number;
}

export type SendOutcome = 'written' | 'queued' | 'overflow';

/**
 * The bounded outbound queue of one connection (STYLE 15). Frames go straight to the transport
 * while it takes them; once it reports backpressure they wait here, and a frame that would take
 * the queue past `maxFrames` or `maxBytes` is refused with 'overflow': the owner then disconnects
 * the slow consumer (policy: disconnect, never drop silently, never grow without bound). The memory
 * a connection can hold is so bounded by these limits plus the transport's high-water mark.
 */
export class SendQueue {
  private readonly frames: Uint8Array[] = [];
  private head = 0;
  private bytes = 0;
  private blocked = false;
  private overflowed = false;
  private emptyListener: (() => void) | undefined;

  public constructor(
    private readonly connection: Connection,
    private readonly limits: SendQueueLimits,
  ) {
    connection.onDrain(() => this.flush());
  }

  public get queuedFrames(): number {
    return this.frames.length - this.head;
  }

  public get queuedBytes(): number {
    return this.bytes;
  }

  public send(frame: Uint8Array): SendOutcome {
    if (this.overflowed) return 'overflow';
    if (!this.blocked && this.queuedFrames === 0) {
      if (!this.connection.write(frame)) this.blocked = true;
      return 'written';
    }
    if (this.queuedFrames + 1 > this.limits.maxFrames || this.bytes + frame.length > this.limits.maxBytes) {
      this.overflowed = true;
      this.clear();
      return 'overflow';
    }
    this.frames.push(frame);
    this.bytes += frame.length;
    return 'queued';
  }

  /** Calls `listener` once nothing waits in the queue any more (at once when empty). */
  public whenEmpty(listener: () => void): void {
    if (this.queuedFrames === 0) listener();
    else this.emptyListener = listener;
  }

  /** Drops what is queued (the connection is going away). */
  public clear(): void {
    this.frames.length = 0;
    this.head = 0;
    this.bytes = 0;
  }

  private flush(): void {
    this.blocked = false;
    while (this.head < this.frames.length) {
      const frame = this.frames[this.head]!;
      this.frames[this.head] = EMPTY;
      this.head++;
      this.bytes -= frame.length;
      if (!this.connection.write(frame)) {
        this.blocked = true;
        break;
      }
    }
    if (this.head === this.frames.length) {
      this.frames.length = 0;
      this.head = 0;
      const listener = this.emptyListener;
      this.emptyListener = undefined;
      listener?.();
    } else if (this.head > 1024) {
      this.frames.splice(0, this.head);
      this.head = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);
