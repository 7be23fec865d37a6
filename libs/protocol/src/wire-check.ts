import { ProtocolError } from './protocol.error';
import {
  type EnumPlan,
  type FieldPlan,
  type MessagePlan,
  type ValueKind,
  WIRE_END_GROUP,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_START_GROUP,
  WIRE_VARINT,
} from './schema';

/**
 * Validates the protobuf wire structure of a message against its plan before protobufjs decodes it.
 * protobufjs' generated decoders trust the wire types of known fields and skip some bytes blindly
 * (a 32-bit varint longer than 5 bytes), so garbage can decode into a plausible but wrong frame;
 * after this check it cannot. Refused, as MALFORMED_FRAME:
 * - truncation anywhere, lengths beyond their enclosing message, varints longer than 10 bytes;
 * - tags and lengths that do not fit 32 bits or take more than 5 bytes, field number 0, wire types 6 and 7,
 *   an end-group without its start, groups (in unknown fields) whose end does not match their start;
 * - a known field with a wire type other than its own (packed encoding of repeated scalars allowed);
 * - 32-bit varints of 6 to 9 bytes (valid ones take at most 5, negative ones exactly 10);
 * - 64-bit integers beyond ±(2^53 - 1): they would not survive the conversion to number;
 * - strings that are not valid UTF-8;
 * - two different members of one oneof (protobuf would keep the last; no conforming encoder writes both);
 * - nesting (messages and groups) deeper than MAX_DEPTH.
 * Unknown fields are skipped, whatever their wire type. Enum values this side does not know are
 * valid (proto3 enums are open) and reported, so that the codec can map them to the zero value.
 */

/** Nesting of messages and groups accepted (protobufjs stops at 100). */
export const MAX_DEPTH = 64;

const TWO_POW_32 = 4294967296;
/** 2^54 - 2: the largest zigzag encoding of a number within ±(2^53 - 1). */
const MAX_SAFE_ZIGZAG = 18014398509481982;

class Cursor {
  public pos = 0;
  /** Low and high 32 bits of the last varint read. */
  public lo = 0;
  public hi = 0;
  public unknownEnum = false;

  public constructor(public readonly bytes: Uint8Array) {}
}

/** Throws ProtocolError('MALFORMED_FRAME') unless `bytes` is a well-formed `plan` message; returns whether an enum value is unknown. */
export function checkWire(bytes: Uint8Array, plan: MessagePlan): { unknownEnum: boolean } {
  const cursor = new Cursor(bytes);
  checkMessage(cursor, plan, bytes.length, 0);
  return { unknownEnum: cursor.unknownEnum };
}

function checkMessage(c: Cursor, plan: MessagePlan, end: number, depth: number): void {
  if (depth > MAX_DEPTH) throw malformed(c.pos, plan, null, `messages nested deeper than ${MAX_DEPTH}`);
  const oneofSeen: (FieldPlan | undefined)[] | undefined = plan.oneofs.length > 0 ? new Array(plan.oneofs.length) : undefined;
  while (c.pos < end) {
    const tagAt = c.pos;
    const tag = readTag(c, end, plan, null);
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = plan.byId.get(id);
    if (field === undefined) {
      skipField(c, id, wireType, end, depth, plan, null);
      continue;
    }
    if (field.mapKey !== null) {
      expectWireType(field, wireType, WIRE_LEN, tagAt, plan);
      checkMapEntry(c, plan, field, readLength(c, end, plan, field), depth + 1);
    } else if (field.kind === 'message') {
      expectWireType(field, wireType, WIRE_LEN, tagAt, plan);
      checkMessage(c, field.message!, readLength(c, end, plan, field), depth + 1);
    } else if (wireType === field.wireType) {
      checkValue(c, field.kind, field.enumPlan, end, plan, field);
    } else if (wireType === WIRE_LEN && field.packable) {
      const packedEnd = readLength(c, end, plan, field);
      while (c.pos < packedEnd) checkValue(c, field.kind, field.enumPlan, packedEnd, plan, field);
    } else {
      expectWireType(field, wireType, field.wireType, tagAt, plan);
    }
    if (field.oneofIndex >= 0) {
      const previous = oneofSeen![field.oneofIndex];
      if (previous !== undefined && previous !== field) {
        throw malformed(tagAt, plan, null, `both ${previous.name} and ${field.name} of oneof ${plan.oneofs[field.oneofIndex]} are set`);
      }
      oneofSeen![field.oneofIndex] = field;
    }
  }
}

