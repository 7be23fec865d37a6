import * as protoLoader from '@grpc/proto-loader';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileDescriptorProto, type IDescriptorProto, type IEnumDescriptorProto, type IFileDescriptorProto } from 'protobufjs/ext/descriptor';
// The generator is a repository script (tools/ is no Nx project), so no alias exists for it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { readDeclaredTypes, type DeclaredTypes } from '../../../tools/contracts/declared-types';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { findStale, generate, OUTPUT_DIR, SOURCE_DIR } from '../../../tools/contracts/generate';
import * as contracts from './generated';

const REPO_ROOT = resolve(__dirname, '../../..');
const PROTO_ROOT = join(REPO_ROOT, 'proto');
/** The options of libs/platform/src/links/grpc-links.adapter.ts: the generated types must describe what it hands over. */
const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_ROOT] };

type Definition = { name: string; protoFile: string; methods: readonly string[] };

describe('generated contracts (on failure: npm run contracts:generate, and commit the result)', () => {
  const fresh = generate();

  it.each(Object.entries(fresh))('%s is what proto/ generates', (file, content) => {
    const onDisk = join(REPO_ROOT, file);
    expect(existsSync(onDisk) ? readFileSync(onDisk, 'utf8') : '<missing>').toBe(content);
  });

  it('has no stale or obsolete file', () => {
    expect(findStale(fresh)).toEqual([]);
  });

  it('generates the same bytes every time', () => {
    expect(generate()).toEqual(fresh);
  });

  it('reports drift when a proto changes', () => {
    const protoRoot = mkdtempSync(join(tmpdir(), 'pushsync-contracts-'));
    try {
      cpSync(join(PROTO_ROOT, SOURCE_DIR), join(protoRoot, SOURCE_DIR), { recursive: true });
      const proto = join(protoRoot, protoFiles()[0]!);
      writeFileSync(proto, `${readFileSync(proto, 'utf8')}\nmessage DriftProbe {\n  string note = 1;\n}\n`);
      expect(findStale(generate({ protoRoot })).map((stale) => stale.reason)).toContain('differs');
    } finally {
      rmSync(protoRoot, { recursive: true, force: true });
    }
  });
});

describe('generated contracts against @grpc/proto-loader', () => {
  const declared = readDeclaredTypes(committedFiles().map((file) => join(REPO_ROOT, file)));
  const definitions = Object.entries(contracts as Record<string, unknown>).filter((entry): entry is [string, Definition] => isDefinition(entry[1]));

  it('declare a ServiceDefinition for every service under proto/pushsync', () => {
    const services = protoFiles().flatMap((file) =>
      Object.entries(protoLoader.loadSync(join(PROTO_ROOT, file), LOADER_OPTIONS))
        .filter(([, value]) => !('format' in value))
        .map(([name]) => name),
    );
    expect(definitions.map(([, definition]) => definition.name).sort()).toEqual([...new Set(services)].sort());
  });

  describe.each(definitions)('%s', (constant, definition) => {
    const loaded = protoLoader.loadSync(join(PROTO_ROOT, definition.protoFile), LOADER_OPTIONS)[definition.name] as protoLoader.ServiceDefinition | undefined;
    const serviceType = declared.definitions.get(constant);

    it('names a service of its proto file, with its methods', () => {
      expect(loaded).toBeDefined();
      expect(definition.methods).toEqual(Object.keys(loaded!));
      expect(serviceType).toBeDefined();
      expect([...declared.services.get(serviceType!)!.keys()]).toEqual(Object.keys(loaded!));
    });

    it('types each request and reply as proto-loader decodes them', () => {
      for (const [method, { request, reply }] of declared.services.get(serviceType!)!) {
        const call = loaded![method]!;
        const loadedRequest = loadedShape(call.requestType, call.requestDeserialize);
        expect(shapeOf(request, declared, loadedRequest.message)).toEqual(loadedRequest);
        const loadedReply = loadedShape(call.responseType, call.responseDeserialize);
        expect(shapeOf(reply, declared, loadedReply.message)).toEqual(loadedReply);
      }
    });
  });
});

function committedFiles(): string[] {
  return readdirSync(join(REPO_ROOT, OUTPUT_DIR)).map((name) => `${OUTPUT_DIR}/${name}`);
}

