import { createHmac, randomBytes } from 'node:crypto';

import {
  InvalidNonceError,
  MalformedAuthorizationError,
  MissingAuthorizationError,
  SignatureMismatchError,
  UnsupportedSignatureMethodError,
} from './authentication.errors';
import { assertFreshTimestamp, compareCodeUnits, constantTimeEqual, formatUtcTimestamp, percentEncode, sha256Hex } from './signature-primitives';
import {
  bodyBytes,
  collectRequestParameters,
  headerValue,
  headerValues,
  resolveKey,
  splitRequestTarget,
  type AccessKeySecret,
  type HeaderMap,
  type OpenApiAuthentication,
  type SignedHttpRequest,
  type VerificationContext,
} from './signed-request';

/**
 * Alibaba Cloud signature V3 (what the current Tea/Darabonba SDKs send by default):
 * `Authorization: ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=a;b,Signature=<hex>`, where
 * Signature = hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(sha256(CanonicalRequest)))) and
 * CanonicalRequest = METHOD\nURI\nQUERY\n(name:value\n per signed header)\nSIGNED_HEADERS\nPAYLOAD_HASH.
 */
export const ACS3_SCHEME = 'ACS3-HMAC-SHA256';
/** Same window as RPC v1. */
export const ACS3_CLOCK_SKEW_MS = 15 * 60_000;

const ALWAYS_SIGNED = ['x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce'];
const NONCE_PATTERN = /^[\x21-\x7E]{1,128}$/;
const AUTHORIZATION_FORM = `"${ACS3_SCHEME} Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>"`;