function checkMapEntry(c: Cursor, plan: MessagePlan, field: FieldPlan, end: number, depth: number): void {
  while (c.pos < end) {
    const tagAt = c.pos;
    const tag = readTag(c, end, plan, field);
    const id = tag >>> 3;
    const wireType = tag & 7;
    if (id === 1) {
      const keyWireType = field.mapKey === 'string' ? WIRE_LEN : field.mapKey === 'fixed32' || field.mapKey === 'sfixed32' ? WIRE_FIXED32 : WIRE_VARINT;
      expectWireType(field, wireType, keyWireType, tagAt, plan, 'key');
      checkValue(c, field.mapKey!, null, end, plan, field);
    } else if (id === 2) {
      expectWireType(field, wireType, field.wireType, tagAt, plan, 'value');
      if (field.kind === 'message') checkMessage(c, field.message!, readLength(c, end, plan, field), depth + 1);
      else checkValue(c, field.kind, field.enumPlan, end, plan, field);
    } else {
      skipField(c, id, wireType, end, depth, plan, field);
    }
  }
}

/** One non-message value of `kind` with its wire type already checked. */
function checkValue(c: Cursor, kind: ValueKind, enumPlan: EnumPlan | null, end: number, plan: MessagePlan, field: FieldPlan): void {
  const at = c.pos;
  switch (kind) {
    case 'string': {
      const stringEnd = readLength(c, end, plan, field);
      if (!isUtf8(c.bytes, c.pos, stringEnd)) throw malformed(at, plan, field, 'string is not valid UTF-8');
      c.pos = stringEnd;
      return;
    }
    case 'bytes':
      c.pos = readLength(c, end, plan, field);
      return;
    case 'int32':
    case 'uint32':
    case 'sint32':
    case 'bool':
    case 'enum': {
      const length = readVarint(c, end, plan, field);
      // protobufjs reads 5 bytes and skips 5 more: anything between 6 and 9 bytes would desynchronise it.
      if (length > 5 && length !== 10) throw malformed(at, plan, field, `${length}-byte varint for a 32-bit value`);
      if (enumPlan !== null && !enumPlan.numberToName.has(c.lo | 0)) c.unknownEnum = true;
      return;
    }
    case 'uint64':
      readVarint(c, end, plan, field);
      checkSafe64(c, at, plan, field, false);
      return;
    case 'int64':
      readVarint(c, end, plan, field);
      checkSafe64(c, at, plan, field, true);
      return;
    case 'sint64':
      readVarint(c, end, plan, field);
      if (c.hi * TWO_POW_32 + c.lo > MAX_SAFE_ZIGZAG) throw malformed(at, plan, field, 'value beyond ±(2^53 - 1) cannot be represented');
      return;
    case 'fixed32':
    case 'sfixed32':
    case 'float':
      need(c, 4, end, plan, field);
      c.pos += 4;
      return;
    case 'fixed64':
    case 'sfixed64': {
      need(c, 8, end, plan, field);
      const b = c.bytes;
      const p = c.pos;
      c.lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
      c.hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
      c.pos += 8;
      checkSafe64(c, at, plan, field, kind === 'sfixed64');
      return;
    }
    case 'double':
      need(c, 8, end, plan, field);
      c.pos += 8;
      return;
    case 'message':
      throw new Error('checkValue: messages are checked by checkMessage');
  }
}

function checkSafe64(c: Cursor, at: number, plan: MessagePlan, field: FieldPlan, signed: boolean): void {
  // Exact within ±2^53; beyond, the rounded value is beyond too, so the test stays right.
  const value = (signed ? c.hi | 0 : c.hi) * TWO_POW_32 + c.lo;
  if (!Number.isSafeInteger(value)) throw malformed(at, plan, field, `value beyond ${signed ? '±' : ''}(2^53 - 1) cannot be represented`);
}

function skipField(c: Cursor, id: number, wireType: number, end: number, depth: number, plan: MessagePlan, field: FieldPlan | null): void {
  const at = c.pos;
  switch (wireType) {
    case WIRE_VARINT:
      readVarint(c, end, plan, field);
      return;
    case WIRE_FIXED64:
      need(c, 8, end, plan, field);
      c.pos += 8;
      return;
    case WIRE_LEN:
      c.pos = readLength(c, end, plan, field);
      return;
    case WIRE_FIXED32:
      need(c, 4, end, plan, field);
      c.pos += 4;
      return;
    case WIRE_START_GROUP: {
      const open = [id];
      while (open.length > 0) {
        if (depth + open.length > MAX_DEPTH) throw malformed(at, plan, field, `groups nested deeper than ${MAX_DEPTH}`);
        const tagAt = c.pos;
        const tag = readTag(c, end, plan, field);
        if ((tag & 7) === WIRE_END_GROUP) {
          if (tag >>> 3 !== open[open.length - 1]) throw malformed(tagAt, plan, field, `end of group ${tag >>> 3} closes group ${open[open.length - 1]}`);
          open.pop();
        } else if ((tag & 7) === WIRE_START_GROUP) {
          open.push(tag >>> 3);
        } else {
          skipField(c, tag >>> 3, tag & 7, end, depth, plan, field);
        }
      }
      return;
    }
    case WIRE_END_GROUP:
      throw malformed(at, plan, field, `end of group ${id} without its start`);
    default:
      throw malformed(at, plan, field, `invalid wire type ${wireType} (field ${id})`);
  }
}

