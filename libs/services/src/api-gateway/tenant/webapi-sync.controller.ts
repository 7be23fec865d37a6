import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SYNC_CORE } from '@pushsync/contracts';
import { DomainError, type PlatformLogger, type ServiceLinks } from '@pushsync/platform';
import { LOGGER, SERVICE_LINKS, errorResponse } from '@pushsync/runtime';
import { ArgsInvalidError, type SyncScope } from '@pushsync/sync';
import { FIELDS_OF_SCOPE, sendSyncDataRequest, type SyncDataFields } from '../sync/sync-data.dto';
import { signedRequestOf } from './signed-request';
import { TenantAuthenticator } from './tenant-authenticator';

export const WEBAPI_SYNC_PATH = '/webapi/sync/';

/** The CN documentation spells this code without underscores (mss.md §3.4). */
const CN_SPELLING: Record<string, string> = { THIRD_MSG_ID_IS_NULL: 'THIRDMSGID_IS_NULL' };

interface WebapiAnswer {
  status: number;
  body: { success: boolean; msg: string; message?: string; requestId: string };
}

/**
 * The MSS private-cloud face (mss.md §3.1 b, DECISIONS D2): `POST /webapi/sync/single|global?instanceId=<workspaceId>_<appId>`
 * with a JSON body, answered `{"success", "msg"}` (CN spellings) with HTTP 200 for every business
 * result and refusal, so the CN sample, which parses only HTTP 200, sees them all. Signed like REST v1
 * unless the app's signature switch is off; authentication failures answer 401 in the same shape.
 */
@ApiExcludeController()
@Controller('webapi/sync')
export class WebapiSyncController {
  public constructor(
    private readonly authenticator: TenantAuthenticator,
    @Inject(SERVICE_LINKS) private readonly links: ServiceLinks,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
  ) {}

  @Post('single')
  public single(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send('SINGLE', request, reply);
  }

  @Post('global')
  public global(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send('GLOBAL', request, reply);
  }

  private async send(scope: SyncScope, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const requestId = String(request.id);
    try {
      const { instanceId } = request.query as { instanceId?: unknown };
      const tenant = await this.authenticator.mssPrivateCloud(signedRequestOf(request), typeof instanceId === 'string' ? instanceId : undefined);
      const answer = await this.links.client(SYNC_CORE).SendSyncData(sendSyncDataRequest(tenant, scope, webapiFields(scope, request.body)));
      await reply.status(200).send({ success: true, msg: answer.code, requestId });
    } catch (error) {
      const answer = webapiRefusal(error, requestId);
      if (answer.unexpected) this.logger.error({ err: error, requestId }, 'webapi sync call failed');
      await reply.status(answer.status).send(answer.body);
    }
  }
}

/**
 * Answers the refusals Fastify makes before the route runs (unparsable JSON, oversize body) in the
 * webapi shape too; install it on the webapi routes (an `onRoute` hook sets it as their error handler).
 */
export function webapiFrameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const refusedRequest = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;
  const answer = webapiRefusal(refusedRequest ? new ArgsInvalidError(`body: ${error.message}`) : error, String(request.id));
  void reply.status(answer.status).send(answer.body);
}

function webapiRefusal(error: unknown, requestId: string): WebapiAnswer & { unexpected: boolean } {
  const response = errorResponse(error, requestId);
  const code = response.body.code;
  const status = error instanceof DomainError && error.kind === 'authentication' ? 401 : 200;
  return { status, body: { success: false, msg: CN_SPELLING[code] ?? code, message: response.body.message, requestId }, unexpected: response.unexpected };
}

/** Lenient like the CN service: strings or numbers, null as absent, unknown fields ignored. */
function webapiFields(scope: SyncScope, body: unknown): SyncDataFields {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ArgsInvalidError('body: must be a JSON object');
  const fields: SyncDataFields = {};
  for (const field of FIELDS_OF_SCOPE[scope]) {
    const value = (body as Record<string, unknown>)[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) throw new ArgsInvalidError(`${field}: must be a string or a number`);
    fields[field] = String(value);
  }
  return fields;
}
