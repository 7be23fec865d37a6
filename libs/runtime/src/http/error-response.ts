import { HttpException } from '@nestjs/common';
import { DomainError, isDependencyUnavailable, type ErrorKind } from '@pushsync/platform';

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  validation: 400,
  authentication: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  code: string;
  numericCode?: number;
  message: string;
  requestId: string;
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** Unexpected errors are logged with their stack; refusals are not. */
  unexpected: boolean;
}

/** The one table from errors to REST v1 responses (DECISIONS D2). */
export function errorResponse(error: unknown, requestId: string): ErrorResponse {
  if (error instanceof DomainError) {
    // D2: a failure of the platform itself answers SYSTEM_ERROR, whichever part raised it.
    const system = (error.kind === 'unavailable' || error.kind === 'internal') && error.code !== 'SYSTEM_ERROR';
    const body: ErrorBody = { code: system ? 'SYSTEM_ERROR' : error.code, message: system ? `${error.code}: ${error.message}` : error.message, requestId };
    if (error.numericCode !== undefined) body.numericCode = error.numericCode;
    return { status: STATUS_OF_KIND[error.kind], body, unexpected: error.kind === 'internal' };
  }
  if (isDependencyUnavailable(error)) {
    return { status: 503, body: { code: 'SYSTEM_ERROR', message: error.message, requestId }, unexpected: false };
  }
  // Refusals from the framework itself (unparsable JSON, oversize body, unknown route) carry an HTTP status.
  const status = error instanceof HttpException ? error.getStatus() : (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { code: FRAMEWORK_CODES[status] ?? 'MALFORMED_REQUEST', message: (error as Error).message || 'bad request', requestId }, unexpected: false };
  }
  return { status: 500, body: { code: 'SYSTEM_ERROR', message: 'internal error', requestId }, unexpected: true };
}

const FRAMEWORK_CODES: Record<number, string> = {
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'BODY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};
