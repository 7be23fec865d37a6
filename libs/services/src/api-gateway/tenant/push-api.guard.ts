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

/** 3031 REQUEST_SHOULD_BE_UTF8 (mps.md §3.0: the request body must be UTF-8). */
export class NotUtf8Error extends DomainError {
  public constructor(reason: string) {
    super('REQUEST_SHOULD_BE_UTF8', 'validation', `the request body must be UTF-8: ${reason}`, 3031);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Refuses a body declared in another charset or holding bytes that are not UTF-8 (the JSON parser would silently replace them). */
export function assertUtf8Body(request: FastifyRequest & { rawBody?: Buffer }): void {
  const charset = /;\s*charset=([^;\s]+)/i.exec(String(request.headers['content-type'] ?? ''))?.[1]?.replace(/"/g, '').toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new NotUtf8Error(`declared charset ${charset}`);
  if (request.rawBody === undefined) return;
  try {
    UTF8.decode(request.rawBody);
  } catch {
    throw new NotUtf8Error('it holds bytes that are not UTF-8');
  }
}

/** Push routes, after TenantGuard: refuses apps whose API switch is off, then bodies that are not UTF-8, before the body is validated. */
@Injectable()
export class PushApiGuard implements CanActivate {
  public canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest & { tenant?: TenantContext; rawBody?: Buffer }>();
    const tenant = request.tenant;
    if (!tenant) throw new Error('PushApiGuard used without TenantGuard before it');
    if (!tenant.app.apiEnabled) throw new PushApiClosedError(tenant.app._id);
    assertUtf8Body(request);
    return true;
  }
}
