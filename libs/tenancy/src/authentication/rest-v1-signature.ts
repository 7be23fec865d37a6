import { createHmac, randomBytes, sign, type KeyLike } from 'node:crypto';

import { MalformedAuthorizationError, MissingAuthorizationError, UnsupportedSignatureMethodError } from './authentication.errors';
import { compareCodePoints, formatUtcTimestamp, percentEncode, sha256Hex } from './signature-primitives';

/**
 * REST v1 signature (D2), also used by the MSS private-cloud face:
 * `Authorization: PS-HMAC-SHA256 Credential=<accessKeyId>, Signature=<hex>` plus `X-PS-Date`
 * and `X-PS-Nonce`, over `METHOD\nPATH\nCANONICAL_QUERY\nX-PS-Date\nX-PS-Nonce\nhex(sha256(body))`.
 */
export const REST_V1_HMAC_SCHEME = 'PS-HMAC-SHA256';
export const REST_V1_RSA_SCHEME = 'PS-RSA-SHA256';
export type RestV1Scheme = typeof REST_V1_HMAC_SCHEME | typeof REST_V1_RSA_SCHEME;
export const REST_V1_SCHEMES: readonly RestV1Scheme[] = [REST_V1_HMAC_SCHEME, REST_V1_RSA_SCHEME];

export const REST_V1_DATE_HEADER = 'X-PS-Date';
export const REST_V1_NONCE_HEADER = 'X-PS-Nonce';

export type QueryValue = string | number | boolean;
/** A raw query string (`a=1&b=2`, leading `?` allowed), URLSearchParams, name/value pairs or a record. */
export type QueryInput =
  | string
  | URLSearchParams
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, QueryValue | readonly QueryValue[] | undefined>>;

function isIterable(value: object): value is Iterable<readonly [string, string]> {
  return Symbol.iterator in value;
}

function queryPairs(query: QueryInput | undefined): Array<[string, string]> {
  if (query === undefined) return [];
  if (typeof query === 'string') return [...new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)];
  if (isIterable(query)) return [...query].map(([name, value]) => [name, value]);
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    const values: readonly QueryValue[] = Array.isArray(value) ? value : [value as QueryValue];
    for (const item of values) pairs.push([name, String(item)]);
  }
  return pairs;
}

/**
 * Parameters sorted by name then value (Unicode code point order, the same in every language),
 * each name and value RFC 3986-encoded, `name=value` joined by `&`; empty when there are none.
 * The result is also a valid query string to send.
 */
