import { decodeFrame, encodeFrame } from './codec';
import { DEFAULT_MAX_FRAME_BYTES, FrameReader, concatBytes, lengthPrefixed } from './framing';
import { ProtocolError } from './protocol.error';
import { SAMPLE_FRAMES, seededRandom } from './testing/sample-frames';

/** A payload of `length` bytes whose content tells it apart: byte i = (seed + i) % 251. */
function payload(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed + i) % 251;
  return bytes;
}

/** Compares byte arrays with Buffer#equals: Jest's toEqual compares typed arrays element by element, slowly. */
function expectSameBytes(actual: Uint8Array[], expected: Uint8Array[]): void {
  expect(actual.map((bytes) => bytes.length)).toEqual(expected.map((bytes) => bytes.length));
  const differing = actual.findIndex((bytes, i) => !Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).equals(expected[i]!));
  expect(differing).toBe(-1);
}

function protocolError(action: () => unknown): ProtocolError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('lengthPrefixed', () => {
  it('prefixes the length as 4 bytes big-endian', () => {
    expect([...lengthPrefixed(Uint8Array.from([7, 8, 9]))]).toEqual([0, 0, 0, 3, 7, 8, 9]);
    expect([...lengthPrefixed(payload(0x010203, 0)).subarray(0, 4)]).toEqual([0, 1, 2, 3]);
    expect(Object.getPrototypeOf(lengthPrefixed(Uint8Array.from([1])))).toBe(Uint8Array.prototype);
  });

  it('refuses an empty frame and, when asked to, a frame above the maximum', () => {
    expect(protocolError(() => lengthPrefixed(new Uint8Array(0))).code).toBe('INVALID_FRAME');
    expect(lengthPrefixed(payload(10, 0), { maxFrameBytes: 10 })).toHaveLength(14);
    expect(protocolError(() => lengthPrefixed(payload(11, 0), { maxFrameBytes: 10 })).code).toBe('FRAME_TOO_LARGE');
  });
});

describe('FrameReader', () => {
  const reader = (maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): FrameReader => new FrameReader({ maxFrameBytes });

  it('has a 64 KiB default maximum', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBe(65536);
  });

  it('assembles one frame pushed byte by byte', () => {
    const frame = payload(1000, 3);
    const stream = lengthPrefixed(frame);
    const frameReader = reader();
    for (let i = 0; i < stream.length - 1; i++) {
      expect(frameReader.push(stream.subarray(i, i + 1))).toEqual([]);
      expect(frameReader.bufferedBytes).toBe(i + 1);
    }
    expect(frameReader.push(stream.subarray(stream.length - 1))).toEqual([frame]);
    expect(frameReader.bufferedBytes).toBe(0);
  });

  it('assembles a frame of the maximum size pushed byte by byte', () => {
    const frame = payload(DEFAULT_MAX_FRAME_BYTES, 5);
    const stream = lengthPrefixed(frame);
    const frameReader = reader();
    const out: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...frameReader.push(stream.subarray(i, i + 1)));
    expectSameBytes(out, [frame]);
  });

  it('returns every frame of one chunk, in order', () => {
    const frames = Array.from({ length: 100 }, (_, i) => payload(1 + ((i * 37) % 300), i));
    expectSameBytes(reader().push(concatBytes(frames.map((frame) => lengthPrefixed(frame)))), frames);
  });

  it('returns a whole frame and keeps half of the next one', () => {
    const [first, second] = [payload(50, 1), payload(80, 2)];
    const stream = concatBytes([lengthPrefixed(first), lengthPrefixed(second)]);
    const frameReader = reader();
    const cut = 54 + 4 + 40;
    expect(frameReader.push(stream.subarray(0, cut))).toEqual([first]);
    expect(frameReader.bufferedBytes).toBe(44);
    expect(frameReader.push(stream.subarray(cut))).toEqual([second]);
    expect(frameReader.bufferedBytes).toBe(0);
  });

  it('reads a length header split across chunks', () => {
    const frame = payload(300, 9);
    const stream = lengthPrefixed(frame);
    const frameReader = reader();
    expect(frameReader.push(stream.subarray(0, 2))).toEqual([]);
    expect(frameReader.push(stream.subarray(2, 3))).toEqual([]);
    expect(frameReader.push(stream.subarray(3))).toEqual([frame]);
  });

  it('returns a frame within one chunk as a view of it (no copy)', () => {
    const stream = lengthPrefixed(payload(20, 0));
    const [frame] = reader().push(stream);
    expect(frame!.buffer).toBe(stream.buffer);
    expect(frame!.byteOffset).toBe(4);
  });

  it('splits a stream cut at random places exactly as it was written (seeded)', () => {
    const random = seededRandom(7);
    const frames = Array.from({ length: 300 }, (_, i) => payload(1 + random(random(2) === 0 ? 40 : 5000), i));
    const stream = concatBytes(frames.map((frame) => lengthPrefixed(frame)));
    const frameReader = reader();
    const out: Uint8Array[] = [];
    for (let at = 0; at < stream.length; ) {
      const size = random(3) === 0 ? 1 + random(8) : 1 + random(9000);
      out.push(...frameReader.push(stream.subarray(at, at + size)));
      at += size;
    }
    expectSameBytes(out, frames);
    expect(frameReader.bufferedBytes).toBe(0);
  });

  it('accepts a frame of exactly maxFrameBytes', () => {
    expect(reader(16).push(lengthPrefixed(payload(16, 0)))).toEqual([payload(16, 0)]);
  });

  it('refuses an oversize length header before the body arrives, and keeps refusing', () => {
    const frameReader = reader(1024);
    expect(frameReader.push(Uint8Array.from([0, 0]))).toEqual([]);
    const error = protocolError(() => frameReader.push(Uint8Array.from([4, 1])));
    expect(error.code).toBe('FRAME_TOO_LARGE');
    expect(error.message).toMatch(/announces 1025 bytes, the maximum is 1024/);
    expect(frameReader.bufferedBytes).toBe(0);
    expect(protocolError(() => frameReader.push(payload(10, 0)))).toBe(error);
  });

  it('refuses a 4 GiB - 1 length header at once', () => {
    expect(protocolError(() => reader().push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).code).toBe('FRAME_TOO_LARGE');
  });

  it('refuses a zero-length frame, even after valid frames in the same chunk', () => {
    const stream = concatBytes([lengthPrefixed(payload(5, 0)), Uint8Array.from([0, 0, 0, 0])]);
    const error = protocolError(() => reader().push(stream));
    expect(error.code).toBe('MALFORMED_FRAME');
    expect(error.message).toMatch(/zero-length frame/);
  });

  it('ignores empty chunks', () => {
    const frameReader = reader();
    expect(frameReader.push(new Uint8Array(0))).toEqual([]);
    expect(frameReader.push(lengthPrefixed(payload(3, 0)))).toEqual([payload(3, 0)]);
  });

  it('refuses a maximum that is not a positive integer', () => {
    for (const maxFrameBytes of [0, -1, 1.5, NaN, 2 ** 32]) expect(() => new FrameReader({ maxFrameBytes })).toThrow(RangeError);
  });

  it('carries encoded frames over a stream', () => {
    const frames = Object.values(SAMPLE_FRAMES);
    const stream = concatBytes(frames.map((frame) => lengthPrefixed(encodeFrame(frame))));
    const frameReader = reader();
    const decoded = [...frameReader.push(stream.subarray(0, 333)), ...frameReader.push(stream.subarray(333))].map((bytes) => decodeFrame(bytes));
    expect(decoded).toStrictEqual(frames);
  });
});
