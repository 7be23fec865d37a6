import { type IConversionOptions, Reader, util, Writer } from 'protobufjs/light';
import { type Frame } from './generated';
import { ProtocolError } from './protocol.error';
import { FRAME_PLAN, FRAME_TYPE, type FieldPlan, type MessagePlan, type ScalarKind } from './schema';
import { checkWire } from './wire-check';

/**
 * Encoding and decoding of comet.v1.Frame (proto/comet/v1/comet.proto) with protobufjs reflection
 * built from the generated JSON descriptor, so it runs in browsers too (Uint8Array, no Buffer).
 *
 * Decoded frames have the shape of the generated `Frame` type, as @grpc/proto-loader would hand them
 * over with { longs: Number, enums: String, defaults: true, oneofs: true } minus the virtual oneof property:
 * - field names are lowerCamel; every field outside a oneof is present, unset scalars with their
 *   default (0, '', false, the enum's zero name), repeated fields as arrays, maps as plain objects,
 *   unset message fields as null;
 * - of the members of oneof `body` only the one that is set is present (the others are absent, not
 *   null); there is no `body` property naming it: use bodyKind(frame);
 * - 64-bit integers are numbers: values beyond ±(2^53 - 1) are refused rather than rounded;
 * - enums are their value names; a value this side does not know (from a newer peer) becomes the
 *   enum's zero value (e.g. PLATFORM_UNSPECIFIED);
 * - unknown fields (from a newer peer) are ignored; a frame whose only body member is unknown is EMPTY_FRAME.
 *
 * Encoding takes the same shape, checks it strictly (INVALID_FRAME: unknown properties, wrong types,
 * integers out of range or not integral, unknown enum names, strings that are not well-formed
 * Unicode, two members of body set) and writes canonical proto3: fields holding their default are left out.
 */

/** Every member of oneof Frame.body; a compile error here means comet.proto changed Frame. */
const BODY_MEMBERS: { readonly [K in Exclude<keyof Frame, 'seq'>]: K } = {
  handshake: 'handshake',
  handshakeAck: 'handshakeAck',
  ping: 'ping',
  pong: 'pong',
  bindUser: 'bindUser',
  unbindUser: 'unbindUser',
  appState: 'appState',
  reportVendorToken: 'reportVendorToken',
  syncData: 'syncData',
  syncAck: 'syncAck',
  pushMessage: 'pushMessage',
  pushAck: 'pushAck',
  pushReport: 'pushReport',
  revoke: 'revoke',
  rpcResult: 'rpcResult',
  error: 'error',
  goAway: 'goAway',
};

/** The name of a member of oneof Frame.body: 'handshake' | 'handshakeAck' | ... */
export type FrameBodyKind = keyof typeof BODY_MEMBERS;
/** The message a body member holds, e.g. FrameBody<'ping'> = Ping. */
export type FrameBody<K extends FrameBodyKind> = NonNullable<Frame[K]>;
/** A frame whose body is `K`. */
export type FrameOf<K extends FrameBodyKind> = Frame & Required<Pick<Frame, K>>;

/** The members of Frame.body, in the order of comet.proto. */
export const FRAME_BODY_KINDS: readonly FrameBodyKind[] = Object.freeze(Object.values(BODY_MEMBERS));

export interface FrameSizeOptions {
  /** Refuse (FRAME_TOO_LARGE) a frame of more bytes; no limit when absent. */
  maxFrameBytes?: number;
}

const TO_OBJECT: IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: false };

// ignoreBOM: a string that starts with U+FEFF keeps it.
const TEXT_DECODER = typeof TextDecoder === 'function' ? new TextDecoder('utf-8', { ignoreBOM: true }) : undefined;
/** Below this many bytes protobufjs' JavaScript UTF-8 reader beats the cost of calling TextDecoder. */
const TEXT_DECODER_MIN_BYTES = 24;