function protoFiles(): string[] {
  return (readdirSync(join(PROTO_ROOT, SOURCE_DIR), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.proto'))
    .map((file) => join(SOURCE_DIR, file))
    .sort();
}

function isDefinition(value: unknown): value is Definition {
  return typeof value === 'object' && value !== null && 'name' in value && 'protoFile' in value && 'methods' in value;
}

type Shape = { message: string; fields: Record<string, string> };

/**
 * A message as the generated contract declares it: each field with its kind, `?` when optional.
 * Kinds: string, number, boolean, bytes, enum <values>, array, map, message (`message | null` when it arrives as null if unset).
 */
function shapeOf(name: string, declared: DeclaredTypes, loadedName: string): Shape {
  const members = declared.messages.get(name);
  if (!members) return { message: name, fields: { '<not a generated message>': name } };
  const fields: Record<string, string> = {};
  for (const [field, { optional, type }] of members) {
    let kind: string;
    if (type.endsWith('[]')) kind = 'array';
    else if (type.startsWith('Record<string, ')) kind = 'map';
    else if (type.endsWith(' | null') && declared.messages.has(type.slice(0, -' | null'.length))) kind = 'message | null';
    else if (declared.messages.has(type)) kind = 'message';
    else if (declared.enums.has(type)) kind = `enum ${declared.enums.get(type)!.join('|')}`;
    else if (type === 'Uint8Array') kind = 'bytes';
    else kind = type;
    fields[field] = optional ? `${kind}?` : kind;
  }
  // Nested messages are named Outer_Inner; proto-loader's descriptor carries the inner name only.
  return { message: name === loadedName || name.endsWith(`_${loadedName}`) ? loadedName : name, fields };
}

interface FieldDescriptor {
  name: string;
  type: string;
  typeName: string;
}

/**
 * The same, from proto-loader: field names from its descriptor, kinds from decoding an empty message
 * (defaults: true fills in every field outside a oneof; oneof members and proto3 `optional` fields stay absent).
 */
function loadedShape(type: protoLoader.MessageTypeDefinition<object, object>, deserialize: (bytes: Buffer) => unknown): Shape {
  const descriptor = type.type as { name: string; field: FieldDescriptor[] };
  const enums = enumsOf(type);
  const decoded = deserialize(Buffer.alloc(0)) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const field of descriptor.field) {
    const values = field.type === 'TYPE_ENUM' ? enumValues(enums, field.typeName) : [];
    if (!(field.name in decoded)) {
      fields[field.name] = `${kindOfAbsent(field, values)}?`;
      continue;
    }
    const value = decoded[field.name];
    if (Array.isArray(value)) fields[field.name] = 'array';
    else if (value === null) fields[field.name] = 'message | null';
    else if (value instanceof Uint8Array) fields[field.name] = 'bytes';
    else if (typeof value === 'object') fields[field.name] = 'map';
    else if (field.type === 'TYPE_ENUM' && typeof value === 'string' && values.includes(value)) fields[field.name] = `enum ${values.join('|')}`;
    else fields[field.name] = typeof value;
  }
  return { message: descriptor.name, fields };
}

/** Kind of a field that is absent when unset, from its descriptor. */
function kindOfAbsent(field: FieldDescriptor, enumValueNames: string[]): string {
  switch (field.type) {
    case 'TYPE_STRING':
      return 'string';
    case 'TYPE_BOOL':
      return 'boolean';
    case 'TYPE_BYTES':
      return 'bytes';
    case 'TYPE_MESSAGE':
    case 'TYPE_GROUP':
      return 'message';
    case 'TYPE_ENUM':
      return `enum ${enumValueNames.join('|')}`;
    default:
      return 'number';
  }
}

/** Enum value names by qualified enum name, from the file descriptors proto-loader attaches to a message type. */
function enumsOf(type: protoLoader.MessageTypeDefinition<object, object>): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  const addEnums = (scope: string, list: IEnumDescriptorProto[] = []) => {
    for (const enumeration of list) enums.set(`${scope}.${enumeration.name}`, (enumeration.value ?? []).map((value) => value.name!));
  };
  const addMessages = (scope: string, list: IDescriptorProto[] = []) => {
    for (const message of list) {
      addEnums(`${scope}.${message.name}`, message.enumType);
      addMessages(`${scope}.${message.name}`, message.nestedType);
    }
  };
  for (const bytes of type.fileDescriptorProtos) {
    const file = FileDescriptorProto.decode(bytes) as unknown as IFileDescriptorProto;
    const scope = file.package ? `.${file.package}` : '';
    addEnums(scope, file.enumType);
    addMessages(scope, file.messageType);
  }
  return enums;
}

/** Value names of the enum a field refers to; descriptor type names are scope-relative, so match them as a suffix of the qualified names. */
function enumValues(enums: Map<string, string[]>, typeName: string): string[] {
  const suffix = `.${typeName.replace(/^\./, '')}`;
  const matches = [...enums.entries()].filter(([name]) => name.endsWith(suffix));
  return matches.length === 1 ? matches[0]![1] : [`<${matches.length} enums named ${typeName}>`];
}

