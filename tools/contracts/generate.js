'use strict';
/**
 * Generates TypeScript from the .proto files, one target per proto directory (TARGETS below):
 * - contracts: proto/pushsync/**\/*.proto -> libs/contracts/src/generated/ (messages, enums, services);
 * - protocol:  proto/comet/**\/*.proto    -> libs/protocol/src/generated/ (messages and enums of the
 *   device wire protocol, plus <package>.descriptor.ts: the protobufjs JSON descriptor of the package,
 *   so that the codec needs no .proto file at run time, e.g. in browsers).
 * Each target gets one file per proto package plus an index. proto/ is the single source: the
 * generated files are committed, and `--check` (npm run contracts:check, and the unit tests
 * libs/contracts/src/generated-contracts.spec.ts and libs/protocol/src/generated-protocol.spec.ts)
 * fails when they differ from what the protos produce.
 *
 *   node tools/contracts/generate.js           write the generated files of every target (and remove obsolete ones)
 *   node tools/contracts/generate.js --check   exit 1, listing the stale files, instead of writing
 *
 * The types describe messages as @grpc/proto-loader hands them over with the options the gRPC
 * adapter (libs/platform/src/links/grpc-links.adapter.ts) uses:
 * { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true }; the comet codec
 * (libs/protocol/src/codec.ts) decodes frames into the same shape.
 * - field names are protobufjs' lowerCamel names (the protos are parsed with keepCase: false, as proto-loader does);
 * - every integer type, 64-bit included, is `number`; floats are `number`; bytes are `Uint8Array`;
 * - enums are unions of their value names;
 * - repeated fields are arrays and maps are `Record<string, V>` (map keys always arrive as strings);
 * - defaults: true fills in every field outside a oneof, and an unset message field arrives as null,
 *   so singular message fields are `T | null`;
 * - members of a oneof and proto3 `optional` fields arrive only when set, so they are optional (`name?: T`).
 *   The virtual "which member is set" property that oneofs: true adds is not typed: the in-process
 *   adapter (structuredClone) does not add it, and the comet codec does not produce it, so code must
 *   not rely on it.
 * Only unary methods are supported (ServiceLinks has no streaming), targets without services refuse
 * them, and every referenced type must be declared under the target's proto directory (no well-known
 * google.protobuf types yet).
 */
const fs = require('node:fs');
const path = require('node:path');
const protobuf = require('protobufjs');

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * What is generated: sourceDir is under the proto root, outputDir relative to the repository root.
 * services: whether services are rendered (else a service is an error); descriptor: whether each
 * package also gets <package>.descriptor.ts with its protobufjs JSON descriptor.
 */
const TARGETS = Object.freeze([
  Object.freeze({ name: 'contracts', sourceDir: 'pushsync', outputDir: 'libs/contracts/src/generated', services: true, descriptor: false }),
  Object.freeze({ name: 'protocol', sourceDir: 'comet', outputDir: 'libs/protocol/src/generated', services: false, descriptor: true }),
]);
/** The contracts target's directories, as before targets existed. */
const SOURCE_DIR = TARGETS[0].sourceDir;
const OUTPUT_DIR = TARGETS[0].outputDir;

const SCALARS = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'number',
  uint64: 'number',
  sint64: 'number',
  fixed64: 'number',
  sfixed64: 'number',
  bool: 'boolean',
  string: 'string',
  bytes: 'Uint8Array',
};

/** Names the generated code refers to; a proto declaration must not shadow them. */
const RESERVED_NAMES = new Set(['Record', 'Promise', 'Uint8Array', 'ServiceDefinition', 'string', 'number', 'boolean', 'null', 'never']);

/**
 * Returns the generated files of one target (default: contracts) as
 * { 'libs/contracts/src/generated/<package>.ts': content }, keyed by path relative to the repository
 * root (with / separators), in a stable order.
 * @param {{ protoRoot?: string, target?: string }} [options] protoRoot defaults to <repo>/proto.
 */
