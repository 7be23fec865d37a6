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
    const body: ErrorBody = { code: error.code, message: error.message, requestId };
    if (error.numericCode !== undefined) body.numericCode = error.numericCode;
    return { status: STATUS_OF_KIND[error.kind], body, unexpected: error.kind === 'internal' };
  }
  if (isDependencyUnavailable(error)) {
    return { status: 503, body: { code: 'SYSTEM_ERROR', message: error.message, requestId }, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, body: { code: status === 404 ? 'NOT_FOUND' : 'INVALID_REQUEST', message: error.message, requestId }, unexpected: false };
  }
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, body: { code: fastifyCode(fastifyError), message: fastifyError.message ?? 'bad request', requestId }, unexpected: false };
  }
  return { status: 500, body: { code: 'SYSTEM_ERROR', message: 'internal error', requestId }, unexpected: true };
}

function fastifyCode(error: { statusCode?: number; code?: string }): string {
  if (error.statusCode === 413) return 'BODY_TOO_LARGE';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'UNSUPPORTED_MEDIA_TYPE';
  if (error.statusCode === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return 'MALFORMED_REQUEST';
}
