import { join, resolve } from 'node:path';
import * as protobuf from 'protobufjs';
import { bodyKind, createFrame, decodeFrame, encodeFrame, FRAME_BODY_KINDS, type FrameBodyKind, isFrameOf } from './codec';
import { type Frame } from './generated';
import { ProtocolError, type ProtocolErrorCode } from './protocol.error';
import { FRAME_TYPE } from './schema';
import { SAMPLE_FRAMES, seededRandom } from './testing/sample-frames';

const PROTO_FILE = join(resolve(__dirname, '../../..'), 'proto/comet/v1/comet.proto');
const KINDS = Object.keys(SAMPLE_FRAMES) as FrameBodyKind[];

// ---- hand-made protobuf bytes ----
function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return out;
}
const tag = (id: number, wireType: number): number[] => varint((id << 3) | wireType);
const field = (id: number, value: number | bigint): number[] => [...tag(id, 0), ...varint(value)];
const lengthDelimited = (id: number, content: number[]): number[] => [...tag(id, 2), ...varint(content.length), ...content];
const text = (id: number, value: string): number[] => lengthDelimited(id, [...new TextEncoder().encode(value)]);
const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function expectProtocolError(action: () => unknown, code: ProtocolErrorCode, message?: RegExp): ProtocolError {
  const error = thrown(action);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe(code);
  if (message) expect((error as ProtocolError).message).toMatch(message);
  return error as ProtocolError;
}

describe('frame body kinds', () => {
  it('are the members of oneof Frame.body, in proto order', () => {
    expect(FRAME_BODY_KINDS).toEqual(FRAME_TYPE.oneofs['body']!.oneof);
  });

  it('have one sample frame each', () => {
    expect([...KINDS].sort()).toEqual([...FRAME_BODY_KINDS].sort());
  });
});

describe('encodeFrame / decodeFrame roundtrip', () => {
  it.each(KINDS)('%s', (kind) => {
    const frame = SAMPLE_FRAMES[kind];
    const encoded = encodeFrame(frame);
    const decoded = decodeFrame(encoded);
    expect(decoded).toStrictEqual(frame);
    expect(bodyKind(decoded)).toBe(kind);
    expect(isFrameOf(decoded, kind)).toBe(true);
    // Only `seq` and the member that is set: no null or undefined members, no virtual `body` property.
    expect(Object.keys(decoded).sort()).toEqual(['seq', kind].sort());
    // Canonical: re-encoding what was decoded gives the same bytes.
    expect(encodeFrame(decoded)).toEqual(encoded);
  });

  it('returns a plain Uint8Array and decodes Buffers and views into a larger buffer', () => {
    const encoded = encodeFrame(SAMPLE_FRAMES.pushMessage);
    expect(Object.getPrototypeOf(encoded)).toBe(Uint8Array.prototype);
    expect(decodeFrame(Buffer.from(encoded))).toStrictEqual(SAMPLE_FRAMES.pushMessage);
    const padded = new Uint8Array(encoded.length + 20);
    padded.set(encoded, 7);
    expect(decodeFrame(padded.subarray(7, 7 + encoded.length))).toStrictEqual(SAMPLE_FRAMES.pushMessage);
  });

  it('fills every field of the body with its default (proto-loader style)', () => {
    expect(decodeFrame(encodeFrame(createFrame('handshake')))).toStrictEqual({
      seq: 0,
      handshake: {
        appId: '',
        workspaceId: '',
        clientKey: '',
        deviceToken: '',
        platform: 'PLATFORM_UNSPECIFIED',
        osVersion: '',
        appVersion: '',
        sdkVersion: '',
        manufacturer: '',
        deviceId: '',
        syncPoints: [],
        appState: 'APP_STATE_UNSPECIFIED',
      },
    });
    expect(decodeFrame(encodeFrame(createFrame('pushMessage', { title: 'x' }, 3))).pushMessage).toMatchObject({ title: 'x', extParams: {}, expireAtMs: 0, silent: false });
  });

  it('writes canonical proto3: defaults left out, an empty body member kept', () => {
    expect([...encodeFrame(createFrame('unbindUser'))]).toEqual([...tag(15, 2), 0]);
    expect([...encodeFrame(createFrame('ping', { clientTimeMs: 0 }))]).toEqual([...tag(12, 2), 0]);
    expect([...encodeFrame(createFrame('ping', { clientTimeMs: 5 }, 300))]).toEqual([...field(1, 300), ...lengthDelimited(12, field(1, 5))]);
  });

  it('carries strings exactly, short and long (decoded by TextDecoder), a leading BOM included', () => {
    const samples = ['', 'a', '\uFEFF', '\uFEFFbom', `\uFEFF${'x'.repeat(40)}`, '😀'.repeat(3), '😀'.repeat(30), 'é'.repeat(11), 'é'.repeat(12), '\u0000nul\u0000', 'ab\u{10FFFF}cd'.repeat(9)];
    for (const msgId of samples) expect(decodeFrame(encodeFrame(createFrame('pushAck', { msgId }))).pushAck!.msgId).toBe(msgId);
  });

  it('carries 64-bit values up to 2^53 - 1 exactly', () => {
    for (const value of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 2, Number.MAX_SAFE_INTEGER]) {
      const frame = createFrame('syncAck', { bizType: 'B', key: 'k', oplogId: value });
      expect(decodeFrame(encodeFrame(frame)).syncAck!.oplogId).toBe(value);
    }
  });

  it('matches protobufjs loading comet.proto itself, both ways (the descriptor is the proto)', () => {
    const fromProto = protobuf.loadSync(PROTO_FILE).lookupType('comet.v1.Frame');
    const options = { longs: Number, enums: String, defaults: true, oneofs: false };
    for (const kind of KINDS) {
      const frame = SAMPLE_FRAMES[kind];
      expect(fromProto.toObject(fromProto.decode(encodeFrame(frame)), options)).toStrictEqual(frame);
      const theirs = fromProto.encode(fromProto.fromObject(frame)).finish();
      expect(decodeFrame(theirs)).toStrictEqual(frame);
    }
  });
});

