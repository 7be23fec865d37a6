/** Types of generate.js (a plain CommonJS script, so that it runs with `node` alone). */

/** Generated files keyed by path relative to the repository root (with / separators). */
export type GeneratedFiles = Record<string, string>;

export interface StaleFile {
  path: string;
  reason: 'missing' | 'differs' | 'obsolete';
}

export type TargetName = 'contracts' | 'protocol';

/** One generator target: the .proto files under <protoRoot>/<sourceDir> become TypeScript in <repo>/<outputDir>. */
export interface Target {
  name: TargetName;
  /** Under the proto root, e.g. 'pushsync'. */
  sourceDir: string;
  /** Relative to the repository root, e.g. 'libs/contracts/src/generated'. */
  outputDir: string;
  /** Whether services are rendered (ServiceDefinition constants); when false a service is an error. */
  services: boolean;
  /** Whether each package also gets <package>.descriptor.ts exporting its protobufjs JSON descriptor. */
  descriptor: boolean;
}

/** contracts (proto/pushsync -> libs/contracts/src/generated) and protocol (proto/comet -> libs/protocol/src/generated). */
export declare const TARGETS: readonly Target[];
/** Where the contracts target's files go, relative to the repository root. */
export declare const OUTPUT_DIR: string;
/** The directory under the proto root whose .proto files the contracts target reads. */
export declare const SOURCE_DIR: string;

/**
 * Generates one target (default: contracts) from `<protoRoot>/<target.sourceDir>/**` (protoRoot defaults
 * to `<repo>/proto`), without writing anything.
 */
export declare function generate(options?: { protoRoot?: string; target?: TargetName }): GeneratedFiles;
/** The files of every target. */
export declare function generateAll(options?: { protoRoot?: string }): GeneratedFiles;
/**
 * The generated files that are missing or differ under repoRoot, and the files no longer generated in
 * the output directory of each target that `files` has files of.
 */
export declare function findStale(files: GeneratedFiles, repoRoot?: string): StaleFile[];
/** Writes what findStale reports (removing obsolete files) and returns it. */
export declare function write(files: GeneratedFiles, repoRoot?: string): StaleFile[];
