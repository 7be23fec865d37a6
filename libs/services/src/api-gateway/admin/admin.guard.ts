import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Operator } from '@pushsync/tenancy';
import { TenancyServices } from '../tenancy-services';

type AdminRequest = FastifyRequest & { operator?: Operator };

/** Admin and console routes: `Authorization: Bearer <admin key id>.<secret>`. */
@Injectable()
export class AdminGuard implements CanActivate {
  public constructor(private readonly tenancy: TenancyServices) {}

  public async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    request.operator = await this.tenancy.operatorAuthentication.authenticate(request.headers.authorization);
    return true;
  }
}

/** The operator of the request; fails loudly when the route forgot AdminGuard. */
export const CurrentOperator = createParamDecorator((_: unknown, context: ExecutionContext): Operator => {
  const operator = context.switchToHttp().getRequest<AdminRequest>().operator;
  if (!operator) throw new Error('CurrentOperator used on a route without AdminGuard');
  return operator;
});