describe('decodeFrame', () => {
  const ping = lengthDelimited(12, field(1, 42));

  it('ignores unknown fields of every wire type, at the top and nested', () => {
    const unknown = [
      ...field(99, 123456789),
      ...tag(100, 1), ...[1, 2, 3, 4, 5, 6, 7, 8],
      ...text(101, 'from a newer client'),
      ...tag(102, 5), ...[1, 2, 3, 4],
      ...tag(103, 3), ...field(1, 1), ...tag(104, 3), ...tag(104, 4), ...tag(103, 4),
    ];
    const frame = decodeFrame(bytes(unknown, field(1, 5), lengthDelimited(12, [...unknown, ...field(1, 42), ...unknown]), unknown));
    expect(frame).toStrictEqual({ seq: 5, ping: { clientTimeMs: 42 } });
  });

  it('decodes an enum value it does not know as the zero value', () => {
    const frame = decodeFrame(bytes(lengthDelimited(10, [...field(5, 99), ...field(12, 1)]), lengthDelimited(10, [])));
    expect(frame.handshake).toMatchObject({ platform: 'PLATFORM_UNSPECIFIED', appState: 'APP_STATE_UNSPECIFIED' });
    const known = decodeFrame(bytes(lengthDelimited(16, field(1, 2))));
    expect(known.appState).toStrictEqual({ state: 'BACKGROUND' });
    expect(decodeFrame(bytes(lengthDelimited(22, field(2, 7)))).pushReport!.kind).toBe('PUSH_REPORT_KIND_UNSPECIFIED');
  });

  it('takes the last value of a repeated scalar field, as protobuf does', () => {
    expect(decodeFrame(bytes(field(1, 1), ping, field(1, 2))).seq).toBe(2);
  });

  it.each<[string, Uint8Array]>([
    ['no bytes', bytes()],
    ['only a seq', bytes(field(1, 3))],
    ['only an unknown body member (a newer client)', bytes(lengthDelimited(27, field(1, 1)))],
  ])('refuses a frame without body: %s', (_name, input) => {
    expectProtocolError(() => decodeFrame(input), 'EMPTY_FRAME', /no member of Frame.body/);
  });

  it.each<[string, Uint8Array, RegExp]>([
    ['two body members', bytes(ping, lengthDelimited(13, [])), /Frame: both ping and pong of oneof body are set/],
    ['a known field with the wrong wire type', bytes(field(12, 5)), /Frame.ping: wire type 0, expected 2/],
    ['a string with the wrong wire type', bytes(lengthDelimited(21, field(1, 3))), /PushAck.msgId: wire type 0, expected 2/],
    ['seq as length-delimited', bytes(lengthDelimited(1, [1]), ping), /Frame.seq: wire type 2, expected 0/],
    ['a length beyond the end', bytes([...tag(12, 2), 10, ...field(1, 1)]), /length 10 exceeds the 2 bytes left/],
    ['a nested length beyond its message', bytes(lengthDelimited(21, [...tag(1, 2), 5, 65])), /PushAck.msgId: length 5 exceeds/],
    ['a truncated varint', bytes([8, 0x80]), /truncated varint/],
    ['an 11-byte varint', bytes([8, ...Array<number>(10).fill(0xff), 1]), /longer than 10 bytes/],
    ['a 7-byte varint for a 32-bit field', bytes([8, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0], ping), /7-byte varint for a 32-bit value/],
    ['field number 0', bytes([0, 1], ping), /field number 0/],
    ['wire type 7', bytes(tag(50, 7), ping), /invalid wire type 7/],
    ['an end-group without start', bytes(tag(50, 4), ping), /end of group 50 without its start/],
    ['a group closed by another field', bytes(tag(50, 3), tag(51, 4), ping), /end of group 51 closes group 50/],
    ['an unterminated group', bytes(ping, tag(50, 3), field(1, 1)), /truncated varint/],
    ['groups nested too deep', bytes(Array.from({ length: 200 }, () => tag(50, 3)).flat()), /groups nested deeper than 64/],
    ['a uint64 of 2^53', bytes(lengthDelimited(12, field(1, 2n ** 53n))), /Ping.clientTimeMs: value beyond \(2\^53 - 1\)/],
    ['a uint64 of 2^64 - 1', bytes(lengthDelimited(19, field(3, 2n ** 64n - 1n))), /SyncAck.oplogId: value beyond/],
    ['invalid UTF-8', bytes(lengthDelimited(21, lengthDelimited(1, [0x61, 0xc3, 0x28]))), /PushAck.msgId: string is not valid UTF-8/],
    ['UTF-8 of a surrogate', bytes(lengthDelimited(21, lengthDelimited(1, [0xed, 0xa0, 0x80]))), /not valid UTF-8/],
    ['an overlong UTF-8 form', bytes(lengthDelimited(21, lengthDelimited(1, [0xc0, 0xaf]))), /not valid UTF-8/],
    ['a map entry with a wrong key wire type', bytes(lengthDelimited(20, lengthDelimited(9, [...field(1, 1), ...text(2, 'v')]))), /PushMessage.extParams: map key has wire type 0/],
    ['a tag beyond 32 bits', bytes([0x80, 0x80, 0x80, 0x80, 0x10], ping), /field tag does not fit 32 bits/],
  ])('refuses %s as MALFORMED_FRAME', (_name, input, message) => {
    expectProtocolError(() => decodeFrame(input), 'MALFORMED_FRAME', message);
  });

  it('accepts a 5-byte uint32 and a negative enum value in its 10-byte form', () => {
    expect(decodeFrame(bytes(field(1, 0xffffffff), ping)).seq).toBe(0xffffffff);
    expect(field(1, -1)).toHaveLength(11);
    expect(decodeFrame(bytes(lengthDelimited(16, field(1, -1)))).appState).toStrictEqual({ state: 'APP_STATE_UNSPECIFIED' });
  });

  it('refuses a frame larger than maxFrameBytes when asked to', () => {
    const encoded = encodeFrame(SAMPLE_FRAMES.pushMessage);
    expect(decodeFrame(encoded, { maxFrameBytes: encoded.length })).toStrictEqual(SAMPLE_FRAMES.pushMessage);
    expectProtocolError(() => decodeFrame(encoded, { maxFrameBytes: encoded.length - 1 }), 'FRAME_TOO_LARGE');
  });

  it('refuses what is not a Uint8Array', () => {
    expectProtocolError(() => decodeFrame('abc' as unknown as Uint8Array), 'MALFORMED_FRAME', /expected the bytes of a frame/);
    expectProtocolError(() => decodeFrame(null as unknown as Uint8Array), 'MALFORMED_FRAME');
  });

  it.each(KINDS)('refuses every truncation of a valid %s frame', (kind) => {
    const encoded = encodeFrame({ ...SAMPLE_FRAMES[kind], seq: 77 });
    // seq (2 bytes) comes first, then the body member: no bytes or just seq is a frame without body,
    // every other cut (inside seq, inside the body) is malformed.
    for (let length = 0; length < encoded.length; length++) {
      const error = thrown(() => decodeFrame(encoded.subarray(0, length)));
      expect(error).toBeInstanceOf(ProtocolError);
      expect([length, (error as ProtocolError).code]).toEqual([length, length === 0 || length === 2 ? 'EMPTY_FRAME' : 'MALFORMED_FRAME']);
    }
  });

  it('throws only ProtocolError on 20,000 random buffers (seeded)', () => {
    const random = seededRandom(0xc0ffee);
    const codes = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const input = new Uint8Array(random(2001));
      for (let j = 0; j < input.length; j++) input[j] = random(256);
      const outcome = outcomeOf(input);
      codes.set(outcome, (codes.get(outcome) ?? 0) + 1);
    }
    expect([...codes.keys()].every((outcome) => ['frame', 'MALFORMED_FRAME', 'EMPTY_FRAME'].includes(outcome))).toBe(true);
    expect(codes.get('MALFORMED_FRAME')).toBeGreaterThan(10_000);
  });

  it('throws only ProtocolError on 20,000 mutations of valid frames (seeded), and what it decodes re-encodes', () => {
    const random = seededRandom(42);
    const valid = KINDS.map((kind) => encodeFrame({ ...SAMPLE_FRAMES[kind], seq: 5 }));
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const input = mutate(valid[random(valid.length)]!, random);
      const outcome = outcomeOf(input);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (outcome === 'frame') {
        const frame = decodeFrame(input);
        expect(decodeFrame(encodeFrame(frame))).toStrictEqual(frame);
      }
    }
    expect([...outcomes.keys()].sort()).toEqual(['EMPTY_FRAME', 'MALFORMED_FRAME', 'frame']);
    expect(outcomes.get('frame')).toBeGreaterThan(1000);
  });
});