function generate(options = {}) {
  const target = targetNamed(options.target ?? TARGETS[0].name);
  const protoRoot = path.resolve(options.protoRoot ?? path.join(REPO_ROOT, 'proto'));
  const protoFiles = listProtos(path.join(protoRoot, target.sourceDir))
    .map((file) => toPosix(path.relative(protoRoot, file)))
    .sort();
  if (protoFiles.length === 0) throw new Error(`no .proto files under ${path.join(protoRoot, target.sourceDir)}`);

  const root = new protobuf.Root();
  // Imports resolve against the proto root, as proto-loader's includeDirs does.
  const defaultResolvePath = root.resolvePath;
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) return target;
    const candidate = path.join(protoRoot, target);
    return fs.existsSync(candidate) ? candidate : defaultResolvePath.call(root, origin, target);
  };
  root.loadSync(
    protoFiles.map((file) => path.join(protoRoot, file)),
    { keepCase: false, alternateCommentMode: true },
  );
  root.resolveAll();

  const context = { target, protoRoot, generatedFiles: new Set(protoFiles.map((file) => path.join(protoRoot, file))) };

  /** package name -> { files: string[], sections: { file, objects }[] } */
  const packages = new Map();
  for (const file of protoFiles) {
    const source = fs.readFileSync(path.join(protoRoot, file), 'utf8');
    const packageName = protobuf.parse(source, { keepCase: false }).package;
    if (!packageName) throw new Error(`${file}: declares no package`);
    const namespace = root.lookup(packageName);
    const objects = (namespace ? namespace.nestedArray : []).filter((object) => object.filename === path.join(protoRoot, file));
    if (!packages.has(packageName)) packages.set(packageName, { files: [], sections: [] });
    packages.get(packageName).files.push(file);
    packages.get(packageName).sections.push({ file, objects });
  }

  checkNames(packages, target);

  const files = {};
  const packageNames = [...packages.keys()].sort();
  for (const packageName of packageNames) {
    files[`${target.outputDir}/${packageName}.ts`] = renderPackage(packageName, packages.get(packageName), context);
    if (target.descriptor) files[`${target.outputDir}/${packageName}.descriptor.ts`] = renderDescriptor(packageName, packages.get(packageName), root);
  }
  files[`${target.outputDir}/index.ts`] = renderIndex(packageNames, target);
  return files;
}

/** The files of every target, as generate returns them. */
function generateAll(options = {}) {
  return Object.assign({}, ...TARGETS.map((target) => generate({ ...options, target: target.name })));
}

function targetNamed(name) {
  const target = TARGETS.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`unknown target ${name} (targets: ${TARGETS.map((candidate) => candidate.name).join(', ')})`);
  return target;
}

/**
 * Stale files: generated files that are missing or differ on disk, and files that are no longer
 * generated in the output directory of each target that `files` has files of.
 */
function findStale(files, repoRoot = REPO_ROOT) {
  const stale = [];
  for (const [file, content] of Object.entries(files)) {
    const onDisk = path.join(repoRoot, file);
    if (!fs.existsSync(onDisk)) stale.push({ path: file, reason: 'missing' });
    else if (fs.readFileSync(onDisk, 'utf8') !== content) stale.push({ path: file, reason: 'differs' });
  }
  const covered = TARGETS.filter((target) => Object.keys(files).some((file) => file.startsWith(`${target.outputDir}/`)));
  for (const target of covered) {
    for (const file of listOutputDir(repoRoot, target.outputDir)) {
      if (!(file in files)) stale.push({ path: file, reason: 'obsolete' });
    }
  }
  return stale;
}

/** Writes the files that changed and removes obsolete ones; returns what it did. */
function write(files, repoRoot = REPO_ROOT) {
  const stale = findStale(files, repoRoot);
  for (const { path: file, reason } of stale) {
    const onDisk = path.join(repoRoot, file);
    if (reason === 'obsolete') fs.rmSync(onDisk);
    else {
      fs.mkdirSync(path.dirname(onDisk), { recursive: true });
      fs.writeFileSync(onDisk, files[file]);
    }
  }
  return stale;
}