/** Query parameters sorted by name then value (the SDKs' order), names and values RFC 3986-encoded. */
function canonicalQuery(rawQuery: string): string {
  return [...new URLSearchParams(rawQuery)]
    .sort(([nameA, valueA], [nameB, valueB]) => compareCodeUnits(nameA, nameB) || compareCodeUnits(valueA, valueB))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

export interface Acs3CanonicalParts {
  method: string;
  url: string;
  headers: HeaderMap;
  /** Lowercase header names in signing order. */
  signedHeaders: readonly string[];
  hashedPayload: string;
}

export function acs3CanonicalRequest({ method, url, headers, signedHeaders, hashedPayload }: Acs3CanonicalParts): string {
  const { path, query } = splitRequestTarget(url);
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${headerValues(headers, name).map((value) => value.trim()).sort().join(',')}\n`)
    .join('');
  return [method.toUpperCase(), path, canonicalQuery(query), canonicalHeaders, signedHeaders.join(';'), hashedPayload].join('\n');
}

function acs3Signature(canonicalRequest: string, secret: string): { stringToSign: string; signature: string } {
  const stringToSign = `${ACS3_SCHEME}\n${sha256Hex(canonicalRequest)}`;
  return { stringToSign, signature: createHmac('sha256', secret).update(stringToSign, 'utf8').digest('hex') };
}

export interface Acs3SigningRequest {
  accessKeyId: string;
  secret: string;
  method: string;
  /** Path plus query exactly as it will be sent. */
  url: string;
  /** Headers to send (host, content-type, x-acs-action, x-acs-version, ...). */
  headers: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
  date?: Date;
  nonce?: string;
}

/** Signs like the Tea SDK (host, content-type and every x-acs-* header); returns the headers to add. */
export function signAcs3(request: Acs3SigningRequest): Record<string, string> {
  const added: Record<string, string> = {
    'x-acs-date': formatUtcTimestamp(request.date ?? new Date()),
    'x-acs-signature-nonce': request.nonce ?? randomBytes(16).toString('hex'),
    'x-acs-content-sha256': sha256Hex(bodyBytes(request.body)),
  };
  const headers = { ...request.headers, ...added };
  const signedHeaders = [...new Set(Object.keys(headers).map((name) => name.toLowerCase()))]
    .filter((name) => name === 'host' || name === 'content-type' || name.startsWith('x-acs-'))
    .sort();
  const canonical = acs3CanonicalRequest({ ...request, headers, signedHeaders, hashedPayload: added['x-acs-content-sha256'] });
  const { signature } = acs3Signature(canonical, request.secret);
  added.authorization = `${ACS3_SCHEME} Credential=${request.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  return added;
}

export interface Acs3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

export function parseAcs3Authorization(header: string | undefined): Acs3Authorization {
  const value = (header ?? '').trim();
  if (value === '') throw new MissingAuthorizationError('the Authorization header');
  const scheme = value.split(' ', 1)[0];
  if (scheme !== ACS3_SCHEME) throw new UnsupportedSignatureMethodError('Authorization scheme', scheme, [ACS3_SCHEME]);
  const fields = new Map<string, string>();
  for (const field of value.slice(scheme.length + 1).split(',')) {
    const match = /^\s*(Credential|SignedHeaders|Signature)=(\S+)$/.exec(field);
    if (!match || fields.has(match[1])) throw new MalformedAuthorizationError(`expected ${AUTHORIZATION_FORM}`);
    fields.set(match[1], match[2]);
  }
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders')?.split(';');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) throw new MalformedAuthorizationError(`expected ${AUTHORIZATION_FORM}`);
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new MalformedAuthorizationError('an ACS3-HMAC-SHA256 Signature is 64 lowercase hex digits');
  if (signedHeaders.some((name) => !/^[a-z0-9-]+$/.test(name)) || new Set(signedHeaders).size !== signedHeaders.length) {
    throw new MalformedAuthorizationError('SignedHeaders must be distinct lowercase header names separated by ";"');
  }
  return { accessKeyId, signedHeaders, signature };
}

/** Every x-acs-* header present must be signed (Alibaba's rule), and the date, nonce and payload hash always. */
function assertSignedHeadersCoverRequest(headers: HeaderMap, signedHeaders: readonly string[]): void {
  const signed = new Set(signedHeaders);
  const present = Object.keys(headers).filter((name) => headers[name] !== undefined).map((name) => name.toLowerCase());
  for (const name of [...ALWAYS_SIGNED, ...present.filter((header) => header.startsWith('x-acs-'))]) {
    if (!signed.has(name)) throw new MalformedAuthorizationError(`header ${name} must be listed in SignedHeaders`);
  }
  for (const name of signedHeaders) {
    if (!present.includes(name)) throw new MalformedAuthorizationError(`signed header ${name} is not in the request`);
  }
}

/** Authenticates an mPaaS OpenAPI request signed with ACS3-HMAC-SHA256. */
export async function verifyAcs3<TKey extends AccessKeySecret>(
  request: SignedHttpRequest,
  context: VerificationContext<TKey>,
): Promise<OpenApiAuthentication<TKey>> {
  const { headers } = request;
  const authorization = parseAcs3Authorization(headerValue(headers, 'authorization'));
  assertSignedHeadersCoverRequest(headers, authorization.signedHeaders);
  assertFreshTimestamp('x-acs-date', headerValue(headers, 'x-acs-date'), context.clock.now(), ACS3_CLOCK_SKEW_MS);
  const nonce = headerValue(headers, 'x-acs-signature-nonce');
  if (nonce === undefined || !NONCE_PATTERN.test(nonce)) {
    throw new InvalidNonceError('x-acs-signature-nonce', nonce, '1 to 128 visible ASCII characters, unique per request');
  }
  const hashedPayload = sha256Hex(bodyBytes(request.body));
  if (!constantTimeEqual(hashedPayload, (headerValue(headers, 'x-acs-content-sha256') ?? '').toLowerCase())) {
    throw new SignatureMismatchError(ACS3_SCHEME, undefined, 'x-acs-content-sha256 is not the SHA-256 of the body');
  }

  const parameters = collectRequestParameters(request);

  const key = await resolveKey(context, authorization.accessKeyId);
  const canonical = acs3CanonicalRequest({ ...request, signedHeaders: authorization.signedHeaders, hashedPayload });
  const { stringToSign, signature } = acs3Signature(canonical, key.secret);
  if (!constantTimeEqual(signature, authorization.signature)) throw new SignatureMismatchError(ACS3_SCHEME, stringToSign);

  await context.replayGuard.claim({
    scheme: ACS3_SCHEME,
    accessKeyId: authorization.accessKeyId,
    nonce,
    nonceField: 'x-acs-signature-nonce',
    ttlMs: 2 * ACS3_CLOCK_SKEW_MS,
  });
  for (const [name, header] of [['Action', 'x-acs-action'], ['Version', 'x-acs-version']] as const) {
    const value = headerValue(headers, header);
    if (value !== undefined && !parameters.has(name)) parameters.set(name, value);
  }
  return { scheme: ACS3_SCHEME, accessKeyId: authorization.accessKeyId, key, parameters: Object.fromEntries(parameters) };
}
