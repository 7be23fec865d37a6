import { createParamDecorator, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@pushsync/platform';
import { CLOCK, type Clock } from '@pushsync/runtime';
import { API_GATEWAY_OPTIONS, type ApiGatewayOptions } from '../api-gateway.options';
import { AppRateLimiter } from './rate-limiter';
import { signedRequestOf } from './signed-request';
import { TenantAuthenticator } from './tenant-authenticator';
import type { ClaimedApp, TenantContext } from './tenant-context';

type TenantRequest = FastifyRequest & { tenant?: TenantContext };

const MISMATCH_CODE = Symbol('tenantMismatchCode');

/** The code a route answers when the key's app differs from the app the request names. */
export const TenantMismatchCode = (code: 'APPID_WRONG' | 'INVALID_TENANT_ID') => SetMetadata(MISMATCH_CODE, code);

/** REST v1 routes: signature (or the app's signature switch), app checks, per-app rate limit. */
@Injectable()
export class TenantGuard implements CanActivate {
  private readonly limiter: AppRateLimiter;

  public constructor(
    private readonly authenticator: TenantAuthenticator,
    private readonly reflector: Reflector,
    @Inject(API_GATEWAY_OPTIONS) options: ApiGatewayOptions,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.limiter = new AppRateLimiter(options.RATE_LIMIT_PER_APP, () => clock.now());
  }

  public async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const mismatchCode = this.reflector.get<string>(MISMATCH_CODE, context.getHandler()) ?? 'APPID_WRONG';
    request.tenant = await this.authenticator.restV1(signedRequestOf(request), claimedApp(request), mismatchCode);
    if (!this.limiter.take(request.tenant.app._id)) {
      throw new DomainError('RATE_LIMITED', 'rate-limited', `app ${request.tenant.app._id} is over its limit of ${this.limiter.ratePerSecond} requests per second`);
    }
    return true;
  }
}

/** REST v1 names the app in the body (POST, PUT) or the query (GET, and DELETE without a body). */
function claimedApp(request: FastifyRequest): ClaimedApp {
  const inQuery = request.method === 'GET' || (request.method === 'DELETE' && (request.body === undefined || request.body === null));
  const source = (inQuery ? request.query : request.body) as Record<string, unknown> | undefined;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { appId: text(source?.appId), workspaceId: text(source?.workspaceId) };
}

/** The tenant of the request; fails loudly when the route forgot TenantGuard. */
export const CurrentTenant = createParamDecorator((_: unknown, context: ExecutionContext): TenantContext => {
  const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
  if (!tenant) throw new Error('CurrentTenant used on a route without TenantGuard');
  return tenant;
});