// ---------------------------------------------------------------------------------------------
// Rendering

function renderPackage(packageName, { files, sections }, context) {
  const imports = new Map(); // module -> Set(names)
  const useType = (type, fromObject) => {
    if (!context.generatedFiles.has(type.filename)) {
      throw new Error(
        `${qualified(fromObject)} refers to ${qualified(type)}, declared outside proto/${context.target.sourceDir}/ (${type.filename ?? 'built in'}); ` +
          'the contracts generator does not map such types',
      );
    }
    const typePackage = packageOf(type);
    const name = tsName(type);
    if (typePackage !== packageName) addImport(imports, `./${typePackage}`, name);
    return name;
  };

  const blocks = [];
  for (const { file, objects } of sections) {
    const body = [];
    for (const object of objects) renderObject(object, body, useType, imports, file, context.target);
    if (files.length > 1 && body.length > 0) body[0] = `// ${protoPath(file)}\n\n${body[0]}`;
    blocks.push(...body);
  }

  const importLines = [...imports.keys()]
    .sort((a, b) => moduleRank(a) - moduleRank(b) || compare(a, b))
    .map((module) => `import type { ${[...imports.get(module)].sort(compare).join(', ')} } from '${module}';`);

  const header = [
    '// Generated by `npm run contracts:generate` (tools/contracts/generate.js) from:',
    ...files.map((file) => `//   ${protoPath(file)}`),
    `// Package ${packageName}. Do not edit: change the .proto files and re-run the generator.`,
  ].join('\n');

  return [header, ...(importLines.length > 0 ? [importLines.join('\n')] : []), ...blocks].join('\n\n') + '\n';
}

function renderObject(object, out, useType, imports, file, target) {
  if (object instanceof protobuf.Type) {
    out.push(renderMessage(object, useType));
    for (const nested of object.nestedArray) renderObject(nested, out, useType, imports, file, target);
  } else if (object instanceof protobuf.Enum) {
    out.push(renderEnum(object));
  } else if (object instanceof protobuf.Service) {
    if (!target.services) throw new Error(`${qualified(object)}: proto/${target.sourceDir}/ declares messages and enums only, no services`);
    out.push(...renderService(object, useType, imports, file));
  }
}

function renderMessage(type, useType) {
  const name = tsName(type);
  const fields = type.fieldsArray;
  if (fields.length === 0) return `${doc(type.comment, '')}export type ${name} = Record<string, never>;`;
  const lines = fields.map((field) => {
    if (field.declaringField || field.extend !== undefined) throw new Error(`${qualified(type)}.${field.name}: extensions are not supported`);
    const optional = field.partOf ? '?' : '';
    return `${doc(field.comment, '  ')}  ${field.name}${optional}: ${fieldType(field, type, useType)};`;
  });
  return `${doc(type.comment, '')}export interface ${name} {\n${lines.join('\n')}\n}`;
}

function fieldType(field, owner, useType) {
  const valueType = field.resolvedType ? useType(field.resolvedType, owner) : SCALARS[field.type];
  if (valueType === undefined) throw new Error(`${qualified(owner)}.${field.name}: unsupported type ${field.type}`);
  if (field.map) return `Record<string, ${valueType}>`;
  if (field.repeated) return `${valueType}[]`;
  // An unset message field arrives as null, unless it is a oneof member or proto3 `optional` (then it is absent).
  if (field.resolvedType instanceof protobuf.Type && !field.partOf) return `${valueType} | null`;
  return valueType;
}

function renderEnum(enumeration) {
  const name = tsName(enumeration);
  const values = Object.keys(enumeration.values).map(quote);
  const oneLine = `export type ${name} = ${values.join(' | ')};`;
  const body = oneLine.length <= 120 ? oneLine : `export type ${name} =\n${values.map((value) => `  | ${value}`).join('\n')};`;
  return `${doc(enumeration.comment, '')}${body}`;
}

