import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as protobuf from 'protobufjs';
// The generator is a repository script (tools/ is no Nx project), so no alias exists for it.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { readDeclaredTypes, type DeclaredTypes } from '../../../tools/contracts/declared-types';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { findStale, generate, generateAll, TARGETS } from '../../../tools/contracts/generate';
import { createFrame, decodeFrame, encodeFrame, FRAME_BODY_KINDS } from './codec';
import { COMET_V1_DESCRIPTOR } from './generated/comet.v1.descriptor';
import { SAMPLE_FRAMES } from './testing/sample-frames';

const REPO_ROOT = resolve(__dirname, '../../..');
const PROTO_ROOT = join(REPO_ROOT, 'proto');
const TARGET = TARGETS.find((target) => target.name === 'protocol')!;
const COMET_PROTO = 'comet/v1/comet.proto';

describe('generated protocol types and descriptor (on failure: npm run contracts:generate, and commit the result)', () => {
  const fresh = generate({ target: 'protocol' });

  it('generates the types, the descriptor and an index for comet.v1', () => {
    expect(TARGET).toMatchObject({ sourceDir: 'comet', outputDir: 'libs/protocol/src/generated', services: false, descriptor: true });
    expect(Object.keys(fresh).sort()).toEqual(['comet.v1.descriptor.ts', 'comet.v1.ts', 'index.ts'].map((file) => `${TARGET.outputDir}/${file}`));
  });

  it.each(Object.entries(fresh))('%s is what proto/comet generates', (file, content) => {
    const onDisk = join(REPO_ROOT, file);
    expect(existsSync(onDisk) ? readFileSync(onDisk, 'utf8') : '<missing>').toBe(content);
  });

  it('has no stale or obsolete file, in either target', () => {
    expect(findStale(fresh)).toEqual([]);
    const all = generateAll();
    expect(Object.keys(all)).toEqual(expect.arrayContaining([...Object.keys(fresh), ...Object.keys(generate())]));
    expect(findStale(all)).toEqual([]);
  });

  it('generates the same bytes every time', () => {
    expect(generate({ target: 'protocol' })).toEqual(fresh);
  });

  it('exports the descriptor protobufjs builds from comet.proto', () => {
    const root = protobuf.loadSync(join(PROTO_ROOT, COMET_PROTO));
    expect(COMET_V1_DESCRIPTOR).toEqual({ nested: { comet: { nested: { v1: root.lookup('comet.v1')!.toJSON() } } } });
  });

  describe('reports drift when proto/comet changes', () => {
    const withProto = (edit: (source: string) => string): Set<string> => {
      const protoRoot = mkdtempSync(join(tmpdir(), 'pushsync-protocol-'));
      try {
        cpSync(join(PROTO_ROOT, TARGET.sourceDir), join(protoRoot, TARGET.sourceDir), { recursive: true });
        const proto = join(protoRoot, COMET_PROTO);
        writeFileSync(proto, edit(readFileSync(proto, 'utf8')));
        const stale = findStale(generate({ protoRoot, target: 'protocol' }));
        expect(stale.every((file) => file.reason === 'differs')).toBe(true);
        return new Set(stale.map((file) => file.path.slice(TARGET.outputDir.length + 1)));
      } finally {
        rmSync(protoRoot, { recursive: true, force: true });
      }
    };

    it('in the types and the descriptor when a field is added', () => {
      const stale = withProto((source) => source.replace('message Ping {\n  uint64 client_time_ms = 1;', 'message Ping {\n  uint64 client_time_ms = 1;\n  string note = 2;'));
      expect(stale).toEqual(new Set(['comet.v1.ts', 'comet.v1.descriptor.ts']));
    });

    it('in the descriptor alone when only a field number changes (the wire changes, the types do not)', () => {
      const stale = withProto((source) => source.replace('string title = 3;', 'string title = 30;'));
      expect(stale).toEqual(new Set(['comet.v1.descriptor.ts']));
    });

    it('refuses a service under proto/comet', () => {
      const protoRoot = mkdtempSync(join(tmpdir(), 'pushsync-protocol-'));
      try {
        cpSync(join(PROTO_ROOT, TARGET.sourceDir), join(protoRoot, TARGET.sourceDir), { recursive: true });
        const proto = join(protoRoot, COMET_PROTO);
        writeFileSync(proto, `${readFileSync(proto, 'utf8')}\nservice Comet {\n  rpc Send(Frame) returns (Frame);\n}\n`);
        expect(() => generate({ protoRoot, target: 'protocol' })).toThrow(/comet\.v1\.Comet: proto\/comet\/ declares messages and enums only/);
      } finally {
        rmSync(protoRoot, { recursive: true, force: true });
      }
    });
  });
});

