import { MalformedAuthorizationError, UnknownAccessKeyError } from './authentication.errors';
import type { ReplayGuard } from './replay-guard';

/** Header names in any case (Node lowercases them); repeated headers as arrays. */
export type HeaderMap = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A request as it arrived, before any body parsing: signatures cover the raw bytes. */
export interface SignedHttpRequest {
  method: string;
  /** Origin-form request target exactly as received: path plus optional `?query`. */
  url: string;
  headers: HeaderMap;
  body?: string | Uint8Array;
}

/** What every verifier needs besides the request. */
export interface VerificationContext<TKey> {
  /** The key (secret, and the app it belongs to) for an AccessKey ID; undefined when unknown or revoked. */
  lookupKey(accessKeyId: string): TKey | undefined | Promise<TKey | undefined>;
  /** Milliseconds since the epoch; the runtime `Clock` fits. */
  clock: { now(): number };
  replayGuard: ReplayGuard;
}

/** A key usable on the mPaaS OpenAPI face. */
export interface AccessKeySecret {
  secret: string;
}

/** The outcome on the mPaaS OpenAPI face, whichever of its two signatures was used. */
export interface OpenApiAuthentication<TKey> {
  scheme: 'HMAC-SHA1' | 'ACS3-HMAC-SHA256';
  accessKeyId: string;
  key: TKey;
  /**
   * Every request parameter (query and form body merged, `Action` and `Version` included)
   * except the signing ones. Lists arrive flattened as the SDKs send them (`Key.1`, `Key.2`).
   */
  parameters: Record<string, string>;
}

export async function resolveKey<TKey>(context: VerificationContext<TKey>, accessKeyId: string): Promise<TKey> {
  const key = await context.lookupKey(accessKeyId);
  if (key === undefined) throw new UnknownAccessKeyError(accessKeyId);
  return key;
}

export function headerValues(headers: HeaderMap, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [headerName, value] of Object.entries(headers)) {
    if (headerName.toLowerCase() !== wanted || value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  return values;
}

/** One header's value; repeats are joined the way Node joins them, so they fail format checks. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length === 0 ? undefined : values.join(', ');
}

export function splitRequestTarget(url: string): { path: string; query: string } {
  const questionMark = url.indexOf('?');
  return questionMark < 0 ? { path: url, query: '' } : { path: url.slice(0, questionMark), query: url.slice(questionMark + 1) };
}

export function bodyBytes(body: string | Uint8Array | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export function isFormBody(headers: HeaderMap): boolean {
  const mediaType = (headerValue(headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

/**
 * Query parameters plus, for a form body, the body's: how the Alibaba Cloud SDKs spread
 * parameters over a request. A name sent twice is refused, as the handler could not tell
 * which value the caller meant.
 */
export function collectRequestParameters(request: SignedHttpRequest): Map<string, string> {
  const pairs = [...new URLSearchParams(splitRequestTarget(request.url).query)];
  if (isFormBody(request.headers)) pairs.push(...new URLSearchParams(bodyBytes(request.body).toString('utf8')));
  const parameters = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (parameters.has(name)) throw new MalformedAuthorizationError(`parameter ${JSON.stringify(name)} is sent more than once`);
    parameters.set(name, value);
  }
  return parameters;
}
