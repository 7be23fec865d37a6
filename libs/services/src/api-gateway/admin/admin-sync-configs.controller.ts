import { Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { SYNC_CORE } from '@pushsync/contracts';
import { ValidationError, type ServiceLinks } from '@pushsync/platform';
import { ApiJsonBody, SERVICE_LINKS } from '@pushsync/runtime';
import { parseInstanceId, requirePermission, type Operator } from '@pushsync/tenancy';
import { AdminGuard, CurrentOperator } from '../../shared/admin.guard';
import { AdminCreateConfigBody, AdminEditConfigBody, configView, createRequest, editRequest, SyncArgsBody } from '../sync/sync-configs.dto';

/** The app of a console route; the operator must hold `permission` on it. */
export function appOf(operator: Operator, instanceId: string, permission: 'read' | 'operate'): { workspaceId: string; appId: string } {
  const app = parseInstanceId(instanceId);
  if (!app) throw new ValidationError(`instanceId ${JSON.stringify(instanceId)} must be <workspaceId>_<appId>`, 'ARGS_INVALID');
  requirePermission(operator, permission, instanceId);
  return app;
}

/** The console's Configuration Management (mss.md §5.1-§5.2, §5.6): the same SyncCore calls as REST v1, recorded under the admin key. */
@ApiTags('console')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/v1/apps/:instanceId/sync/configs')
export class AdminSyncConfigsController {
  public constructor(@Inject(SERVICE_LINKS) private readonly links: ServiceLinks) {}

  private get syncCore() {
    return this.links.client(SYNC_CORE);
  }

  @Post()
  @ApiOperation({ summary: 'New Synchronization Configuration (published at once)' })
  @ApiJsonBody(AdminCreateConfigBody)
  public async create(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @SyncArgsBody(AdminCreateConfigBody) body: z.infer<typeof AdminCreateConfigBody>) {
    const reply = await this.syncCore.CreateSyncConfig(createRequest(appOf(operator, instanceId, 'operate'), operator.id, body));
    return { config: configView(reply.config) };
  }

  @Get()
  @ApiOperation({ summary: "The app's sync configurations" })
  public async list(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string) {
    const reply = await this.syncCore.ListSyncConfigs({ ...appOf(operator, instanceId, 'read'), operator: operator.id });
    return { configs: reply.configs.map(configView) };
  }

  @Get(':bizType')
  @ApiOperation({ summary: 'View configuration details' })
  public async get(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('bizType') bizType: string) {
    const reply = await this.syncCore.GetSyncConfig({ ...appOf(operator, instanceId, 'read'), operator: operator.id, bizType });
    return { config: configView(reply.config) };
  }

  @Patch(':bizType')
  @ApiOperation({ summary: 'Modify configuration (description, threshold, user consistency)' })
  @ApiJsonBody(AdminEditConfigBody)
  public async edit(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('bizType') bizType: string, @SyncArgsBody(AdminEditConfigBody) body: z.infer<typeof AdminEditConfigBody>) {
    const reply = await this.syncCore.EditSyncConfig(editRequest(appOf(operator, instanceId, 'operate'), operator.id, bizType, body));
    return { config: configView(reply.config) };
  }

  @Post(':bizType/offline')
  @HttpCode(200)
  @ApiOperation({ summary: 'Offline configuration' })
  public async offline(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('bizType') bizType: string) {
    const reply = await this.syncCore.SetSyncConfigStatus({ ...appOf(operator, instanceId, 'operate'), operator: operator.id, bizType, status: 'OFFLINE' });
    return { config: configView(reply.config) };
  }

  @Post(':bizType/online')
  @HttpCode(200)
  @ApiOperation({ summary: 'Online configuration' })
  public async online(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('bizType') bizType: string) {
    const reply = await this.syncCore.SetSyncConfigStatus({ ...appOf(operator, instanceId, 'operate'), operator: operator.id, bizType, status: 'ONLINE' });
    return { config: configView(reply.config) };
  }

  @Delete(':bizType')
  @ApiOperation({ summary: 'Delete configuration (only when offline)' })
  public async delete(@CurrentOperator() operator: Operator, @Param('instanceId') instanceId: string, @Param('bizType') bizType: string) {
    const reply = await this.syncCore.DeleteSyncConfig({ ...appOf(operator, instanceId, 'operate'), operator: operator.id, bizType });
    return { config: configView(reply.config) };
  }
}
