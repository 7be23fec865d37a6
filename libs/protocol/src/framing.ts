import { ProtocolError } from './protocol.error';

/**
 * Stream framing of the TCP/TLS listeners (DECISIONS D6): each frame is preceded by its length as a
 * 4-byte big-endian unsigned integer. (Over WebSocket one binary message is one frame: no framing.)
 */

/** The default maximum size of one frame, length prefix not included. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
/** Size of the length prefix. */
export const LENGTH_PREFIX_BYTES = 4;

const MAX_LENGTH = 0xffffffff;

/**
 * The frame's bytes preceded by their length. Throws ProtocolError: INVALID_FRAME for an empty frame
 * (the reader refuses zero lengths), FRAME_TOO_LARGE beyond options.maxFrameBytes (default: no
 * limit but what 4 bytes can say).
 */
export function lengthPrefixed(frameBytes: Uint8Array, options?: { maxFrameBytes?: number }): Uint8Array {
  const length = frameBytes.length;
  if (length === 0) throw new ProtocolError('INVALID_FRAME', 'a frame cannot be empty');
  const max = Math.min(options?.maxFrameBytes ?? MAX_LENGTH, MAX_LENGTH);
  if (length > max) throw new ProtocolError('FRAME_TOO_LARGE', `frame of ${length} bytes exceeds the maximum of ${max}`);
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + length);
  new DataView(out.buffer, out.byteOffset, LENGTH_PREFIX_BYTES).setUint32(0, length, false);
  out.set(frameBytes, LENGTH_PREFIX_BYTES);
  return out;
}

/**
 * Splits a byte stream into frame payloads. Feed it every chunk as it arrives; it returns the payloads
 * completed by that chunk, in order, and keeps a partial frame across chunks. Each byte is copied at
 * most once (a payload within one chunk is returned as a view of it, without copying; one spanning
 * chunks is assembled once complete), so a frame arriving byte by byte costs linear time.
 *
 * Returned payloads may share memory with the chunks pushed: do not reuse a chunk's memory after pushing it.
 *
 * Throws ProtocolError — FRAME_TOO_LARGE as soon as a length header announces more than maxFrameBytes
 * (before the body arrives), MALFORMED_FRAME for a zero length. Frames completed earlier in the same
 * chunk are not returned then: the stream is corrupt and the connection should be closed. After an
 * error every push throws it again.
 */
export class FrameReader {
  private readonly maxFrameBytes: number;
  /** Unconsumed chunks from index `first` on; chunks[first] is consumed up to `offset`. */
  private chunks: Uint8Array[] = [];
  private first = 0;
  private offset = 0;
  private buffered = 0;
  /** Length of the frame whose header has been read, or -1 while waiting for a header. */
  private expected = -1;
  private failure: ProtocolError | undefined;

  public constructor(options: { maxFrameBytes: number }) {
    const max = options.maxFrameBytes;
    if (!Number.isInteger(max) || max < 1 || max > MAX_LENGTH) {
      throw new RangeError(`maxFrameBytes must be an integer from 1 to ${MAX_LENGTH}, got ${String(max)}`);
    }
    this.maxFrameBytes = max;
  }

  /** Bytes held for a frame not complete yet (its header included, when read). */
  public get bufferedBytes(): number {
    return this.buffered + (this.expected >= 0 ? LENGTH_PREFIX_BYTES : 0);
  }

  public push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure) throw this.failure;
    const frames: Uint8Array[] = [];
    if (chunk.length === 0) return frames;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.expected < 0) {
        if (this.buffered < LENGTH_PREFIX_BYTES) break;
        const length = this.readHeader();
        if (length === 0) this.fail(new ProtocolError('MALFORMED_FRAME', 'zero-length frame'));
        if (length > this.maxFrameBytes) {
          this.fail(new ProtocolError('FRAME_TOO_LARGE', `length header announces ${length} bytes, the maximum is ${this.maxFrameBytes}`));
        }
        this.expected = length;
      }
      if (this.buffered < this.expected) break;
      frames.push(this.take(this.expected));
      this.expected = -1;
    }
    return frames;
  }

  private fail(error: ProtocolError): never {
    this.failure = error;
    this.chunks = [];
    this.first = 0;
    this.offset = 0;
    this.buffered = 0;
    throw error;
  }

  private readHeader(): number {
    let length = 0;
    for (let i = 0; i < LENGTH_PREFIX_BYTES; i++) {
      const chunk = this.chunks[this.first]!;
      length = length * 256 + chunk[this.offset]!;
      this.advance(1);
    }
    return length;
  }

  /** The next `count` bytes (all buffered): a view when they lie in one chunk, else one copy. */
  private take(count: number): Uint8Array {
    const chunk = this.chunks[this.first]!;
    if (chunk.length - this.offset >= count) {
      const view = chunk.subarray(this.offset, this.offset + count);
      this.advance(count);
      return view;
    }
    const out = new Uint8Array(count);
    let filled = 0;
    while (filled < count) {
      const current = this.chunks[this.first]!;
      const n = Math.min(current.length - this.offset, count - filled);
      out.set(current.subarray(this.offset, this.offset + n), filled);
      filled += n;
      this.advance(n);
    }
    return out;
  }

  /** Consumes `count` bytes of the current chunk (never more than it has left). */
  private advance(count: number): void {
    this.offset += count;
    this.buffered -= count;
    if (this.offset < this.chunks[this.first]!.length) return;
    this.first++;
    this.offset = 0;
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
    } else if (this.first >= 1024 && this.first * 2 >= this.chunks.length) {
      // Drop consumed chunks now and then, so the array stays proportional to what is buffered.
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

/** The bytes of `parts` one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