function readTag(c: Cursor, end: number, plan: MessagePlan, field: FieldPlan | null): number {
  const at = c.pos;
  const length = readVarint(c, end, plan, field);
  if (length > 5 || c.hi !== 0) throw malformed(at, plan, field, 'field tag does not fit 32 bits');
  if (c.lo >>> 3 === 0) throw malformed(at, plan, field, 'field number 0');
  return c.lo;
}

/** Reads a length and returns where the value it announces ends (the cursor is then at its start). */
function readLength(c: Cursor, end: number, plan: MessagePlan, field: FieldPlan | null): number {
  const at = c.pos;
  const length = readVarint(c, end, plan, field);
  if (length > 5 || c.hi !== 0) throw malformed(at, plan, field, 'length does not fit 32 bits');
  if (c.lo > end - c.pos) throw malformed(at, plan, field, `length ${c.lo} exceeds the ${end - c.pos} bytes left`);
  return c.pos + c.lo;
}

/** Reads a varint into c.lo / c.hi and returns its length in bytes. */
function readVarint(c: Cursor, end: number, plan: MessagePlan, field: FieldPlan | null): number {
  const b = c.bytes;
  const at = c.pos;
  let pos = at;
  let lo = 0;
  let hi = 0;
  let index = 0;
  let byte: number;
  do {
    if (pos >= end) throw malformed(at, plan, field, 'truncated varint');
    if (index === 10) throw malformed(at, plan, field, 'varint longer than 10 bytes');
    byte = b[pos++]!;
    if (index < 4) lo |= (byte & 0x7f) << (7 * index);
    else if (index === 4) {
      lo |= (byte & 0x0f) << 28;
      hi = (byte & 0x7f) >>> 4;
    } else hi |= (byte & 0x7f) << (7 * index - 32);
    index++;
  } while (byte & 0x80);
  c.pos = pos;
  c.lo = lo >>> 0;
  c.hi = hi >>> 0;
  return index;
}

function need(c: Cursor, count: number, end: number, plan: MessagePlan, field: FieldPlan | null): void {
  if (end - c.pos < count) throw malformed(c.pos, plan, field, `truncated: ${count} bytes expected, ${end - c.pos} left`);
}

function expectWireType(field: FieldPlan, actual: number, expected: number, at: number, plan: MessagePlan, part?: 'key' | 'value'): void {
  if (actual !== expected) throw malformed(at, plan, field, `${part ? `map ${part} has ` : ''}wire type ${actual}, expected ${expected}`);
}

/** Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), as the Unicode standard defines it. */
export function isUtf8(b: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
    } else if (c < 0xc2) {
      return false;
    } else if (c < 0xe0) {
      if (i + 1 >= end || (b[i + 1]! & 0xc0) !== 0x80) return false;
      i += 2;
    } else if (c < 0xf0) {
      if (i + 2 >= end) return false;
      const c1 = b[i + 1]!;
      if (c === 0xe0 ? c1 < 0xa0 || c1 > 0xbf : c === 0xed ? c1 < 0x80 || c1 > 0x9f : (c1 & 0xc0) !== 0x80) return false;
      if ((b[i + 2]! & 0xc0) !== 0x80) return false;
      i += 3;
    } else if (c < 0xf5) {
      if (i + 3 >= end) return false;
      const c1 = b[i + 1]!;
      if (c === 0xf0 ? c1 < 0x90 || c1 > 0xbf : c === 0xf4 ? c1 < 0x80 || c1 > 0x8f : (c1 & 0xc0) !== 0x80) return false;
      if ((b[i + 2]! & 0xc0) !== 0x80 || (b[i + 3]! & 0xc0) !== 0x80) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

/** Names where the problem is (`PushMessage.title`) only when there is one, so that the happy path builds no strings. */
function malformed(offset: number, plan: MessagePlan, field: FieldPlan | null, problem: string): ProtocolError {
  return new ProtocolError('MALFORMED_FRAME', `${plan.name}${field ? `.${field.name}` : ''}: ${problem} (at byte ${offset})`);
}