export function canonicalQuery(query?: QueryInput): string {
  return queryPairs(query)
    .sort(([nameA, valueA], [nameB, valueB]) => compareCodePoints(nameA, nameB) || compareCodePoints(valueA, valueB))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

export interface RestV1SignedParts {
  method: string;
  /** The path exactly as sent in the request line, without the query. */
  path: string;
  query?: QueryInput;
  date: string;
  nonce: string;
  body?: string | Uint8Array;
}

export function stringToSign({ method, path, query, date, nonce, body }: RestV1SignedParts): string {
  return [method.toUpperCase(), path, canonicalQuery(query), date, nonce, sha256Hex(body ?? '')].join('\n');
}

export interface RestV1SigningRequest {
  accessKeyId: string;
  method: string;
  path: string;
  query?: QueryInput;
  body?: string | Uint8Array;
  /** Defaults to now. */
  date?: Date | string;
  /** Defaults to 32 random URL-safe characters. */
  nonce?: string;
}

/** HMAC with the AccessKey secret, or (`PS-RSA-SHA256`) the app's RSA private key. */
export type RestV1SigningKey = { secret: string } | { rsaPrivateKey: KeyLike };

export interface RestV1SignedHeaders {
  Authorization: string;
  'X-PS-Date': string;
  'X-PS-Nonce': string;
}

/** Signs a request for the REST v1 face (tests and the server SDK). Send the query as `canonicalQuery(query)`. */
export function signRestV1(request: RestV1SigningRequest & RestV1SigningKey): RestV1SignedHeaders {
  const date = typeof request.date === 'string' ? request.date : formatUtcTimestamp(request.date ?? new Date());
  const nonce = request.nonce ?? randomBytes(24).toString('base64url');
  const toSign = stringToSign({ ...request, date, nonce });
  const [scheme, signature] =
    'secret' in request
      ? [REST_V1_HMAC_SCHEME, createHmac('sha256', request.secret).update(toSign, 'utf8').digest('hex')]
      : [REST_V1_RSA_SCHEME, sign('sha256', Buffer.from(toSign, 'utf8'), request.rsaPrivateKey).toString('base64url')];
  return {
    Authorization: `${scheme} Credential=${request.accessKeyId}, Signature=${signature}`,
    'X-PS-Date': date,
    'X-PS-Nonce': nonce,
  };
}

export interface RestV1Authorization {
  scheme: RestV1Scheme;
  accessKeyId: string;
  signature: string;
}

const AUTHORIZATION_FORM = `"<scheme> Credential=<accessKeyId>, Signature=<signature>"`;
const ACCESS_KEY_ID = /^[\x21-\x7E]{1,128}$/;
const SIGNATURE_FORMATS: Record<RestV1Scheme, { pattern: RegExp; description: string }> = {
  'PS-HMAC-SHA256': { pattern: /^[0-9a-f]{64}$/, description: '64 lowercase hex digits' },
  'PS-RSA-SHA256': { pattern: /^[A-Za-z0-9_-]+={0,2}$/, description: 'URL-safe base64' },
};

function isRestV1Scheme(scheme: string): scheme is RestV1Scheme {
  return (REST_V1_SCHEMES as readonly string[]).includes(scheme);
}

/** Parses the REST v1 Authorization header; spaces after the comma are optional. */
export function parseAuthorization(header: string | readonly string[] | undefined): RestV1Authorization {
  const values = header === undefined ? [] : typeof header === 'string' ? [header] : header;
  if (values.length > 1) throw new MalformedAuthorizationError('the Authorization header is sent more than once');
  const value = (values[0] ?? '').trim();
  if (value === '') throw new MissingAuthorizationError('the Authorization header');

  const schemeEnd = value.indexOf(' ');
  if (schemeEnd < 0) throw new MalformedAuthorizationError(`expected ${AUTHORIZATION_FORM}`);
  const scheme = value.slice(0, schemeEnd);
  if (!isRestV1Scheme(scheme)) throw new UnsupportedSignatureMethodError('Authorization scheme', scheme, REST_V1_SCHEMES);

  const fields = new Map<string, string>();
  for (const field of value.slice(schemeEnd + 1).split(',')) {
    const match = /^\s*(Credential|Signature)=(\S+)$/.exec(field);
    if (!match) throw new MalformedAuthorizationError(`${JSON.stringify(field.trim())} is not Credential=... or Signature=...; expected ${AUTHORIZATION_FORM}`);
    if (fields.has(match[1])) throw new MalformedAuthorizationError(`${match[1]} appears more than once`);
    fields.set(match[1], match[2]);
  }
  const accessKeyId = fields.get('Credential');
  const signature = fields.get('Signature');
  if (accessKeyId === undefined) throw new MalformedAuthorizationError(`Credential is missing; expected ${AUTHORIZATION_FORM}`);
  if (signature === undefined) throw new MalformedAuthorizationError(`Signature is missing; expected ${AUTHORIZATION_FORM}`);
  if (!ACCESS_KEY_ID.test(accessKeyId)) throw new MalformedAuthorizationError('Credential must be an AccessKey ID of at most 128 visible characters');
  const format = SIGNATURE_FORMATS[scheme];
  if (!format.pattern.test(signature)) throw new MalformedAuthorizationError(`a ${scheme} Signature is ${format.description}`);
  return { scheme, accessKeyId, signature };
}
