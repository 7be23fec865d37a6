/**
 * What kind of refusal an error is; transports map kinds to their own codes in one table each
 * (HTTP status in libs/runtime/src/http/error-response.ts).
 */
export type ErrorKind =
  | 'validation'
  | 'authentication'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'unavailable'
  | 'internal';

/** Base of the errors domains raise on purpose: a stable machine `code` and a message that names the problem. */
export class DomainError extends Error {
  public constructor(
    public readonly code: string,
    public readonly kind: ErrorKind,
    message: string,
    public readonly numericCode?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  public constructor(message: string, code = 'INVALID_PARAM', numericCode?: number) {
    super(code, 'validation', message, numericCode);
  }
}

export class NotFoundError extends DomainError {
  public constructor(what: string, code = 'NOT_FOUND') {
    super(code, 'not-found', `${what} not found`);
  }
}
