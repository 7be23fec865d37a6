import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZodValidationPipe } from '@pushsync/runtime';
import { ServiceStatus } from './service-status';
import type { TenantContext } from './tenant-context';
import { CurrentTenant, TenantGuard } from './tenant.guard';

const StatusQuery = z.strictObject({ appId: z.string().min(1).max(64), workspaceId: z.string().min(1).max(64) });

/** A signed call a tenant server can make to check its keys and the platform: which cores answer and see the app. */
@ApiTags('tenant')
@ApiSecurity('ps-hmac')
@UseGuards(TenantGuard)
@Controller('v1')
export class StatusController {
  public constructor(private readonly status: ServiceStatus) {}

  @Get('status')
  @ApiOperation({ summary: 'Check credentials and service status for an app' })
  public async get(@CurrentTenant() tenant: TenantContext, @Query(new ZodValidationPipe(StatusQuery)) _query: z.infer<typeof StatusQuery>, @Req() request: FastifyRequest) {
    return { code: 'OK', requestId: String(request.id), appId: tenant.app.appId, workspaceId: tenant.app.workspaceId, services: await this.status.of(tenant.app) };
  }
}
