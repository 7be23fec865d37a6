import { createHmac } from 'node:crypto';

import {
  InvalidNonceError,
  MalformedAuthorizationError,
  MissingAuthorizationError,
  SignatureMismatchError,
  UnsupportedSignatureMethodError,
} from './authentication.errors';
import { assertFreshTimestamp, compareCodeUnits, constantTimeEqual, percentEncode } from './signature-primitives';
import {
  collectRequestParameters,
  resolveKey,
  type AccessKeySecret,
  type OpenApiAuthentication,
  type SignedHttpRequest,
  type VerificationContext,
} from './signed-request';

/**
 * Alibaba Cloud RPC signature v1, as `@alicloud/pop-core` and the `v2` mode of the Tea SDKs
 * send it: every parameter (common ones such as `Action`, `Timestamp`, `SignatureNonce`, plus
 * the action's own) sorted by name, RFC 3986-encoded, joined into
 * `METHOD&%2F&percentEncode(a=1&b=2...)`, HMAC-SHA1 with `secret + "&"`, base64, sent as the
 * `Signature` parameter.
 */
export const RPC_SIGNATURE_METHOD = 'HMAC-SHA1';
export const RPC_SIGNATURE_VERSION = '1.0';

/** Alibaba Cloud refuses a Timestamp more than 15 minutes away from its clock; so do we. */
export const RPC_CLOCK_SKEW_MS = 15 * 60_000;

/** The parameters that authenticate the request rather than describe the call. */
const SIGNING_PARAMETERS = [
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SignatureType',
  'Timestamp',
  'SecurityToken',
];

const NONCE_PATTERN = /^[\x21-\x7E]{1,128}$/;
const NONCE_RULE = '1 to 128 visible ASCII characters, unique per request';

type Parameters = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

function entriesOf(parameters: Parameters): Array<[string, string]> {
  return parameters instanceof Map ? [...parameters] : Object.entries(parameters);
}

/** The RPC v1 StringToSign of a request's parameters (`Signature` itself left out). */
export function rpcStringToSign(method: string, parameters: Parameters): string {
  const canonicalized = entriesOf(parameters)
    .filter(([name]) => name !== 'Signature')
    // The SDKs sort with Array.prototype.sort() / Java's TreeMap: UTF-16 code unit order.
    .sort(([a], [b]) => compareCodeUnits(a, b))
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalized)}`;
}

/** Base64 HMAC-SHA1 of the StringToSign, keyed with `secret + "&"`. */
export function rpcSignature(stringToSign: string, secret: string): string {
  return createHmac('sha1', `${secret}&`).update(stringToSign, 'utf8').digest('base64');
}

function requireSupported(name: string, value: string | undefined, supported: string): void {
  if (value === undefined) throw new MalformedAuthorizationError(`the ${name} parameter is missing; expected ${supported}`);
  if (value !== supported) throw new UnsupportedSignatureMethodError(name, value, [supported]);
}

/**
 * Authenticates an mPaaS OpenAPI request signed with RPC v1. Parameters are read from the
 * query and, for `application/x-www-form-urlencoded` bodies, from the body: pop-core sends
 * everything in the query for GET and everything in the body for POST; the Tea SDKs put the
 * common parameters in the query and the action's in the body.
 */
export async function verifyRpcRequest<TKey extends AccessKeySecret>(
  request: SignedHttpRequest,
  context: VerificationContext<TKey>,
): Promise<OpenApiAuthentication<TKey>> {
  const parameters = collectRequestParameters(request);
  const accessKeyId = parameters.get('AccessKeyId');
  if (!accessKeyId) throw new MissingAuthorizationError('the AccessKeyId parameter');
  const signature = parameters.get('Signature');
  if (!signature) throw new MissingAuthorizationError('the Signature parameter');
  requireSupported('SignatureMethod', parameters.get('SignatureMethod'), RPC_SIGNATURE_METHOD);
  requireSupported('SignatureVersion', parameters.get('SignatureVersion'), RPC_SIGNATURE_VERSION);
  const signatureType = parameters.get('SignatureType');
  if (signatureType) throw new UnsupportedSignatureMethodError('SignatureType', signatureType, ['(absent)']);

  assertFreshTimestamp('Timestamp', parameters.get('Timestamp'), context.clock.now(), RPC_CLOCK_SKEW_MS);
  const nonce = parameters.get('SignatureNonce');
  if (nonce === undefined || !NONCE_PATTERN.test(nonce)) throw new InvalidNonceError('SignatureNonce', nonce, NONCE_RULE);

  const key = await resolveKey(context, accessKeyId);
  const serverStringToSign = rpcStringToSign(request.method, parameters);
  // A "+" sent unencoded (as in Alibaba's own documented example URL) decodes to a space;
  // base64 never contains spaces, so turning them back is safe.
  const sentSignature = signature.replace(/ /g, '+');
  if (!constantTimeEqual(rpcSignature(serverStringToSign, key.secret), sentSignature)) {
    throw new SignatureMismatchError(RPC_SIGNATURE_METHOD, serverStringToSign);
  }

  await context.replayGuard.claim({
    scheme: RPC_SIGNATURE_METHOD,
    accessKeyId,
    nonce,
    nonceField: 'SignatureNonce',
    ttlMs: 2 * RPC_CLOCK_SKEW_MS,
  });
  for (const name of SIGNING_PARAMETERS) parameters.delete(name);
  return { scheme: RPC_SIGNATURE_METHOD, accessKeyId, key, parameters: Object.fromEntries(parameters) };
}
