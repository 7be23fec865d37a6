import type { JsonValue } from '@pushsync/platform';
import { invalidParam } from '../push-codes';

/** `strict`: the REST v1 JSON body; `lenient`: the mPaaS OpenAPI RPC face (DECISIONS D2). */
export type RequestMode = 'strict' | 'lenient';

/** The parameters one object of a request may carry: canonical names, plus the other spellings strict mode accepts. */
export interface ParameterNames {
  names: readonly string[];
  /** spelling -> canonical name. */
  strictAliases: Readonly<Record<string, string>>;
}

const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/** A JSON object as a face decoded it; request parameters hold only JSON-decoded values. */
export type JsonObject = Record<string, JsonValue>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The parameters of one request object under their canonical names, read by type the way the
 * face's mode wants: strict takes JSON types as they are, lenient also takes numbers as decimal
 * strings and JSON values as JSON strings. `null` is absent in both modes; lenient also reads an
 * empty string as absent (the RPC SDKs send unset parameters that way).
 *
 * Resolving never throws, so the caller decides when a misnamed parameter is reported
 * (`assertWellNamed`); reads throw 3028 INVALID_PARAM for a value of the wrong type.
 */
export class RequestParameters {
  private constructor(
    public readonly mode: RequestMode,
    private readonly values: ReadonlyMap<string, unknown>,
    private readonly spellings: ReadonlyMap<string, string[]>,
    private readonly unknownNames: readonly string[],
    private readonly path: string,
  ) {}

  /** Strict mode knows the exact canonical names and aliases; lenient matches names case-insensitively and ignores the rest. */
  public static resolve(raw: Record<string, unknown>, known: ParameterNames, mode: RequestMode, path = ''): RequestParameters {
    const canonicalOf = new Map<string, string>();
    const spellingKey = (name: string) => (mode === 'strict' ? name : name.toLowerCase());
    for (const name of known.names) canonicalOf.set(spellingKey(name), name);
    for (const [alias, name] of Object.entries(known.strictAliases)) canonicalOf.set(spellingKey(alias), name);

    const values = new Map<string, unknown>();
    const spellings = new Map<string, string[]>();
    const unknownNames: string[] = [];
    for (const [given, value] of Object.entries(raw)) {
      const name = canonicalOf.get(spellingKey(given));
      if (name === undefined) {
        unknownNames.push(given);
        continue;
      }
      const seen = spellings.get(name);
      if (seen === undefined) {
        spellings.set(name, [given]);
        values.set(name, value);
      } else {
        seen.push(given);
      }
    }
    return new RequestParameters(mode, values, spellings, unknownNames, path);
  }

  /** The name of a parameter in messages, with the path of the object it belongs to. */
  public label(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }

  /** Strict: no unknown parameter. Both modes: no parameter given under two spellings. */
  public assertWellNamed(): void {
    if (this.mode === 'strict' && this.unknownNames.length > 0) throw invalidParam(`${this.label(this.unknownNames[0])}: unknown parameter`);
    for (const [name, given] of this.spellings) {
      if (given.length > 1) throw invalidParam(`${this.label(name)}: given more than once (as ${given.join(', ')})`);
    }
  }

  public has(name: string): boolean {
    return this.present(name) !== undefined;
  }

  public text(name: string): string | undefined {
    const value = this.present(name);
    if (value === undefined || typeof value === 'string') return value;
    if (this.mode === 'lenient' && typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw invalidParam(`${this.label(name)}: must be a ${this.mode === 'strict' ? 'JSON string' : 'string'}`);
  }

  /** A number as given; lenient reads a string that is not a decimal number as NaN, which every value rule refuses with its own code. */
  public number(name: string): number | undefined {
    const value = this.present(name);
    if (value === undefined || typeof value === 'number') return value;
    if (this.mode === 'lenient' && typeof value === 'string') return DECIMAL.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    throw invalidParam(`${this.label(name)}: must be a ${this.mode === 'strict' ? 'JSON number' : 'number'}`);
  }

  /**
   * A JSON object given as an object or as a string holding one; an empty string is absent.
   * `objectOnly` parameters (declared JSONObject) take the string form in lenient mode only.
   */
  public object(name: string, objectOnly = false): JsonObject | undefined {
    const value = this.present(name);
    if (value === undefined || value === '') return undefined;
    if (isJsonObject(value)) return value;
    const acceptsString = !objectOnly || this.mode === 'lenient';
    if (typeof value === 'string' && acceptsString) {
      const parsed = parseJson(value);
      if (isJsonObject(parsed)) return parsed;
    }
    throw invalidParam(`${this.label(name)}: must be a JSON object${acceptsString ? ' or a string holding one' : ''}`);
  }

  /** A JSON array; lenient also takes a string holding one. An empty string is absent. */
  public list(name: string): unknown[] | undefined {
    const value = this.present(name);
    if (value === undefined || value === '') return undefined;
    if (Array.isArray(value)) return value;
    if (typeof value === 'string' && this.mode === 'lenient') {
      const parsed = parseJson(value);
      if (Array.isArray(parsed)) return parsed;
    }
    throw invalidParam(`${this.label(name)}: must be a JSON array${this.mode === 'lenient' ? ' or a string holding one' : ''}`);
  }

  /** A map of string values (templateKeyValue, targetMsgkey): strict wants JSON strings, lenient also takes numbers and booleans. */
  public stringMap(name: string): Record<string, string> | undefined {
    const given = this.object(name);
    if (given === undefined) return undefined;
    return Object.fromEntries(
      Object.entries(given).map(([key, value]) => {
        if (typeof value === 'string') return [key, value];
        if (this.mode === 'lenient' && (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) return [key, String(value)];
        throw invalidParam(`${this.label(name)}.${key}: must be a string`);
      }),
    );
  }

  private present(name: string): unknown {
    const value = this.values.get(name);
    if (value === null || (this.mode === 'lenient' && value === '')) return undefined;
    return value;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