/**
 * protobufjs' Reader with strings decoded by TextDecoder (browsers and Node alike) instead of its
 * JavaScript UTF-8 reader, which is several times slower on longer strings. A subclass handed to
 * decode, not a patch: other users of protobufjs in the process (gRPC) are not affected. The bytes
 * were checked to be valid UTF-8 (wire-check.ts), so both readers give the same text.
 */
class FrameBytesReader extends Reader {
  public override string(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    if (TEXT_DECODER !== undefined && length >= TEXT_DECODER_MIN_BYTES) return TEXT_DECODER.decode(this.buf.subarray(start, end));
    return util.utf8.read(this.buf, start, end);
  }
}

/** Encodes a frame (without length prefix). Throws ProtocolError: INVALID_FRAME, EMPTY_FRAME (no body member set), FRAME_TOO_LARGE. */
export function encodeFrame(frame: Frame, options?: FrameSizeOptions): Uint8Array {
  let wire: Record<string, unknown>;
  try {
    wire = toWireMessage(FRAME_PLAN, frame);
  } catch (error) {
    if (error instanceof InvalidValue) throw new ProtocolError('INVALID_FRAME', `${['Frame', ...error.path].join('')}: ${error.problem}`);
    throw error;
  }
  if (FRAME_BODY_KINDS.every((kind) => wire[kind] === undefined)) throw new ProtocolError('EMPTY_FRAME', 'no member of Frame.body is set');
  // A plain Writer: its finish() allocates an exact Uint8Array (protobufjs' Node writer would return a pooled Buffer slice).
  const bytes = FRAME_TYPE.encode(wire, new Writer()).finish();
  checkSize(bytes, options);
  return bytes;
}

/**
 * Decodes one frame (without length prefix). Throws ProtocolError only: MALFORMED_FRAME (not a
 * well-formed comet.v1.Frame, see wire-check.ts), EMPTY_FRAME (no body member this side knows is set),
 * FRAME_TOO_LARGE (when options.maxFrameBytes is given).
 */
