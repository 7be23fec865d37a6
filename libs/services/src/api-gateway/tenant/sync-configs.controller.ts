import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { SYNC_CORE } from '@pushsync/contracts';
import type { ServiceLinks } from '@pushsync/platform';
import { ApiJsonBody, SERVICE_LINKS } from '@pushsync/runtime';
import { configView, createRequest, editRequest, SyncArgsBody, SyncArgsQuery, TenantAppBody, TenantCreateConfigBody, TenantEditConfigBody } from '../sync/sync-configs.dto';
import { operatorOf, type TenantContext } from './tenant-context';
import { CurrentTenant, TenantGuard, TenantMismatchCode } from './tenant.guard';

function appOf(tenant: TenantContext) {
  return { appId: tenant.app.appId, workspaceId: tenant.app.workspaceId };
}

function success(request: FastifyRequest, data: Record<string, unknown>) {
  return { code: 'SUCCESS', success: true, requestId: String(request.id), ...data };
}

/** Sync configurations on REST v1 (mss.md §5.1-§5.2, DECISIONS D2/D3), served by sync-core like the console's. */
@ApiTags('sync')
@ApiSecurity('ps-hmac')
@UseGuards(TenantGuard)
@Controller('v1/sync/configs')
export class SyncConfigsController {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  private get syncCore() {
    return this.links.client(SYNC_CORE);
  }

  @Post()
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Create a sync configuration (published at once)' })
  @ApiJsonBody(TenantCreateConfigBody)
  public async create(@CurrentTenant() tenant: TenantContext, @SyncArgsBody(TenantCreateConfigBody) body: z.infer<typeof TenantCreateConfigBody>, @Req() request: FastifyRequest) {
    const reply = await this.syncCore.CreateSyncConfig(createRequest(appOf(tenant), operatorOf(tenant), body));
    return success(request, { config: configView(reply.config) });
  }

  @Get()
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: "List the app's sync configurations" })
  public async list(@CurrentTenant() tenant: TenantContext, @SyncArgsQuery(TenantAppBody) _query: z.infer<typeof TenantAppBody>, @Req() request: FastifyRequest) {
    const reply = await this.syncCore.ListSyncConfigs({ ...appOf(tenant), operator: operatorOf(tenant) });
    return success(request, { configs: reply.configs.map(configView) });
  }

  @Get(':bizType')
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Get one sync configuration' })
  public async get(@CurrentTenant() tenant: TenantContext, @Param('bizType') bizType: string, @SyncArgsQuery(TenantAppBody) _query: z.infer<typeof TenantAppBody>, @Req() request: FastifyRequest) {
    const reply = await this.syncCore.GetSyncConfig({ ...appOf(tenant), operator: operatorOf(tenant), bizType });
    return success(request, { config: configView(reply.config) });
  }

  @Patch(':bizType')
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Modify description, threshold or user consistency (identifier, range, object, multi-device and persistence are immutable)' })
  @ApiJsonBody(TenantEditConfigBody)
  public async edit(@CurrentTenant() tenant: TenantContext, @Param('bizType') bizType: string, @SyncArgsBody(TenantEditConfigBody) body: z.infer<typeof TenantEditConfigBody>, @Req() request: FastifyRequest) {
    const reply = await this.syncCore.EditSyncConfig(editRequest(appOf(tenant), operatorOf(tenant), bizType, body));
    return success(request, { config: configView(reply.config) });
  }

  @Post(':bizType/offline')
  @HttpCode(200)
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Take a configuration offline: delivery withheld, the data APIs answer BIZ_NOT_ONLINE' })
  @ApiJsonBody(TenantAppBody)
  public async offline(@CurrentTenant() tenant: TenantContext, @Param('bizType') bizType: string, @SyncArgsBody(TenantAppBody) _body: z.infer<typeof TenantAppBody>, @Req() request: FastifyRequest) {
    const reply = await this.syncCore.SetSyncConfigStatus({ ...appOf(tenant), operator: operatorOf(tenant), bizType, status: 'OFFLINE' });
    return success(request, { config: configView(reply.config) });
  }

  @Post(':bizType/online')
  @HttpCode(200)
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Put a configuration online again' })
  @ApiJsonBody(TenantAppBody)
  public async online(@CurrentTenant() tenant: TenantContext, @Param('bizType') bizType: string, @SyncArgsBody(TenantAppBody) _body: z.infer<typeof TenantAppBody>, @Req() request: FastifyRequest) {
    const reply = await this.syncCore.SetSyncConfigStatus({ ...appOf(tenant), operator: operatorOf(tenant), bizType, status: 'ONLINE' });
    return success(request, { config: configView(reply.config) });
  }

  @Delete(':bizType')
  @TenantMismatchCode('INVALID_TENANT_ID')
  @ApiOperation({ summary: 'Delete an offline configuration (CONFIG_ONLINE while online)' })
  public async delete(@CurrentTenant() tenant: TenantContext, @Param('bizType') bizType: string, @SyncArgsQuery(TenantAppBody) _query: z.infer<typeof TenantAppBody>, @Req() request: FastifyRequest) {
    const reply = await this.syncCore.DeleteSyncConfig({ ...appOf(tenant), operator: operatorOf(tenant), bizType });
    return success(request, { config: configView(reply.config) });
  }
}