function outcomeOf(input: Uint8Array): string {
  try {
    decodeFrame(input);
    return 'frame';
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    return `${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`;
  }
}

/** One to three random edits: overwrite a byte, cut, duplicate a slice, insert random bytes. */
function mutate(input: Uint8Array, random: (bound: number) => number): Uint8Array {
  let out = [...input];
  const at = (): number => random(out.length + 1);
  for (let edits = 1 + random(3); edits > 0; edits--) {
    const choice = random(4);
    if (choice === 0 && out.length > 0) out[random(out.length)] = random(256);
    else if (choice === 1) out = out.slice(0, at());
    else if (choice === 2) {
      const start = at();
      out.splice(at(), 0, ...out.slice(start, start + random(16)));
    } else out.splice(at(), 0, ...Array.from({ length: 1 + random(4) }, () => random(256)));
  }
  return Uint8Array.from(out);
}

describe('encodeFrame refuses what the wire cannot carry as given', () => {
  const handshake = SAMPLE_FRAMES.handshake;
  const withHandshake = (patch: Record<string, unknown>): Frame => ({ seq: 1, handshake: { ...handshake.handshake, ...patch } }) as unknown as Frame;
  const withPoint = (patch: Record<string, unknown>): Frame => withHandshake({ syncPoints: [handshake.handshake.syncPoints[0], { ...handshake.handshake.syncPoints[1], ...patch }] });

  it.each<[string, () => Frame, RegExp]>([
    ['a negative uint32', () => ({ seq: -1, ping: { clientTimeMs: 1 } }), /Frame.seq: -1 is out of range for uint32/],
    ['a uint32 beyond 2^32 - 1', () => ({ seq: 2 ** 32, ping: { clientTimeMs: 1 } }), /Frame.seq: 4294967296 is out of range/],
    ['a fractional uint32', () => createFrame('goAway', { reconnectAfterMs: 1.5 }), /Frame.goAway.reconnectAfterMs: expected an integer \(uint32\), got number 1.5/],
    ['a negative uint64', () => withPoint({ oplogId: -1 }), /Frame.handshake.syncPoints\[1\].oplogId: -1 is out of range for uint64/],
    ['a uint64 beyond 2^53 - 1', () => createFrame('ping', { clientTimeMs: 2 ** 53 }), /Frame.ping.clientTimeMs: 9007199254740992 is out of range/],
    ['NaN', () => createFrame('ping', { clientTimeMs: NaN }), /expected an integer \(uint64\), got number NaN/],
    ['a string for a number', () => createFrame('ping', { clientTimeMs: '5' as unknown as number }), /expected an integer \(uint64\), got "5"/],
    ['a bigint', () => createFrame('ping', { clientTimeMs: 5n as unknown as number }), /got bigint 5/],
    ['a number for a string', () => createFrame('pushAck', { msgId: 5 as unknown as string }), /Frame.pushAck.msgId: expected a string, got number 5/],
    ['a lone surrogate', () => createFrame('pushAck', { msgId: 'a\uD800b' }), /Frame.pushAck.msgId: string is not well-formed Unicode/],
    ['a number for a boolean', () => createFrame('rpcResult', { success: 1 as unknown as boolean }), /expected a boolean, got number 1/],
    ['an unknown enum name', () => withHandshake({ platform: 'SYMBIAN' }), /Frame.handshake.platform: expected a Platform \(PLATFORM_UNSPECIFIED \| ANDROID/],
    ['an enum number', () => withHandshake({ platform: 1 }), /expected a Platform .*, got number 1/],
    ['an unknown property', () => withHandshake({ platfrom: 'IOS' }), /Frame.handshake.platfrom: not a field of Handshake/],
    ['an unknown top-level property', () => ({ ...SAMPLE_FRAMES.ping, body: 'ping' }) as Frame, /Frame.body: not a field of Frame/],
    ['two body members', () => ({ seq: 0, ping: { clientTimeMs: 1 }, pong: { clientTimeMs: 1, serverTimeMs: 2 } }), /Frame.pong: ping of oneof body is set too/],
    ['a repeated field that is no array', () => withHandshake({ syncPoints: { 0: {} } }), /Frame.handshake.syncPoints: expected an array, got an object/],
    ['null in a repeated field', () => withHandshake({ syncPoints: [null] }), /Frame.handshake.syncPoints\[0\]: expected a SyncPoint object, got null/],
    ['null for a string', () => withPoint({ key: null }), /Frame.handshake.syncPoints\[1\].key: null is not a valid string/],
    ['a map value that is no string', () => createFrame('pushMessage', { extParams: { a: 'x', b: 2 as unknown as string } }), /Frame.pushMessage.extParams\["b"\]: expected a string, got number 2/],
    ['a JS Map for a map', () => createFrame('pushMessage', { extParams: new Map([['a', 'b']]) as unknown as Record<string, string> }), /Frame.pushMessage.extParams: expected a map \(plain object\)/],
    ['a body member that is no object', () => ({ seq: 0, ping: 5 }) as unknown as Frame, /Frame.ping: expected a Ping object, got number 5/],
    ['a frame that is no object', () => 'ping' as unknown as Frame, /^INVALID_FRAME: Frame: expected a Frame object, got "ping"/],
  ])('%s', (_name, frame, message) => {
    expectProtocolError(() => encodeFrame(frame()), 'INVALID_FRAME', message);
  });

  it('refuses a frame without body as EMPTY_FRAME (null and undefined members count as unset)', () => {
    expectProtocolError(() => encodeFrame({ seq: 1 }), 'EMPTY_FRAME');
    expectProtocolError(() => encodeFrame({ seq: 1, ping: undefined, pong: null } as unknown as Frame), 'EMPTY_FRAME');
  });

  it('refuses a frame larger than maxFrameBytes when asked to', () => {
    const frame = createFrame('syncData', { bizType: 'B', op: [{ id: 1, pl: 'x'.repeat(100), isB: false }] });
    const size = encodeFrame(frame).length;
    expect(encodeFrame(frame, { maxFrameBytes: size })).toHaveLength(size);
    expectProtocolError(() => encodeFrame(frame, { maxFrameBytes: size - 1 }), 'FRAME_TOO_LARGE', new RegExp(`${size} bytes exceeds the maximum of ${size - 1}`));
  });

  it('keeps a "__proto__" map key a key', () => {
    const extParams = JSON.parse('{"__proto__":"p","a":"b"}') as Record<string, string>;
    const decoded = decodeFrame(encodeFrame(createFrame('pushMessage', { extParams })));
    expect(Object.keys(decoded.pushMessage!.extParams).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(decoded.pushMessage!.extParams)).toBe(Object.prototype);
  });
});

describe('bodyKind and createFrame', () => {
  it('names the member that is set', () => {
    expect(bodyKind({ seq: 0 })).toBeUndefined();
    expect(bodyKind({ seq: 0, revoke: { msgId: 'm' } })).toBe('revoke');
    expect(bodyKind({ seq: 0, revoke: undefined, goAway: { reason: '', reconnectAfterMs: 0 } })).toBe('goAway');
  });

  it('builds a typed frame with defaults', () => {
    const frame = createFrame('bindUser', { userId: 'u1' }, 12);
    expect(frame).toStrictEqual({ seq: 12, bindUser: { userId: 'u1', sessionId: '' } });
    expect(frame.bindUser.userId).toBe('u1');
  });
});