export function decodeFrame(bytes: Uint8Array, options?: FrameSizeOptions): Frame {
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED_FRAME', `expected the bytes of a frame, got ${describe(bytes)}`);
  checkSize(bytes, options);
  const { unknownEnum } = checkWire(bytes, FRAME_PLAN);
  let frame: Frame;
  try {
    frame = FRAME_TYPE.toObject(FRAME_TYPE.decode(new FrameBytesReader(bytes)), TO_OBJECT) as Frame;
  } catch (error) {
    // Not expected after checkWire; kept so that nothing but a ProtocolError ever leaves.
    throw new ProtocolError('MALFORMED_FRAME', `not a comet.v1.Frame: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (unknownEnum) replaceUnknownEnums(FRAME_PLAN, frame as unknown as Record<string, unknown>);
  if (bodyKind(frame) === undefined) throw new ProtocolError('EMPTY_FRAME', `no member of Frame.body is set (seq ${frame.seq})`);
  return frame;
}

/** Which member of Frame.body is set (the first, should a hand-built frame set several); undefined when none. */
export function bodyKind(frame: Frame): FrameBodyKind | undefined {
  for (const kind of FRAME_BODY_KINDS) {
    const value = frame[kind];
    if (value !== undefined && value !== null) return kind;
  }
  return undefined;
}

/** Narrows a frame to one body kind. */
export function isFrameOf<K extends FrameBodyKind>(frame: Frame, kind: K): frame is FrameOf<K> {
  return frame[kind] !== undefined && frame[kind] !== null;
}

/**
 * A frame with body `kind`: the fields given in `body`, every other field of the body message with
 * its default (nested messages must be given whole). Checks nothing: encodeFrame does.
 */
export function createFrame<K extends FrameBodyKind>(kind: K, body: Partial<FrameBody<K>> = {}, seq = 0): FrameOf<K> {
  const plan = FRAME_PLAN.byName.get(kind)?.message;
  if (!plan) throw new ProtocolError('INVALID_FRAME', `${String(kind)} is not a member of Frame.body`);
  const value = plan.type.toObject(plan.type.create(), TO_OBJECT) as Record<string, unknown>;
  for (const [name, fieldValue] of Object.entries(body)) if (fieldValue !== undefined) value[name] = fieldValue;
  return { seq, [kind]: value } as unknown as FrameOf<K>;
}

function checkSize(bytes: Uint8Array, options: FrameSizeOptions | undefined): void {
  const max = options?.maxFrameBytes;
  if (max !== undefined && bytes.length > max) throw new ProtocolError('FRAME_TOO_LARGE', `frame of ${bytes.length} bytes exceeds the maximum of ${max}`);
}

// ---------------------------------------------------------------------------------------------
// Decoding: unknown enum values

/** protobufjs hands an enum value it does not know over as its number; the generated types say a name. */
function replaceUnknownEnums(plan: MessagePlan, message: Record<string, unknown>): void {
  for (const field of plan.fields) {
    const value = message[field.name];
    if (value === undefined || value === null || (field.kind !== 'enum' && field.kind !== 'message')) continue;
    const fix = (element: unknown): unknown => {
      if (field.kind === 'enum') return typeof element === 'number' ? field.enumPlan!.zeroName : element;
      if (element !== null && typeof element === 'object') replaceUnknownEnums(field.message!, element as Record<string, unknown>);
      return element;
    };
    if (field.mapKey !== null) {
      const map = value as Record<string, unknown>;
      for (const key of Object.keys(map)) map[key] = fix(map[key]);
    } else if (field.repeated) {
      const list = value as unknown[];
      for (let i = 0; i < list.length; i++) list[i] = fix(list[i]);
    } else {
      message[field.name] = fix(value);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding: check a frame and turn it into what protobufjs' encoder takes

/** A value the wire cannot carry; path is filled in while unwinding, e.g. ['.pushMessage', '.extParams', '["k"]']. */
class InvalidValue {
  public readonly path: string[] = [];

  public constructor(public readonly problem: string) {}
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function toWireMessage(plan: MessagePlan, value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw new InvalidValue(`expected a ${plan.name} object, got ${describe(value)}`);
  const wire: Record<string, unknown> = {};
  const oneofSet: (FieldPlan | undefined)[] | undefined = plan.oneofs.length > 0 ? new Array(plan.oneofs.length) : undefined;
  let key = '';
  try {
    for (key of Object.keys(value)) {
      const fieldValue = value[key];
      const field = plan.byName.get(key);
      if (field === undefined) {
        if (fieldValue === undefined) continue;
        throw new InvalidValue(`not a field of ${plan.name}`);
      }
      const converted = toWireField(field, fieldValue);
      if (converted === undefined) continue;
      if (field.oneofIndex >= 0) {
        const other = oneofSet![field.oneofIndex];
        if (other !== undefined) throw new InvalidValue(`${other.name} of oneof ${plan.oneofs[field.oneofIndex]} is set too`);
        oneofSet![field.oneofIndex] = field;
      }
      wire[key] = converted;
    }
  } catch (error) {
    if (error instanceof InvalidValue) error.path.unshift(`.${key}`);
    throw error;
  }
  return wire;
}

/** The wire value of a field, or undefined to leave it out (unset, or holding its default outside a oneof). */
function toWireField(field: FieldPlan, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (value === null) {
    if (field.kind === 'message' && !field.repeated && field.mapKey === null) return undefined;
    throw new InvalidValue(`null is not a valid ${describeField(field)}`);
  }
  if (field.mapKey !== null) {
    if (!isPlainObject(value)) throw new InvalidValue(`expected a map (plain object), got ${describe(value)}`);
    const keys = Object.keys(value);
    if (keys.length === 0) return undefined;
    // No prototype: a "__proto__" key stays a key.
    const wire = Object.create(null) as Record<string, unknown>;
    for (const key of keys) {
      try {
        checkMapKey(field.mapKey, key);
        wire[key] = toWireValue(field, value[key]);
      } catch (error) {
        if (error instanceof InvalidValue) error.path.unshift(`[${JSON.stringify(key)}]`);
        throw error;
      }
    }
    return wire;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw new InvalidValue(`expected an array, got ${describe(value)}`);
    if (value.length === 0) return undefined;
    const wire = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      try {
        wire[i] = toWireValue(field, value[i]);
      } catch (error) {
        if (error instanceof InvalidValue) error.path.unshift(`[${i}]`);
        throw error;
      }
    }
    return wire;
  }
  const wire = toWireValue(field, value);
  // proto3 leaves default values out; a oneof member is written whatever it holds (its presence is the point).
  if (field.oneofIndex < 0 && field.kind !== 'message' && isDefault(wire)) return undefined;
  return wire;
}

function isDefault(wire: unknown): boolean {
  // Object.is keeps -0.0 (a float that is not the default); integer -0 was normalised to 0 by toWireValue.
  return Object.is(wire, 0) || wire === '' || wire === false || (wire instanceof Uint8Array && wire.length === 0);
}

/** One value (an element of a repeated field, a map value, a singular field's value). */
function toWireValue(field: FieldPlan, value: unknown): unknown {
  switch (field.kind) {
    case 'message':
      return toWireMessage(field.message!, value);
    case 'enum': {
      const number = typeof value === 'string' ? field.enumPlan!.nameToNumber.get(value) : undefined;
      if (number === undefined) {
        throw new InvalidValue(`expected a ${field.enumPlan!.name} (${[...field.enumPlan!.nameToNumber.keys()].join(' | ')}), got ${describe(value)}`);
      }
      return number;
    }
    default:
      return toWireScalar(field.kind, value);
  }
}

function toWireScalar(kind: ScalarKind, value: unknown): unknown {
  switch (kind) {
    case 'string':
      if (typeof value !== 'string') throw new InvalidValue(`expected a string, got ${describe(value)}`);
      if (LONE_SURROGATE.test(value)) throw new InvalidValue('string is not well-formed Unicode (lone surrogate): it cannot be UTF-8 encoded');
      return value;
    case 'bool':
      if (typeof value !== 'boolean') throw new InvalidValue(`expected a boolean, got ${describe(value)}`);
      return value;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw new InvalidValue(`expected a Uint8Array, got ${describe(value)}`);
      return value;
    case 'double':
    case 'float':
      if (typeof value !== 'number') throw new InvalidValue(`expected a number, got ${describe(value)}`);
      return value;
    case 'uint32':
    case 'fixed32':
      return integerIn(kind, value, 0, UINT32_MAX);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return integerIn(kind, value, INT32_MIN, INT32_MAX);
    case 'uint64':
    case 'fixed64':
      return integerIn(kind, value, 0, Number.MAX_SAFE_INTEGER);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return integerIn(kind, value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }
}

function integerIn(kind: ScalarKind, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InvalidValue(`expected an integer (${kind}), got ${describe(value)}`);
  if (value < min || value > max) throw new InvalidValue(`${value} is out of range for ${kind} (${min} to ${max})`);
  return value === 0 ? 0 : value; // -0 -> 0
}

function checkMapKey(kind: ScalarKind, key: string): void {
  if (kind === 'string') {
    if (LONE_SURROGATE.test(key)) throw new InvalidValue('map key is not well-formed Unicode (lone surrogate)');
    return;
  }
  // 32-bit integer keys (schema.ts refuses other key types): the decimal text of an integer in range.
  const number = /^-?(0|[1-9][0-9]*)$/.test(key) ? Number(key) : NaN;
  if (Number.isNaN(number)) throw new InvalidValue(`map key must be the decimal text of a ${kind}`);
  if (kind === 'uint32' || kind === 'fixed32') integerIn(kind, number, 0, UINT32_MAX);
  else integerIn(kind, number, INT32_MIN, INT32_MAX);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function describeField(field: FieldPlan): string {
  if (field.mapKey !== null) return 'map';
  if (field.repeated) return 'repeated field';
  return field.kind === 'enum' ? field.enumPlan!.name : field.kind;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