describe('generated protocol types against what decodeFrame returns', () => {
  const declared = readDeclared(readdirSync(join(REPO_ROOT, TARGET.outputDir)).filter((name) => !name.endsWith('.descriptor.ts')));

  it('declare as optional exactly the members of oneof Frame.body', () => {
    const frame = declared.messages.get('Frame')!;
    expect([...frame].filter(([, member]) => member.optional).map(([name]) => name)).toEqual([...FRAME_BODY_KINDS]);
    expect(frame.get('seq')).toEqual({ optional: false, type: 'number' });
  });

  it.each(FRAME_BODY_KINDS)('describe a decoded %s frame, with defaults and with content', (kind) => {
    for (const frame of [createFrame(kind), SAMPLE_FRAMES[kind]]) {
      expect(problems('Frame', decodeFrame(encodeFrame(frame)), declared, 'frame')).toEqual([]);
    }
  });

  it('would notice a decoded frame that does not match them', () => {
    const decoded = decodeFrame(encodeFrame(SAMPLE_FRAMES.handshake)) as unknown as { handshake: Record<string, unknown> };
    decoded.handshake['platform'] = 1;
    decoded.handshake['extra'] = true;
    delete decoded.handshake['appId'];
    expect(problems('Frame', decoded, declared, 'frame')).toEqual([
      'frame.handshake: appId is missing',
      'frame.handshake.platform: 1 is not a Platform',
      'frame.handshake: extra is not declared',
    ]);
  });
});

function readDeclared(files: string[]): DeclaredTypes {
  return readDeclaredTypes(files.map((file) => join(REPO_ROOT, TARGET.outputDir, file)));
}

/** Where `value` departs from the declared message `name`: missing required members, undeclared ones, values of the wrong kind. */
function problems(name: string, value: unknown, declared: DeclaredTypes, path: string): string[] {
  const members = declared.messages.get(name);
  if (!members) return [`${path}: ${name} is not a declared message`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: not an object`];
  const record = value as Record<string, unknown>;
  const found: string[] = [];
  for (const [member, { optional, type }] of members) {
    if (!(member in record)) {
      if (!optional) found.push(`${path}: ${member} is missing`);
    } else found.push(...valueProblems(type, record[member], declared, `${path}.${member}`));
  }
  for (const key of Object.keys(record)) if (!members.has(key)) found.push(`${path}: ${key} is not declared`);
  return found;
}

function valueProblems(type: string, value: unknown, declared: DeclaredTypes, path: string): string[] {
  if (type.endsWith(' | null')) return value === null ? [] : valueProblems(type.slice(0, -' | null'.length), value, declared, path);
  if (type.endsWith('[]')) {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    return value.flatMap((element, i) => valueProblems(type.slice(0, -2), element, declared, `${path}[${i}]`));
  }
  const map = /^Record<string, (.+)>$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: not a map`];
    return Object.entries(value).flatMap(([key, element]) => valueProblems(map[1]!, element, declared, `${path}[${JSON.stringify(key)}]`));
  }
  if (declared.messages.has(type)) return problems(type, value, declared, path);
  if (declared.enums.has(type)) return typeof value === 'string' && declared.enums.get(type)!.includes(value) ? [] : [`${path}: ${String(value)} is not a ${type}`];
  if (type === 'Uint8Array') return value instanceof Uint8Array ? [] : [`${path}: not a Uint8Array`];
  return typeof value === type ? [] : [`${path}: ${typeof value}, declared ${type}`];
}
