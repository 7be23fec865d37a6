/**
 * Why a signed tenant request was refused. The HTTP layer maps every one of them to 401
 * (REST v1 and MSS private-cloud faces) or to 401 with the code in the envelope (mPaaS
 * OpenAPI face); the message names the problem so a tenant can fix the caller.
 */
export type AuthenticationErrorCode =
  | 'MISSING_AUTHORIZATION'
  | 'MALFORMED_AUTHORIZATION'
  | 'UNKNOWN_ACCESS_KEY'
  | 'SIGNATURE_MISMATCH'
  | 'REQUEST_EXPIRED'
  | 'INVALID_DATE'
  | 'INVALID_NONCE'
  | 'NONCE_REPLAYED'
  | 'UNSUPPORTED_SIGNATURE_METHOD';

export abstract class AuthenticationError extends Error {
  protected constructor(
    public readonly code: AuthenticationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function isAuthenticationError(error: unknown): error is AuthenticationError {
  return error instanceof AuthenticationError;
}

/** Echoes a caller-supplied value into a message without letting it grow unbounded. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

export class MissingAuthorizationError extends AuthenticationError {
  /** @param what e.g. `the Authorization header`, `the Signature parameter` */
  public constructor(what: string) {
    super('MISSING_AUTHORIZATION', `${what} is missing; the request must be signed with an AccessKey`);
  }
}

export class MalformedAuthorizationError extends AuthenticationError {
  public constructor(reason: string) {
    super('MALFORMED_AUTHORIZATION', `malformed authorization: ${reason}`);
  }
}

export class UnknownAccessKeyError extends AuthenticationError {
  public constructor(public readonly accessKeyId: string) {
    super('UNKNOWN_ACCESS_KEY', `AccessKey ID ${quoted(accessKeyId)} does not exist or has been revoked`);
  }
}

export class SignatureMismatchError extends AuthenticationError {
  /**
   * @param serverStringToSign what the server signed; faces may return it (as Alibaba Cloud does)
   *   so a tenant can diff it against their own string to sign. It holds no secret.
   */
  public constructor(
    scheme: string,
    public readonly serverStringToSign?: string,
    detail = 'recompute it over the string to sign with the AccessKey secret',
  ) {
    super('SIGNATURE_MISMATCH', `the ${scheme} signature does not match the request; ${detail}`);
  }
}

export class RequestExpiredError extends AuthenticationError {
  /** @param offsetMs request time minus server time */
  public constructor(field: string, value: string, offsetMs: number, allowedSkewMs: number) {
    const seconds = Math.round(Math.abs(offsetMs) / 1000);
    const direction = offsetMs < 0 ? 'behind' : 'ahead of';
    super(
      'REQUEST_EXPIRED',
      `${field} ${quoted(value)} is ${seconds} s ${direction} server time; ` +
        `requests must be signed within ±${allowedSkewMs / 1000} s of it`,
    );
  }
}

export class InvalidDateError extends AuthenticationError {
  public constructor(field: string, value: string | undefined, expectedFormat: string) {
    super(
      'INVALID_DATE',
      value === undefined
        ? `${field} is missing; expected ${expectedFormat}`
        : `${field} ${quoted(value)} is not a valid date; expected ${expectedFormat}`,
    );
  }
}

export class InvalidNonceError extends AuthenticationError {
  public constructor(field: string, value: string | undefined, rule: string) {
    super(
      'INVALID_NONCE',
      value === undefined ? `${field} is missing; expected ${rule}` : `${field} ${quoted(value)} is invalid; expected ${rule}`,
    );
  }
}

export class NonceReplayedError extends AuthenticationError {
  public constructor(field: string, nonce: string, windowMs: number) {
    super(
      'NONCE_REPLAYED',
      `${field} ${quoted(nonce)} was already used in the last ${Math.round(windowMs / 60_000)} min; ` +
        'every request needs a fresh nonce',
    );
  }
}

export class UnsupportedSignatureMethodError extends AuthenticationError {
  public constructor(field: string, value: string, supported: readonly string[], detail?: string) {
    super(
      'UNSUPPORTED_SIGNATURE_METHOD',
      `${field} ${quoted(value)} is not supported` +
        (detail ? ` (${detail})` : '') +
        `; supported: ${supported.join(', ')}`,
    );
  }
}
