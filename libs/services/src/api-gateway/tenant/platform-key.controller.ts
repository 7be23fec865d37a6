import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ZodValidationPipe } from '@pushsync/runtime';
import { TenancyServices } from '../tenancy-services';
import type { TenantContext } from './tenant-context';
import { CurrentTenant, TenantGuard } from './tenant.guard';

const PlatformKeyQuery = z.strictObject({ appId: z.string().min(1).max(64), workspaceId: z.string().min(1).max(64) });

/** The app's platform public key, which verifies the `sign` of receipts and user consistency validation calls. */
@ApiTags('tenant')
@ApiSecurity('ps-hmac')
@UseGuards(TenantGuard)
@Controller('v1')
export class PlatformKeyController {
  public constructor(private readonly tenancy: TenancyServices) {}

  @Get('platform-key')
  @ApiOperation({ summary: 'The platform public key (SPKI PEM) of the app' })
  public async get(@CurrentTenant() tenant: TenantContext, @Query(new ZodValidationPipe(PlatformKeyQuery)) _query: z.infer<typeof PlatformKeyQuery>, @Req() request: FastifyRequest) {
    return { code: 'OK', requestId: String(request.id), publicKey: await this.tenancy.platformKeys.publicKeyOf(tenant.app) };
  }
}
