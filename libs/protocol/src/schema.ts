import { Enum, MapField, Root, Type } from 'protobufjs/light';
import { COMET_V1_DESCRIPTOR } from './generated/comet.v1.descriptor';

/**
 * The comet.v1 reflection, built from the generated JSON descriptor (no .proto file at run time), and
 * per-message "plans": what the wire checker and the encoder need to know about each field, computed once.
 */

export type ScalarKind =
  | 'double'
  | 'float'
  | 'int32'
  | 'uint32'
  | 'sint32'
  | 'fixed32'
  | 'sfixed32'
  | 'int64'
  | 'uint64'
  | 'sint64'
  | 'fixed64'
  | 'sfixed64'
  | 'bool'
  | 'string'
  | 'bytes';

export type ValueKind = ScalarKind | 'enum' | 'message';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

const WIRE_TYPES: Record<ScalarKind, number> = {
  double: WIRE_FIXED64,
  float: WIRE_FIXED32,
  int32: WIRE_VARINT,
  uint32: WIRE_VARINT,
  sint32: WIRE_VARINT,
  fixed32: WIRE_FIXED32,
  sfixed32: WIRE_FIXED32,
  int64: WIRE_VARINT,
  uint64: WIRE_VARINT,
  sint64: WIRE_VARINT,
  fixed64: WIRE_FIXED64,
  sfixed64: WIRE_FIXED64,
  bool: WIRE_VARINT,
  string: WIRE_LEN,
  bytes: WIRE_LEN,
};

export interface EnumPlan {
  readonly name: string;
  readonly nameToNumber: ReadonlyMap<string, number>;
  readonly numberToName: ReadonlyMap<number, string>;
  /** The name of value 0, which proto3 requires: what an unknown value (from a newer peer) decodes to. */
  readonly zeroName: string;
}

export interface FieldPlan {
  readonly name: string;
  readonly id: number;
  /** Kind of the value (of each element of a repeated field, of each value of a map). */
  readonly kind: ValueKind;
  /** Wire type of one value. */
  readonly wireType: number;
  readonly repeated: boolean;
  /** A repeated scalar that may arrive packed. */
  readonly packable: boolean;
  /** Key kind of a map field; null when not a map. */
  readonly mapKey: ScalarKind | null;
  readonly enumPlan: EnumPlan | null;
  /** Filled in once every message plan exists (types may refer to each other). */
  message: MessagePlan | null;
  /** Index into MessagePlan.oneofs, or -1. */
  readonly oneofIndex: number;
}

export interface MessagePlan {
  readonly type: Type;
  /** Short name used in error messages, e.g. `PushMessage`. */
  readonly name: string;
  readonly fields: readonly FieldPlan[];
  readonly byId: ReadonlyMap<number, FieldPlan>;
  readonly byName: ReadonlyMap<string, FieldPlan>;
  /** Oneof names, in declaration order. */
  readonly oneofs: readonly string[];
}

export const ROOT: Root = Root.fromJSON(COMET_V1_DESCRIPTOR);
ROOT.resolveAll();
export const FRAME_TYPE: Type = ROOT.lookupType('comet.v1.Frame');

const plans = new Map<Type, MessagePlan>();
const enumPlans = new Map<Enum, EnumPlan>();

/** The plan of a message type of comet.v1 (built once). */
export function planOf(type: Type): MessagePlan {
  const existing = plans.get(type);
  if (existing) return existing;
  const oneofs = type.oneofsArray.map((oneof) => oneof.name);
  const fields = type.fieldsArray.map((field): FieldPlan => {
    const resolved = field.resolve().resolvedType;
    const mapKey = field instanceof MapField ? scalarKind(field.keyType, type, field.name) : null;
    if (mapKey !== null && mapKey !== 'string' && mapKey !== 'int32' && mapKey !== 'uint32' && mapKey !== 'sint32' && mapKey !== 'fixed32' && mapKey !== 'sfixed32') {
      // protobufjs hands 64-bit map keys over as 8-character hashes and mishandles bool keys on encoding.
      throw new Error(`${type.fullName}.${field.name}: map keys of type ${mapKey} are not supported (string or 32-bit integers only)`);
    }
    const kind: ValueKind = resolved instanceof Type ? 'message' : resolved instanceof Enum ? 'enum' : scalarKind(field.type, type, field.name);
    const wireType = kind === 'message' ? WIRE_LEN : kind === 'enum' ? WIRE_VARINT : WIRE_TYPES[kind];
    return {
      name: field.name,
      id: field.id,
      kind,
      wireType,
      repeated: field.repeated && mapKey === null,
      packable: field.repeated && mapKey === null && wireType !== WIRE_LEN,
      mapKey,
      enumPlan: resolved instanceof Enum ? enumPlanOf(resolved) : null,
      message: null,
      oneofIndex: field.partOf ? oneofs.indexOf(field.partOf.name) : -1,
    };
  });
  const plan: MessagePlan = {
    type,
    name: type.name,
    fields,
    byId: new Map(fields.map((field) => [field.id, field])),
    byName: new Map(fields.map((field) => [field.name, field])),
    oneofs,
  };
  plans.set(type, plan);
  for (const field of fields) {
    if (field.kind === 'message') field.message = planOf(type.fields[field.name]!.resolvedType as Type);
  }
  return plan;
}

function enumPlanOf(enumeration: Enum): EnumPlan {
  const existing = enumPlans.get(enumeration);
  if (existing) return existing;
  const entries = Object.entries(enumeration.values);
  const zero = entries.find(([, value]) => value === 0);
  if (!zero) throw new Error(`${enumeration.fullName}: has no value 0`);
  const plan: EnumPlan = {
    name: enumeration.name,
    nameToNumber: new Map(entries),
    // With aliases (allow_alias) the last name of a value wins, as in protobufjs' valuesById.
    numberToName: new Map(entries.map(([name, value]) => [value, name])),
    zeroName: zero[0],
  };
  enumPlans.set(enumeration, plan);
  return plan;
}

function scalarKind(name: string, owner: Type, field: string): ScalarKind {
  if (!(name in WIRE_TYPES)) throw new Error(`${owner.fullName}.${field}: unsupported type ${name}`);
  return name as ScalarKind;
}

export const FRAME_PLAN: MessagePlan = planOf(FRAME_TYPE);