function renderService(service, useType, imports, file) {
  const methods = service.methodsArray;
  if (methods.length === 0) throw new Error(`${qualified(service)}: declares no methods`);
  const lines = methods.map((method) => {
    if (method.requestStream || method.responseStream) {
      throw new Error(`${qualified(service)}.${method.name}: streaming methods are not supported (ServiceLinks calls are unary)`);
    }
    const request = useType(method.resolvedRequestType, service);
    const reply = useType(method.resolvedResponseType, service);
    return `${doc(method.comment, '  ')}  ${method.name}(request: ${request}): Promise<${reply}>;`;
  });
  addImport(imports, '@pushsync/platform', 'ServiceDefinition');
  const typeName = serviceTypeName(service);
  return [
    `${doc(service.comment, '')}export type ${typeName} = {\n${lines.join('\n')}\n};`,
    [
      `export const ${serviceConstantName(service)}: ServiceDefinition<${typeName}> = {`,
      `  name: ${quote(qualified(service))},`,
      `  protoFile: ${quote(file)},`,
      `  methods: [${methods.map((method) => quote(method.name)).join(', ')}],`,
      '};',
    ].join('\n'),
  ];
}

/**
 * <package>.descriptor.ts: the package's protobufjs JSON descriptor (Root#toJSON, without comments),
 * for protobufjs Root.fromJSON. It must be self-contained: the package may not refer to other packages.
 */
function renderDescriptor(packageName, { files }, root) {
  const namespace = root.lookup(packageName);
  let json = namespace.toJSON();
  for (const part of packageName.split('.').reverse()) json = { nested: { [part]: json } };
  try {
    protobuf.Root.fromJSON(json).resolveAll();
  } catch (error) {
    throw new Error(`${packageName}: its descriptor is not self-contained (${error.message}); refer to no other package`);
  }
  return [
    [
      '// Generated by `npm run contracts:generate` (tools/contracts/generate.js) from:',
      ...files.map((file) => `//   ${protoPath(file)}`),
      `// The protobufjs JSON descriptor (Root#toJSON) of package ${packageName}, for Root.fromJSON: no .proto file is`,
      '// needed at run time. Do not edit: change the .proto files and re-run the generator.',
    ].join('\n'),
    "import type { INamespace } from 'protobufjs/light';",
    // Asserted, not annotated: INamespace's field type does not declare the keyType of map fields.
    `export const ${descriptorConstantName(packageName)} = ${JSON.stringify(json, null, 2)} as INamespace;`,
  ].join('\n\n') + '\n';
}

function renderIndex(packageNames, target) {
  return [
    `// Generated by \`npm run contracts:generate\` (tools/contracts/generate.js) from proto/${target.sourceDir}/. Do not edit.`,
    packageNames.map((packageName) => `export * from './${packageName}';`).join('\n'),
  ].join('\n\n') + '\n';
}

