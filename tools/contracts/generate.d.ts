/** Types of generate.js (a plain CommonJS script, so that it runs with `node` alone). */

/** Generated files keyed by path relative to the repository root (with / separators). */
export type GeneratedFiles = Record<string, string>;

export interface StaleFile {
  path: string;
  reason: 'missing' | 'differs' | 'obsolete';
}

/** Where the generated files go, relative to the repository root. */
export declare const OUTPUT_DIR: string;
/** The directory under the proto root whose .proto files are read. */
export declare const SOURCE_DIR: string;

/** Generates the contracts from `<protoRoot>/pushsync/**` (protoRoot defaults to `<repo>/proto`), without writing anything. */
export declare function generate(options?: { protoRoot?: string }): GeneratedFiles;
/** The generated files that are missing or differ under repoRoot, and the files in OUTPUT_DIR that are no longer generated. */
export declare function findStale(files: GeneratedFiles, repoRoot?: string): StaleFile[];
/** Writes what findStale reports (removing obsolete files) and returns it. */
export declare function write(files: GeneratedFiles, repoRoot?: string): StaleFile[];
