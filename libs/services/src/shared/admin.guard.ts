import { createParamDecorator, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { PlatformLogger } from '@pushsync/platform';
import { LOGGER } from '@pushsync/runtime';
import { OperatorAuthentication, type Operator } from '@pushsync/tenancy';
import { TenancyRepositories } from './tenancy-repositories';

type AdminRequest = FastifyRequest & { operator?: Operator };

/** Admin and console routes of any service: `Authorization: Bearer <admin key id>.<secret>`. */
@Injectable()
export class AdminGuard implements CanActivate {
  public constructor(
    private readonly tenancy: TenancyRepositories,
    @Inject(LOGGER) private readonly logger: PlatformLogger,
  ) {}

  public async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const authentication = new OperatorAuthentication(this.tenancy.repositories.adminKeys, this.logger);
    request.operator = await authentication.authenticate(request.headers.authorization);
    return true;
  }
}

/** The operator of the request; fails loudly when the route forgot AdminGuard. */
export const CurrentOperator = createParamDecorator((_: unknown, context: ExecutionContext): Operator => {
  const operator = context.switchToHttp().getRequest<AdminRequest>().operator;
  if (!operator) throw new Error('CurrentOperator used on a route without AdminGuard');
  return operator;
});
