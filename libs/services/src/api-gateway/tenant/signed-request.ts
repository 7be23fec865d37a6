import type { FastifyRequest } from 'fastify';
import type { SignedHttpRequest } from '@pushsync/tenancy';

type RawBodyRequest = FastifyRequest & { rawBody?: Buffer };

/** The request as signed: method, target as received, headers and the raw body bytes. */
export function signedRequestOf(request: FastifyRequest): SignedHttpRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers as SignedHttpRequest['headers'],
    body: (request as RawBodyRequest).rawBody ?? '',
  };
}
