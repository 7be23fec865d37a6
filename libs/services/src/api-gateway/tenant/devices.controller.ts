import { Body, Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PUSH_CORE, type DeviceRpcReply } from '@pushsync/contracts';
import { DomainError, type ServiceLinks } from '@pushsync/platform';
import { ApiJsonBody, SERVICE_LINKS } from '@pushsync/runtime';
import { PushApiGuard } from './push-api.guard';
import { PushParams } from './push-params';
import type { TenantContext } from './tenant-context';
import { CurrentTenant, TenantGuard, TenantMismatchCode } from './tenant.guard';

const appFields = { appId: z.string().min(1).max(64), workspaceId: z.string().min(1).max(64) };
// Empty strings are the domain's rules (3001 NEED_DELIVERYTOKEN, 3012 NEED_USERID), so the schemas check types and bounds only.
const BindBody = z.strictObject({ ...appFields, deliveryToken: z.string().max(64), userId: z.string().max(1024) });
const UnbindBody = z.strictObject({ ...appFields, deliveryToken: z.string().max(64), userId: z.string().max(1024).optional() });

/** A refused device RPC on REST v1: HTTP 400 with the mps.md §4 code as numericCode. */
export class DeviceRuleError extends DomainError {
  public constructor(reply: DeviceRpcReply) {
    super(reply.name, 'validation', reply.message, reply.code);
  }
}

/**
 * Tenant server-side bindings (DECISIONS D2 `/v1/devices/bind|unbind`, mps.md §4 bind/unbind),
 * served by push-core's devices domain. Success answers the REST v1 envelope with the mps.md §4
 * RPC result under `result`; a rule violation is a REST v1 refusal (400, numericCode 3001/3012/3028/3054).
 */
@ApiTags('devices')
@ApiSecurity('ps-hmac')
@UseGuards(TenantGuard, PushApiGuard)
@Controller('v1/devices')
export class DevicesController {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  private get pushCore() {
    return this.links.client(PUSH_CORE);
  }

  @Post('bind')
  @HttpCode(200)
  @TenantMismatchCode('APPID_WRONG')
  @ApiOperation({ summary: 'Bind a user to a device token (one user per device; a later bind replaces the earlier user)' })
  @ApiJsonBody(BindBody)
  public async bind(@CurrentTenant() tenant: TenantContext, @Body(new PushParams(BindBody)) body: z.infer<typeof BindBody>, @Req() request: FastifyRequest) {
    const reply = await this.pushCore.BindDevice({ ...appOf(tenant), deliveryToken: body.deliveryToken, userId: body.userId });
    return answer(reply, request);
  }

  @Post('unbind')
  @HttpCode(200)
  @TenantMismatchCode('APPID_WRONG')
  @ApiOperation({ summary: 'Remove the binding of a device token (with userId: only when bound to that user); idempotent' })
  @ApiJsonBody(UnbindBody)
  public async unbind(@CurrentTenant() tenant: TenantContext, @Body(new PushParams(UnbindBody)) body: z.infer<typeof UnbindBody>, @Req() request: FastifyRequest) {
    const reply = await this.pushCore.UnbindDevice({ ...appOf(tenant), deliveryToken: body.deliveryToken, userId: body.userId ?? '' });
    return answer(reply, request);
  }
}

function answer(reply: DeviceRpcReply, request: FastifyRequest) {
  if (!reply.success) throw new DeviceRuleError(reply);
  return { code: 'OK', requestId: String(request.id), result: { success: reply.success, code: reply.code, name: reply.name, message: reply.message } };
}

function appOf(tenant: TenantContext) {
  return { appId: tenant.app.appId, workspaceId: tenant.app.workspaceId };
}
