import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PlatformLogger } from '@pushsync/platform';
import { LOGGER } from '../tokens';
import { errorResponse } from './error-response';

/** Formats every error of the REST faces as `{code, numericCode?, message, requestId}`. */
@Catch()
export class RestExceptionFilter implements ExceptionFilter {
  public constructor(@Inject(LOGGER) private readonly logger: PlatformLogger) {}

  public catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = errorResponse(error, String(request.id));
    if (response.unexpected) this.logger.error({ err: error, requestId: request.id, path: request.url }, 'request failed');
    void reply.status(response.status).send(response.body);
  }
}
