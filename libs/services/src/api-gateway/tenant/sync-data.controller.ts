import { Controller, HttpCode, Inject, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { SYNC_CORE } from '@pushsync/contracts';
import type { ServiceLinks } from '@pushsync/platform';
import { ApiJsonBody, SERVICE_LINKS } from '@pushsync/runtime';
import type { SyncScope } from '@pushsync/sync';
import { SyncArgsBody } from '../sync/sync-configs.dto';
import { fieldsOfBody, GlobalDataBody, sendSyncDataRequest, SingleDataBody, type SyncDataFields } from '../sync/sync-data.dto';
import type { TenantContext } from './tenant-context';
import { CurrentTenant, TenantGuard, TenantMismatchCode } from './tenant.guard';

/**
 * The sync data APIs on REST v1 (mss.md §3.2-§3.3, DECISIONS D2/D3): strict bodies, sync-core's
 * answer as `{code, success, requestId}`; refusals are REST v1 errors (rules 400, another app's key 403).
 */
@ApiTags('sync')
@ApiSecurity('ps-hmac')
@UseGuards(TenantGuard)
@Controller('v1/sync')
export class SyncDataController {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  @Post('single')
  @HttpCode(200)
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Sync one piece of data to one user or device (CreateOpenSingleData); answers SUCCESS, DUPLICATED_BIZ_ID or NOT_ONLINE' })
  @ApiJsonBody(SingleDataBody)
  public single(@CurrentTenant() tenant: TenantContext, @SyncArgsBody(SingleDataBody) body: z.infer<typeof SingleDataBody>, @Req() request: FastifyRequest) {
    return this.send(tenant, 'SINGLE', fieldsOfBody(body), request);
  }

  @Post('global')
  @HttpCode(200)
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Sync one piece of data to every user or device, optionally a UID range (CreateOpenGlobalData); answers SUCCESS or DUPLICATED_BIZ_ID' })
  @ApiJsonBody(GlobalDataBody)
  public global(@CurrentTenant() tenant: TenantContext, @SyncArgsBody(GlobalDataBody) body: z.infer<typeof GlobalDataBody>, @Req() request: FastifyRequest) {
    return this.send(tenant, 'GLOBAL', fieldsOfBody(body), request);
  }

  private async send(tenant: TenantContext, scope: SyncScope, fields: SyncDataFields, request: FastifyRequest) {
    const reply = await this.links.client(SYNC_CORE).SendSyncData(sendSyncDataRequest(tenant, scope, fields));
    return { code: reply.code, success: true, requestId: String(request.id) };
  }
}
