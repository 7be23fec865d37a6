import { createHmac, verify } from 'node:crypto';

import { InvalidNonceError, SignatureMismatchError, UnsupportedSignatureMethodError } from './authentication.errors';
import { NONCE_TTL_MS } from './replay-guard';
import {
  REST_V1_DATE_HEADER,
  REST_V1_HMAC_SCHEME,
  REST_V1_NONCE_HEADER,
  REST_V1_RSA_SCHEME,
  parseAuthorization,
  stringToSign,
  type RestV1Authorization,
  type RestV1Scheme,
} from './rest-v1-signature';
import { assertFreshTimestamp, constantTimeEqual } from './signature-primitives';
import { headerValue, headerValues, resolveKey, splitRequestTarget, type SignedHttpRequest, type VerificationContext } from './signed-request';

/** D2: X-PS-Date within ±5 minutes of server time. */
export const REST_V1_CLOCK_SKEW_MS = 5 * 60_000;

const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const NONCE_RULE = '16 to 64 characters of A-Z a-z 0-9 _ -';

/** An access key as the REST v1 faces see it. */
export interface RestV1Key {
  secret: string;
  /** PEM public key of the key's app, when it registered one (enables `PS-RSA-SHA256`). */
  rsaPublicKeyPem?: string;
}

export interface RestV1Authentication<TKey> {
  scheme: RestV1Scheme;
  accessKeyId: string;
  key: TKey;
}

/**
 * Authenticates a REST v1 (or MSS private-cloud) request. Checks run cheapest first and the
 * nonce is claimed last, so only a correctly signed request consumes it.
 */
export async function verifyRestV1<TKey extends RestV1Key>(
  request: SignedHttpRequest,
  context: VerificationContext<TKey>,
): Promise<RestV1Authentication<TKey>> {
  const authorization = parseAuthorization(headerValues(request.headers, 'authorization'));

  const date = headerValue(request.headers, REST_V1_DATE_HEADER);
  assertFreshTimestamp(REST_V1_DATE_HEADER, date, context.clock.now(), REST_V1_CLOCK_SKEW_MS);
  const nonce = headerValue(request.headers, REST_V1_NONCE_HEADER);
  if (nonce === undefined || !NONCE_PATTERN.test(nonce)) throw new InvalidNonceError(REST_V1_NONCE_HEADER, nonce, NONCE_RULE);

  const key = await resolveKey(context, authorization.accessKeyId);
  const { path, query } = splitRequestTarget(request.url);
  const serverStringToSign = stringToSign({ method: request.method, path, query, date, nonce, body: request.body });
  if (!signatureMatches(authorization, key, serverStringToSign)) {
    throw new SignatureMismatchError(authorization.scheme, serverStringToSign);
  }

  await context.replayGuard.claim({
    scheme: authorization.scheme,
    accessKeyId: authorization.accessKeyId,
    nonce,
    nonceField: REST_V1_NONCE_HEADER,
    ttlMs: NONCE_TTL_MS,
  });
  return { scheme: authorization.scheme, accessKeyId: authorization.accessKeyId, key };
}

function signatureMatches({ scheme, signature }: RestV1Authorization, key: RestV1Key, toSign: string): boolean {
  if (scheme === REST_V1_HMAC_SCHEME) {
    return constantTimeEqual(createHmac('sha256', key.secret).update(toSign, 'utf8').digest('hex'), signature);
  }
  if (!key.rsaPublicKeyPem) {
    throw new UnsupportedSignatureMethodError('Authorization scheme', REST_V1_RSA_SCHEME, [REST_V1_HMAC_SCHEME], "this key's app has no RSA public key");
  }
  // Padding is optional on the wire; base64url decoding ignores it.
  return verify('sha256', Buffer.from(toSign, 'utf8'), key.rsaPublicKeyPem, Buffer.from(signature.replace(/=+$/, ''), 'base64url'));
}
