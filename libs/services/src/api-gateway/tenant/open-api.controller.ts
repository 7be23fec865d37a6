import { All, Controller, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type PlatformLogger, type ServiceLinks } from '@pushsync/platform';
import { LOGGER, SERVICE_LINKS, errorResponse } from '@pushsync/runtime';
import { isPushAction, pushActions, pushRefusal } from './open-api-push';
import { assertUtf8Body } from './push-api.guard';
import { isSyncDataAction, syncDataActions } from './open-api-sync';
import { ServiceStatus } from './service-status';
import { signedRequestOf } from './signed-request';
import { TenantAuthenticator } from './tenant-authenticator';
import type { TenantContext } from './tenant-context';

type ActionHandler = (tenant: TenantContext, parameters: Record<string, string>) => Promise<Record<string, unknown>>;

/**
 * The mPaaS OpenAPI compatibility face (DECISIONS D2): RPC-style calls at `/` as the official
 * Alibaba Cloud SDKs send them. Always HTTP 200 with `ResultCode`, except authentication (401).
 */
@Controller()
export class OpenApiController {
  private readonly actions: Record<string, ActionHandler>;

  public constructor(
    private readonly authenticator: TenantAuthenticator,
    status: ServiceStatus,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
    @Inject(SERVICE_LINKS) links: ServiceLinks,
  ) {
    this.actions = {
      // pushsync's own action: lets a tenant using an official SDK check its keys and the platform.
      DescribeServiceStatus: async (tenant) => ({ ResultContent: { AppId: tenant.app.appId, WorkspaceId: tenant.app.workspaceId, Services: await status.of(tenant.app) } }),
      ...syncDataActions(links),
      ...pushActions(links),
    };
  }

  @All()
  @ApiExcludeEndpoint()
  public async call(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const requestId = String(request.id);
    const raw = { ...stringParameters(request.query), ...stringParameters(request.body) };
    // Read before authentication to pick the cross-app code (D1); the handler is chosen from the verified parameters.
    const claimedAction = raw.Action ?? stringParameters(request.headers)['x-acs-action'];
    const syncAction = isSyncDataAction(claimedAction);
    try {
      const tenant = await this.authenticator.openApi(signedRequestOf(request), raw, syncAction ? 'INVALID_TENANT_ID' : 'APPID_WRONG');
      const action = tenant.parameters.Action;
      if (isPushAction(action)) assertUtf8Body(request);
      const handler = action === undefined ? undefined : this.actions[action];
      if (!handler) {
        await reply.status(200).send({ RequestId: requestId, ResultCode: 'InvalidAction.NotFound', ResultMessage: `action ${JSON.stringify(action ?? '')} is not supported` });
        return;
      }
      const result = await handler(tenant, tenant.parameters);
      await reply.status(200).send({ RequestId: requestId, ResultCode: 'OK', ResultMessage: '', ...result });
    } catch (error) {
      const response = errorResponse(error, requestId);
      if (response.unexpected) this.logger.error({ err: error, requestId }, 'OpenAPI call failed');
      const envelope = {
        RequestId: requestId,
        ResultCode: response.body.code,
        ResultMessage: response.body.message,
        ...(syncAction ? { Result: false } : {}),
        ...(isPushAction(claimedAction) ? pushRefusal(claimedAction, response.body.message) : {}),
      };
      if (error instanceof DomainError && error.kind === 'authentication') {
        // The official SDKs raise an error for a body with `Code`, as Alibaba Cloud's gateway sends on authentication failures.
        await reply.status(401).send({ ...envelope, Code: response.body.code, Message: response.body.message });
        return;
      }
      await reply.status(200).send(envelope);
    }
  }
}

function stringParameters(source: unknown): Record<string, string> {
  if (source === null || typeof source !== 'object') return {};
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