function doc(comment, indent) {
  if (!comment) return '';
  const lines = comment
    .split(/\r?\n/)
    .map((line) => line.replace(/\*\//g, '*\\/').trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  while (lines.length > 0 && lines[0] === '') lines.shift();
  if (lines.length === 0) return '';
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((line) => (line ? `${indent} * ${line}` : `${indent} *`)).join('\n')}\n${indent} */\n`;
}

// ---------------------------------------------------------------------------------------------
// Names

/** TypeScript name of a message or enum: its path inside the package, e.g. `Outer_Inner`. */
function tsName(object) {
  const parts = [];
  for (let node = object; node && !isPackage(node); node = node.parent) parts.unshift(node.name);
  return parts.join('_');
}

function serviceTypeName(service) {
  return `${service.name}Service`;
}

/** comet.v1 -> COMET_V1_DESCRIPTOR. */
function descriptorConstantName(packageName) {
  return `${packageName.replace(/\./g, '_').toUpperCase()}_DESCRIPTOR`;
}

/** SyncCore -> SYNC_CORE, HTTPGateway -> HTTP_GATEWAY. */
function serviceConstantName(service) {
  return service.name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

function isPackage(node) {
  return !(node instanceof protobuf.Type) && !(node instanceof protobuf.Enum) && !(node instanceof protobuf.Service);
}

function packageOf(object) {
  let node = object.parent;
  while (!isPackage(node)) node = node.parent;
  return node.fullName.replace(/^\./, '');
}

function qualified(object) {
  return object.fullName.replace(/^\./, '');
}

/** Every exported name must be unique across packages (index.ts re-exports them all) and must not shadow a name the code uses. */
function checkNames(packages, target) {
  const owners = new Map();
  const claim = (name, owner) => {
    if (RESERVED_NAMES.has(name)) throw new Error(`${owner}: generated name ${name} would shadow a name the generated code uses`);
    if (owners.has(name)) throw new Error(`generated name ${name} is declared by both ${owners.get(name)} and ${owner}`);
    owners.set(name, owner);
  };
  const visit = (object) => {
    if (object instanceof protobuf.Type || object instanceof protobuf.Enum) claim(tsName(object), qualified(object));
    if (object instanceof protobuf.Service) {
      claim(serviceTypeName(object), qualified(object));
      claim(serviceConstantName(object), qualified(object));
    }
    if (object instanceof protobuf.Type) object.nestedArray.forEach(visit);
  };
  for (const [packageName, { sections }] of packages) {
    // Not re-exported by the index, but it shares the module namespace of the package's consumers.
    if (target.descriptor) claim(descriptorConstantName(packageName), `the descriptor of ${packageName}`);
    for (const { objects } of sections) objects.forEach(visit);
  }
}

// ---------------------------------------------------------------------------------------------
// Files

function listProtos(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listProtos(full);
    return entry.isFile() && entry.name.endsWith('.proto') ? [full] : [];
  });
}

function listOutputDir(repoRoot, outputDir) {
  const dir = path.join(repoRoot, outputDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${outputDir}/${entry.name}`)
    .sort(compare);
}

function addImport(imports, module, name) {
  if (!imports.has(module)) imports.set(module, new Set());
  imports.get(module).add(name);
}

function moduleRank(module) {
  return module.startsWith('.') ? 1 : 0;
}

function protoPath(file) {
  return `proto/${file}`;
}

function toPosix(file) {
  return file.split(path.sep).join('/');
}

function quote(text) {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Locale-independent ordering, so output does not depend on the machine. */
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Command line

function main(args) {
  const check = args.includes('--check');
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: node tools/contracts/generate.js [--check] (unknown: ${unknown.join(' ')})`);
    return 2;
  }
  let exitCode = 0;
  for (const target of TARGETS) {
    let files;
    try {
      files = generate({ target: target.name });
    } catch (error) {
      console.error(`${target.name}: ${error.message}`);
      exitCode = 1;
      continue;
    }
    if (check) {
      const stale = findStale(files);
      if (stale.length === 0) {
        console.log(`${target.name}: ${target.outputDir} is up to date`);
        continue;
      }
      console.error(`${target.name}: ${target.outputDir} is stale; run \`npm run contracts:generate\` and commit the result:`);
      for (const { path: file, reason } of stale) console.error(`  ${file} (${reason})`);
      exitCode = 1;
      continue;
    }
    const changed = write(files);
    if (changed.length === 0) console.log(`${target.name}: ${target.outputDir} is up to date`);
    for (const { path: file, reason } of changed) console.log(`${target.name}: ${reason === 'obsolete' ? 'removed' : 'wrote'} ${file}`);
  }
  return exitCode;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

module.exports = { generate, generateAll, findStale, write, TARGETS, OUTPUT_DIR, SOURCE_DIR };
