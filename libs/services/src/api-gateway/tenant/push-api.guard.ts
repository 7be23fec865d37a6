import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '@pushsync/platform';
import type { TenantContext } from './tenant-context';

/** 3032 REST_API_SWITCH_NOT_OPEN (mps.md §3.17): the app's API switch is off (DECISIONS D1; 403 per D2). */
export class PushApiClosedError extends DomainError {
  public constructor(instanceId: string) {
    super('REST_API_SWITCH_NOT_OPEN', 'forbidden', `the push API of app ${instanceId} is switched off`, 3032);
  }
}

/** Push routes, after TenantGuard: refuses apps whose API switch is off before the body is validated. */
@Injectable()
export class PushApiGuard implements CanActivate {
  public canActivate(context: ExecutionContext): boolean {
    const tenant = context.switchToHttp().getRequest<FastifyRequest & { tenant?: TenantContext }>().tenant;
    if (!tenant) throw new Error('PushApiGuard used without TenantGuard before it');
    if (!tenant.app.apiEnabled) throw new PushApiClosedError(tenant.app._id);
    return true;
  }
}
